"""``symgrad lesson list|show N|run N|export N|cheatsheet``: the classroom lessons."""

from __future__ import annotations

import argparse
import functools
import os

from symgrad.errors import InputError
from symgrad.guard import DEFAULT_TIMEOUT, run_guarded
from symgrad.output import Output

HELP = "list, show, run or export the classroom lessons (exercises checked exactly)"
EPILOG = """examples:
  symgrad lesson list
  symgrad lesson show 1              render lesson 1 with the real output of its examples
  symgrad lesson run 1               walk through lesson 1 and answer its exercises
  symgrad lesson run 1 --no-input    run it end to end, answering with the reference solutions
  symgrad lesson run 4 --exercise 3  go straight to exercise 3 of lesson 4
  symgrad lesson export 3 --to ipynb a notebook, executed in a Jupyter kernel (also html, tex, pdf)
  symgrad lesson cheatsheet          the course on one page (--to pdf -o sheet.pdf to print it)

while answering: ? shows the next hint (up to three), ! reveals the answer, an empty
line skips; three wrong tries show the answer (an answer symgrad cannot read does
not count as a try)"""

TRIES = 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action", choices=("list", "show", "run", "export", "cheatsheet"), help="what to do"
    )
    parser.add_argument("number", nargs="?", help="the lesson number, e.g. 1 or 01")
    parser.add_argument(
        "--no-input",
        action="store_true",
        help="never ask: answer every exercise with its reference solution (for CI and teachers)",
    )
    parser.add_argument(
        "--exercise",
        type=int,
        metavar="K",
        help="with run: go straight to exercise K (no walk-through, only that exercise)",
    )
    parser.add_argument(
        "--to",
        choices=("ipynb", "html", "tex", "pdf"),
        help="with export (ipynb, html, tex, pdf) or cheatsheet (tex, pdf): the file format",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="with export or cheatsheet --to: the file to write (default: the lesson's name)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace an existing file even if symgrad did not write it",
    )
    parser.add_argument(
        "--no-execute",
        action="store_true",
        help="with export --to ipynb: do not run the notebook in a kernel (no outputs)",
    )
    parser.add_argument(
        "--student",
        metavar="ID",
        help="with run: your own numbers in the exercises that have variants "
        "(default: $SYMGRAD_STUDENT)",
    )
    parser.add_argument(
        "--course-seed",
        metavar="TEXT",
        help="with run --student: the course's seed for the variants (default: $SYMGRAD_COURSE_SEED)",
    )
    parser.add_argument(
        "--log",
        metavar="FILE",
        help="with run: append one JSON line per answer to FILE (for symgrad report)",
    )
    parser.add_argument(
        "--figures",
        metavar="DIR",
        help="folder for the lesson's pictures (default: $SYMGRAD_FIGURES or a temporary folder)",
    )


def run(args: argparse.Namespace, out: Output) -> int:
    from symgrad import lessons

    if args.figures:
        os.environ[lessons.ENV_FIGURES] = args.figures
    if os.environ.get(lessons.ENV_FIGURES):
        lessons.figures_folder()  # a file or a read-only folder: say so before any work
    if args.action in ("list", "cheatsheet"):
        if args.number is not None:
            raise InputError(f"lesson {args.action} takes no number", hint="symgrad lesson show 1")
        return _list(out) if args.action == "list" else _cheatsheet(args, out)
    if args.to is not None and args.action != "export":
        raise InputError(
            "--to is for export and cheatsheet", hint="symgrad lesson export 1 --to ipynb"
        )
    if args.number is None:
        raise InputError(
            f"which lesson? give its number: symgrad lesson {args.action} 1",
            hint="symgrad lesson list shows them",
        )
    if args.action == "export":
        return _export(args, out)
    _who(args)
    lesson = lessons.load_lesson(args.number)
    if out.format in ("json", "latex"):
        if out.format == "latex":
            raise InputError(
                "lesson show and run have no LaTeX form",
                hint=f"use symgrad lesson export {args.number} --to tex or --to pdf for a handout",
            )
        result = lessons.execute(lesson)
        args.lesson_number = lesson.number
        if args.action == "run" and args.student:
            import dataclasses

            result = dataclasses.replace(result, exercises=_mine(result.exercises, args))
        answers = _answer_all(result.exercises, args) if args.action == "run" else None
        data = lessons.run_to_dict(result, answers)
        if args.exercise is not None:
            _one_exercise(result, args.exercise)
            data["exercises"] = [data["exercises"][args.exercise - 1]]
        out.emit(data)
        return 0
    console = out.console
    plain = out.format == "plain"
    if args.action == "show":
        result = lessons.execute(lesson)
        for cell, output in zip(lesson.cells, result.outputs):
            console.print(lessons.render_cell(cell, output, result.exercises, plain))
        return 0
    return _walk(lesson, args, console, plain)


def _who(args: argparse.Namespace) -> None:
    """Resolve --student, --course-seed and --log (checked before any work)."""
    from symgrad.variants import check_student_id, course_seed_from_env, student_from_env

    args.student = check_student_id(args.student) if args.student else student_from_env()
    args.course_seed = args.course_seed if args.course_seed is not None else course_seed_from_env()
    if (args.student or args.log) and args.action != "run":
        raise InputError(
            "--student and --log go with lesson run", hint="symgrad lesson run 4 --student alice"
        )


def _mine(exercises, args) -> list:
    """The exercises as this student sees them: their own numbers where an exercise varies."""
    if not args.student:
        return list(exercises)
    return [ex.for_student(args.student, course_seed=args.course_seed) for ex in exercises]


def _log(args, lesson_number: int, n: int, ex, answer: str, verdict, first: bool, number: int):
    if not args.log:
        return
    from symgrad.attempts import append_attempt, attempt

    kind = "correct" if verdict.correct else ("incorrect" if verdict.readable else "invalid")
    append_attempt(
        args.log,
        attempt(
            args.student,
            f"lesson {lesson_number}, exercise {n}",
            answer,
            kind,
            diagnosis=verdict.key,
            variant=dict(ex.values) if args.student and ex.template else None,
            first_try=first,
            number=number,
        ),
    )


def _write(data: bytes, name: str, args: argparse.Namespace, out: Output) -> int:
    from pathlib import Path

    from symgrad.lesson_handouts import write_file

    path = Path(args.output or name)
    write_file(path, data, force=args.force)
    if out.format == "json":
        out.emit({"file": str(path), "bytes": len(data)})
    else:
        out.console.print(f"wrote {path} ({len(data):,} bytes)", highlight=False, markup=False)
    return 0


def _export(args: argparse.Namespace, out: Output) -> int:
    from symgrad.lesson_handouts import export

    if args.to is None:
        raise InputError("export needs --to FORMAT", hint="--to ipynb, html, tex or pdf")
    data, name = export(args.number, args.to, execute=not args.no_execute)
    return _write(data, name, args, out)


def _cheatsheet(args: argparse.Namespace, out: Output) -> int:
    from symgrad.lesson_handouts import cheatsheet, compile_pdf

    sheet = cheatsheet()
    if args.to is None:
        out.emit(sheet)
        return 0
    if args.to not in ("tex", "pdf"):
        raise InputError(f"the cheat sheet has no {args.to} form", hint="--to tex or --to pdf")
    latex = sheet.to_latex()
    data = latex.encode("utf-8") if args.to == "tex" else compile_pdf(latex)
    return _write(data, f"symgrad-cheatsheet.{args.to}", args, out)


def _list(out: Output) -> int:
    from symgrad import lessons

    found = [lessons.load_lesson(int(p.name[:2])) for p in lessons.find_lessons()]
    if out.format == "json":
        out.emit([{"number": x.number, "title": x.title, "file": x.path.name} for x in found])
        return 0
    for x in found:
        out.console.print(f"{x.number:>2}  {x.title}  ({x.path.name})", highlight=False)
    return 0


def _answer_all(exercises, args) -> list[dict]:
    from symgrad.lessons import check_answer

    answers = []
    for n, ex in enumerate(exercises, 1):
        verdict = run_guarded(
            check_answer, ex, ex.solution, timeout=args.timeout or DEFAULT_TIMEOUT, in_process=True
        )
        _log(args, args.lesson_number, n, ex, ex.solution, verdict, True, 1)
        answers.append(
            {"answer": ex.solution, "correct": verdict.correct, "first_try": verdict.correct}
        )
    return answers


def _walk(lesson, args: argparse.Namespace, console, plain: bool) -> int:
    """Show the lesson cell by cell (pausing at each section), then ask the exercises.

    With ``--exercise K`` only exercise K is asked, without the walk-through.
    """
    from symgrad import lessons

    interactive = not args.no_input
    outputs: dict[int, str] = {}
    result = lessons.execute(lesson, on_cell=lambda i, text: outputs.__setitem__(i, text))
    numbered = list(enumerate(_mine(result.exercises, args), 1))
    if args.exercise is not None:
        _one_exercise(result, args.exercise)
        numbered = [numbered[args.exercise - 1]]
    else:
        for i, cell in enumerate(lesson.cells):
            if "exercises" in cell.tags:
                continue
            if interactive and i and cell.kind == "markdown" and cell.source.startswith("## "):
                prompt = "[dim](Enter: next section, q: straight to the exercises)[/dim] "
                if _ask(console, prompt) == "q":
                    break
            console.print(lessons.render_cell(cell, outputs.get(i, ""), plain=plain))
    first = eventually = 0
    for n, ex in numbered:
        console.print(lessons.render_question(n, ex))
        logged = functools.partial(_log, args, lesson.number, n, ex)
        outcome = _exercise(ex, args, console, interactive, logged)
        first += outcome == "first"
        eventually += outcome in ("first", "later")
    total = len(numbered)
    console.print(
        f"Score: {first} of {total} right at the first try, {eventually} of {total} in the end.",
        highlight=False,
    )
    return 0


def _one_exercise(result, number: int) -> None:
    """Keep only exercise ``number`` of an executed lesson (for ``--exercise K``)."""
    count = len(result.exercises)
    if not 1 <= number <= count:
        raise InputError(
            f"lesson {result.lesson.number} has no exercise {number}",
            hint=f"its exercises are 1 to {count}",
        )


def _ask(console, prompt: str) -> str | None:
    import sys

    try:
        answer = console.input(prompt).strip()
    except EOFError:
        console.print()
        return None
    if not sys.stdin.isatty():  # answers from a file or a pipe: echo them, so the log reads well
        console.print(answer, highlight=False, markup=False)  # "[/x]" is text, not markup
    return answer


def _say(console, text: str, style: str | None = None) -> None:
    """One line of feedback, indented; on a narrow terminal it wraps under itself."""
    if console.soft_wrap:  # plain text: one line each, never cut (a pager or editor wraps it)
        console.print(f"  {text}", style=style, highlight=False, markup=False)
        return
    from rich.padding import Padding
    from rich.text import Text

    console.print(Padding(Text(text, style=style or ""), (0, 0, 0, 2), expand=False))


def _exercise(ex, args, console, interactive: bool, log=None) -> str:
    """Ask one exercise; "first" (right at the first try), "later", or "missed"."""
    from symgrad.lessons import check_answer

    timeout = args.timeout or DEFAULT_TIMEOUT
    hints = list(ex.hints)
    shown = 0
    tries = 0
    while True:
        if interactive:
            answer = _ask(console, "[bold]answer>[/bold] ")
            if answer is None:  # end of input: reveal and go on
                _say(console, f"the answer: {ex.solution}")
                return "missed"
        else:
            answer = ex.solution
            console.print(f"answer> {answer}", highlight=False, markup=False)
        if answer == "":
            _say(console, f"skipped; the answer: {ex.solution}")
            return "missed"
        if answer == "?":
            if shown < len(hints):
                shown += 1
                _say(console, f"hint {shown} of {len(hints)}: {hints[shown - 1]}", "yellow")
            else:
                _say(console, "no more hints; ! reveals the answer", "yellow")
            continue
        if answer == "!":
            _say(console, f"the answer: {ex.solution}")
            return "missed"
        verdict = run_guarded(check_answer, ex, answer, timeout=timeout, in_process=args.debug)
        if log is not None:
            log(answer, verdict, tries == 0, tries + 1)
        if verdict.correct:
            _say(console, f"✓ {verdict.message}", "green")
            return "first" if tries == 0 else "later"
        if not verdict.readable:  # a typing problem: explain the notation, keep the try
            _say(console, f"✗ {verdict.message}", "red")
            for line in verdict.details:
                _say(console, line, "yellow")
            _say(console, "(this did not count as a try)", "dim")
            continue
        tries += 1
        _say(console, f"✗ {verdict.message}", "red")
        for line in verdict.details:
            _say(console, line, "yellow")
        if verdict.hint:
            _say(console, f"rule: {verdict.hint}", "yellow")
        if tries >= TRIES:
            _say(console, f"the answer: {ex.solution}")
            return "missed"
        left = TRIES - tries
        offer = f"{left} {'try' if left == 1 else 'tries'} left"
        if shown < len(hints):
            offer += f"; ? shows hint {shown + 1} of {len(hints)}"
        _say(console, f"({offer})", "dim")
