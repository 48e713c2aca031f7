"""The class at a glance: success rates, misconceptions and stuck students, from attempt logs.

:func:`class_report` reads the records of :mod:`symgrad.attempts` and
summarises each exercise: how many students tried it, how many were right on
their first try and how many eventually, the most frequent diagnoses with an
example answer each, and the students who are stuck (three or more wrong
tries on one exercise). A try that could not be read (verdict ``invalid``)
is not counted, as in the lessons. The report renders itself as a rich
table, plain text, CSV, JSON and a self-contained HTML page with charts.

>>> from symgrad.attempts import attempt
>>> records = [
...     attempt("ann", "ex 1", "2*x", "correct"),
...     attempt("bob", "ex 1", "x", "incorrect", diagnosis="power_not_lowered"),
...     attempt("bob", "ex 1", "2*x", "correct", first_try=False, number=2),
... ]
>>> r = class_report(records)
>>> e = r.exercises[0]
>>> e.students, e.first_try, e.eventual, e.diagnoses[0].key
(2, 1, 2, 'power_not_lowered')
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from symgrad.render import StyledLines

__all__ = ["ClassReport", "ExerciseSummary", "DiagnosisCount", "Stuck", "class_report"]

#: Wrong tries on one exercise that make a student "stuck".
STUCK_AFTER = 3
NO_DIAGNOSIS = "(no diagnosis)"
ANONYMOUS = "(no student ID)"
GENERATOR = "symgrad report"


@dataclass(frozen=True)
class DiagnosisCount:
    """One misconception on one exercise: how often, by how many students, an example answer."""

    key: str
    count: int
    students: int
    example: str


@dataclass(frozen=True)
class ExerciseSummary:
    """What the class did on one exercise."""

    exercise: str
    students: int
    attempts: int
    first_try: int
    eventual: int
    diagnoses: tuple[DiagnosisCount, ...]

    @property
    def first_try_rate(self) -> float:
        return self.first_try / self.students if self.students else 0.0

    @property
    def eventual_rate(self) -> float:
        return self.eventual / self.students if self.students else 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "exercise": self.exercise,
            "students": self.students,
            "attempts": self.attempts,
            "first_try": self.first_try,
            "eventual": self.eventual,
            "first_try_rate": round(self.first_try_rate, 4),
            "eventual_rate": round(self.eventual_rate, 4),
            "diagnoses": [
                {"key": d.key, "count": d.count, "students": d.students, "example": d.example}
                for d in self.diagnoses
            ],
        }


@dataclass(frozen=True)
class Stuck:
    """A student with three or more wrong tries on one exercise."""

    student: str
    exercise: str
    wrong: int
    solved: bool


def _natural(text: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def _percent(rate: float) -> str:
    return f"{100 * rate:.0f}%"


@dataclass(frozen=True)
class ClassReport(StyledLines):
    """The class report; renders as rich, plain text, CSV, JSON and HTML."""

    exercises: tuple[ExerciseSummary, ...]
    stuck: tuple[Stuck, ...]
    students: int
    records: int
    skipped: str | None = None

    exit_code: int = 0

    # -- text -------------------------------------------------------------------

    def _rows(self) -> list[tuple[str, str, str, str, str]]:
        rows = []
        for e in self.exercises:
            top = ", ".join(f"{d.key} ×{d.count}" for d in e.diagnoses[:3]) or "-"
            rows.append(
                (
                    e.exercise,
                    str(e.students),
                    f"{_percent(e.first_try_rate)} ({e.first_try})",
                    f"{_percent(e.eventual_rate)} ({e.eventual})",
                    top,
                )
            )
        return rows

    _HEADER = ("exercise", "students", "first try", "eventually", "most frequent mistakes")

    def lines(self) -> list[tuple[str, str]]:
        return self._lines(None)

    def layout(self, width: int | None = None) -> list[tuple[str, str]]:
        """The report for ``width`` columns: a table where it fits, a block per exercise else."""
        from symgrad.render import fit, terminal_width

        w = terminal_width() if width is None else max(width, 1)
        return [(line, style) for text, style in self._lines(w) for line in fit(text, w)]

    def _lines(self, width: int | None) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = [
            (
                f"Class report: {self.students} student{'s' if self.students != 1 else ''}, "
                f"{self.records} attempt{'s' if self.records != 1 else ''}, "
                f"{len(self.exercises)} exercise{'s' if len(self.exercises) != 1 else ''}",
                "bold",
            ),
            ("", ""),
        ]
        rows = [self._HEADER, *self._rows()]
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        if width is None or sum(widths) + 8 <= width:
            for n, row in enumerate(rows):
                text = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4]))
                out.append((f"{text}  {row[4]}".rstrip(), "bold" if n == 0 else ""))
        else:  # too narrow for the table: one block per exercise
            for e, row in zip(self.exercises, rows[1:]):
                out.append((e.exercise, "bold"))
                out.append((f"  {row[1]} students; first try {row[2]}; eventually {row[3]}", ""))
                out.append((f"  most frequent mistakes: {row[4]}", ""))
        for e in self.exercises:
            if not e.diagnoses:
                continue
            out += [("", ""), (f"{e.exercise}: wrong answers by likely mistake", "bold")]
            for d in e.diagnoses:
                who = f"{d.students} student{'s' if d.students != 1 else ''}"
                out.append((f"  {d.key}: {d.count} ({who}), e.g. {d.example}", ""))
        out += [("", ""), (f"Stuck ({STUCK_AFTER} or more wrong tries on one exercise):", "bold")]
        if not self.stuck:
            out.append(("  nobody", ""))
        for s in self.stuck:
            later = "solved it later" if s.solved else "not solved yet"
            out.append((f"  {s.student}: {s.exercise}, {s.wrong} wrong tries, {later}", "yellow"))
        if self.skipped:
            out += [("", ""), (f"note: {self.skipped}", "dim")]
        return out

    def __rich_console__(self, console, options):
        from rich.table import Table
        from rich.text import Text

        yield Text(self.lines()[0][0], style="bold")
        table = Table(*self._HEADER, show_lines=False, expand=False)
        for row in self._rows():
            table.add_row(*row)
        yield table
        for text, style in self.layout(options.max_width)[2 + len(self.exercises) + 1 :]:
            yield Text(text, style=style)

    # -- data -------------------------------------------------------------------

    def to_dict(self) -> dict[str, object]:
        return {
            "students": self.students,
            "attempts": self.records,
            "exercises": [e.to_dict() for e in self.exercises],
            "stuck": [
                {"student": s.student, "exercise": s.exercise, "wrong": s.wrong, "solved": s.solved}
                for s in self.stuck
            ],
            "skipped": self.skipped,
            "exit_code": self.exit_code,
        }

    def to_csv(self) -> str:
        """One row per exercise, for a spreadsheet."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(
            [
                "exercise",
                "students",
                "attempts",
                "first_try",
                "first_try_rate",
                "eventual",
                "eventual_rate",
                "diagnoses",
                "stuck_students",
            ]
        )
        for e in self.exercises:
            stuck = sorted(s.student for s in self.stuck if s.exercise == e.exercise)
            writer.writerow(
                [
                    _csv_cell(e.exercise),
                    e.students,
                    e.attempts,
                    e.first_try,
                    f"{e.first_try_rate:.4f}",
                    e.eventual,
                    f"{e.eventual_rate:.4f}",
                    _csv_cell("; ".join(f"{d.key}: {d.count}" for d in e.diagnoses)),
                    _csv_cell("; ".join(stuck)),
                ]
            )
        return buffer.getvalue()

    def to_html(self) -> str:
        """A single self-contained HTML page: no scripts, no network, inline SVG charts."""
        return _html(self)


def _csv_cell(text: str) -> str:
    # A spreadsheet runs a cell that starts with = + - @ as a formula: keep student text inert.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def class_report(
    records: Iterable[Mapping[str, object]], skipped: str | None = None
) -> ClassReport:
    """Summarise attempt records (as :func:`symgrad.attempts.read_attempts` gives them)."""
    groups: dict[tuple[str, str], list[Mapping[str, object]]] = {}
    count = 0
    for record in records:
        count += 1
        student = record.get("student") or ANONYMOUS
        groups.setdefault((str(record["exercise"]), str(student)), []).append(record)
    by_exercise: dict[str, list[tuple[str, list]]] = {}
    for (exercise, student), tries in groups.items():
        ordered = sorted(
            tries, key=lambda r: (str(r.get("time") or ""), int(r.get("attempt") or 0))
        )
        by_exercise.setdefault(exercise, []).append((student, ordered))

    exercises = []
    stuck = []
    students: set[str] = set()
    for exercise in sorted(by_exercise, key=_natural):
        tried = first = eventual = attempts = 0
        seen: dict[str, list] = {}
        for student, ordered in by_exercise[exercise]:
            counted = [r for r in ordered if r.get("verdict") != "invalid"]
            if not counted:
                continue
            students.add(student)
            tried += 1
            attempts += len(counted)
            first += counted[0].get("verdict") == "correct"
            solved = any(r.get("verdict") == "correct" for r in counted)
            eventual += solved
            wrong = [r for r in counted if r.get("verdict") == "incorrect"]
            for r in wrong:
                key = str(r.get("diagnosis") or NO_DIAGNOSIS)
                seen.setdefault(key, []).append((student, str(r.get("answer") or "")))
            if len(wrong) >= STUCK_AFTER:
                stuck.append(Stuck(student, exercise, len(wrong), solved))
        diagnoses = sorted(
            (
                DiagnosisCount(key, len(hits), len({s for s, _ in hits}), hits[0][1])
                for key, hits in seen.items()
            ),
            key=lambda d: (d.key == NO_DIAGNOSIS, -d.count, d.key),
        )
        if tried:
            exercises.append(
                ExerciseSummary(exercise, tried, attempts, first, eventual, tuple(diagnoses))
            )
    stuck.sort(key=lambda s: (_natural(s.exercise), s.student))
    return ClassReport(tuple(exercises), tuple(stuck), len(students), count, skipped)


# -- HTML ---------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem;color:#1d2330;
max-width:60rem}h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem}
.sub{color:#5b6475}table{border-collapse:collapse;margin:.5rem 0}th,td{padding:.3rem .7rem;
border-bottom:1px solid #dde1e8;text-align:left;vertical-align:top}th{background:#f3f5f9}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}code{font-family:ui-monospace,monospace;
background:#f3f5f9;padding:0 .2rem}svg text{font-family:system-ui,sans-serif;font-size:12px;
fill:#1d2330}.stuck{color:#a04400}.note{color:#5b6475;font-size:.9rem}
"""

_FIRST, _EVENTUAL, _BAR = "#3b6fd8", "#9bb8ee", "#d8743b"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _success_chart(report: ClassReport) -> str:
    n = len(report.exercises)
    label_w, bar_h, gap = 230, 11, 10
    width, height = 640, 40 + n * (2 * bar_h + gap)
    plot_w = width - label_w - 60
    parts = [
        f'<svg width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="success by exercise">',
        f'<rect x="{label_w}" y="6" width="12" height="12" fill="{_FIRST}"/>'
        f'<text x="{label_w + 18}" y="16">first try</text>'
        f'<rect x="{label_w + 100}" y="6" width="12" height="12" fill="{_EVENTUAL}"/>'
        f'<text x="{label_w + 118}" y="16">eventually</text>',
    ]
    for i, e in enumerate(report.exercises):
        y = 30 + i * (2 * bar_h + gap)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_h + 4}" text-anchor="end">'
            f"{_e(_clip(e.exercise.rsplit('::', 1)[-1], 30))}</text>"
        )
        for j, (rate, colour) in enumerate(
            ((e.first_try_rate, _FIRST), (e.eventual_rate, _EVENTUAL))
        ):
            w = max(1.0, plot_w * rate)
            yy = y + j * bar_h
            parts.append(
                f'<rect x="{label_w}" y="{yy}" width="{w:.1f}" height="{bar_h - 1}" '
                f'fill="{colour}"/><text x="{label_w + w + 4:.1f}" y="{yy + bar_h - 2}">'
                f"{_percent(rate)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _mistake_chart(e: ExerciseSummary) -> str:
    shown = e.diagnoses[:8]
    label_w, bar_h = 230, 18
    width, height = 640, 10 + len(shown) * (bar_h + 6)
    top = max(d.count for d in shown)
    plot_w = width - label_w - 50
    parts = [
        f'<svg width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="mistakes in {_e(e.exercise)}">'
    ]
    for i, d in enumerate(shown):
        y = 5 + i * (bar_h + 6)
        w = max(1.0, plot_w * d.count / top)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_h - 5}" text-anchor="end">'
            f"{_e(_clip(d.key, 34))}</text>"
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{_BAR}"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 5}">{d.count}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _html(report: ClassReport) -> str:
    rows = []
    for e in report.exercises:
        top = "<br>".join(f"<code>{_e(d.key)}</code> ×{d.count}" for d in e.diagnoses[:3]) or "–"
        rows.append(
            f"<tr><td>{_e(e.exercise)}</td><td class=n>{e.students}</td>"
            f"<td class=n>{_percent(e.first_try_rate)} ({e.first_try})</td>"
            f"<td class=n>{_percent(e.eventual_rate)} ({e.eventual})</td><td>{top}</td></tr>"
        )
    mistakes = []
    for e in report.exercises:
        if not e.diagnoses:
            continue
        examples = "".join(
            f"<tr><td><code>{_e(d.key)}</code></td><td class=n>{d.count}</td>"
            f"<td class=n>{d.students}</td><td><code>{_e(_clip(d.example, 120))}</code></td></tr>"
            for d in e.diagnoses
        )
        mistakes.append(
            f"<h3>{_e(e.exercise)}</h3>{_mistake_chart(e)}"
            "<table><tr><th>likely mistake</th><th>wrong tries</th><th>students</th>"
            f"<th>example answer</th></tr>{examples}</table>"
        )
    stuck = "".join(
        f"<tr class=stuck><td>{_e(s.student)}</td><td>{_e(s.exercise)}</td>"
        f"<td class=n>{s.wrong}</td><td>{'solved later' if s.solved else 'not yet'}</td></tr>"
        for s in report.stuck
    )
    stuck_html = (
        "<table><tr><th>student</th><th>exercise</th><th>wrong tries</th><th>solved</th></tr>"
        f"{stuck}</table>"
        if stuck
        else "<p>Nobody has three or more wrong tries on one exercise.</p>"
    )
    note = f'<p class="note">{_e(report.skipped)}</p>' if report.skipped else ""
    chart = _success_chart(report) if report.exercises else "<p>No attempts yet.</p>"
    return (
        "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
        f'<meta name="generator" content="{GENERATOR}">'
        "<meta name=viewport content='width=device-width, initial-scale=1'>"
        "<meta http-equiv=Content-Security-Policy content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>Class report</title><style>{_CSS}</style></head><body>"
        f"<h1>Class report</h1><p class=sub>{report.students} students · {report.records} "
        f"attempts · {len(report.exercises)} exercises</p>"
        f"<h2>Success by exercise</h2>{chart}"
        "<table><tr><th>exercise</th><th>students</th><th>first try</th><th>eventually</th>"
        f"<th>most frequent mistakes</th></tr>{''.join(rows)}</table>"
        f"<h2>Misconceptions per exercise</h2>{''.join(mistakes) or '<p>No wrong answers.</p>'}"
        f"<h2>Stuck students</h2>{stuck_html}{note}</body></html>\n"
    )
