"""``symgrad report LOGS...``: the class at a glance, from the attempt logs."""

from __future__ import annotations

import argparse

from symgrad.output import Output

HELP = "summarise attempt logs: success rates, misconceptions and stuck students per exercise"
EPILOG = """\
examples:
  symgrad report attempts.jsonl
  symgrad report logs/*.jsonl --format csv > gradebook-summary.csv
  symgrad report attempts.jsonl --html class.html

the logs are written by `symgrad lesson run --log FILE` and by the grading plugin (symgrad_log)
exit codes: 0 report written, 2 a log or the HTML file cannot be used, 3 a log is too large"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("logs", nargs="+", metavar="LOG", help="attempt logs (JSON lines)")
    parser.add_argument(
        "--html",
        metavar="FILE",
        help="also write a self-contained HTML page with charts (works offline)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="let --html replace an existing file that symgrad did not write",
    )


def run(args: argparse.Namespace, out: Output) -> int:
    from symgrad.attempts import read_attempts
    from symgrad.report import GENERATOR, class_report

    log = read_attempts(args.logs)
    report = class_report(log.records, log.skipped_summary())
    if args.html:
        _write_html(args.html, report.to_html(), GENERATOR, force=args.force)
    out.emit(report)
    if report.skipped and out.format in ("csv", "json"):
        import sys

        print(f"symgrad: note: {report.skipped}", file=sys.stderr)
    return report.exit_code


def _write_html(name: str, text: str, generator: str, *, force: bool) -> None:
    """Write atomically; never through a link, never over a file symgrad did not write."""
    from symgrad.errors import InputError
    from symgrad.files import check_target, write_atomic, written_by_symgrad

    target = check_target(name, ".html", what="--html")
    if target.exists() and not force and not written_by_symgrad(target, f'content="{generator}"'):
        raise InputError(
            f"{name} exists and was not written by symgrad report",
            hint="choose another name, or add --force to replace it",
        )
    write_atomic(target, lambda stream: stream.write(text.encode("utf-8")), ".html")
