"""``symgrad lesson list|show N|run N``: the classroom lessons in the terminal."""

from __future__ import annotations

import argparse
import os

from symgrad.errors import InputError
from symgrad.guard import DEFAULT_TIMEOUT, run_guarded
from symgrad.output import Output

HELP = "list, show or run the classroom lessons (exercises checked exactly)"
EPILOG = """examples:
  symgrad lesson list
  symgrad lesson show 1              render lesson 1 with the real output of its examples
  symgrad lesson run 1               walk through lesson 1 and answer its exercises
  symgrad lesson run 1 --no-input    run it end to end, answering with the reference solutions

while answering: ? shows a hint, ! reveals the answer, an empty line skips"""

TRIES = 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("list", "show", "run"), help="what to do")
    parser.add_argument("number", nargs="?", help="the lesson number, e.g. 1 or 01")
    parser.add_argument(
        "--no-input",
        action="store_true",
        help="never ask: answer every exercise with its reference solution (for CI and teachers)",
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
    if args.action == "list":
        if args.number is not None:
            raise InputError("lesson list takes no number", hint="symgrad lesson show 1")
        return _list(out)
    if args.number is None:
        raise InputError(
            f"which lesson? give its number: symgrad lesson {args.action} 1",
            hint="symgrad lesson list shows them",
        )
    lesson = lessons.load_lesson(args.number)
    if out.format in ("json", "latex"):
        if out.format == "latex":
            raise InputError("lessons have no LaTeX form", hint="use --format rich, plain or json")
        result = lessons.execute(lesson)
        answers = _answer_all(result.exercises, args) if args.action == "run" else None
        out.emit(lessons.run_to_dict(result, answers))
        return 0
    console = out.console
    plain = out.format == "plain"
    if args.action == "show":
        result = lessons.execute(lesson)
        for cell, output in zip(lesson.cells, result.outputs):
            console.print(lessons.render_cell(cell, output, result.exercises, plain))
        return 0
    return _walk(lesson, args, console, plain)


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
    for ex in exercises:
        verdict = run_guarded(
            check_answer, ex, ex.solution, timeout=args.timeout or DEFAULT_TIMEOUT, in_process=True
        )
        answers.append({"answer": ex.solution, "correct": verdict.correct})
    return answers


def _walk(lesson, args: argparse.Namespace, console, plain: bool) -> int:
    """Show the lesson cell by cell (pausing at each section), then ask the exercises."""
    from symgrad import lessons

    interactive = not args.no_input
    outputs: dict[int, str] = {}
    result = lessons.execute(lesson, on_cell=lambda i, text: outputs.__setitem__(i, text))
    for i, cell in enumerate(lesson.cells):
        if "exercises" in cell.tags:
            continue
        if interactive and i and cell.kind == "markdown" and cell.source.startswith("## "):
            if (
                _ask(console, "[dim](Enter: next section, q: straight to the exercises)[/dim] ")
                == "q"
            ):
                break
        console.print(lessons.render_cell(cell, outputs.get(i, ""), plain=plain))
    right = 0
    for n, ex in enumerate(result.exercises, 1):
        console.print(lessons.render_question(n, ex))
        right += _exercise(ex, args, console, interactive)
    console.print(f"{right} of {len(result.exercises)} exercises answered correctly.")
    return 0


def _ask(console, prompt: str) -> str | None:
    import sys

    try:
        answer = console.input(prompt).strip()
    except EOFError:
        console.print()
        return None
    if not sys.stdin.isatty():  # answers from a file or a pipe: echo them, so the log reads well
        console.print(answer, highlight=False)
    return answer


def _exercise(ex, args, console, interactive: bool) -> bool:
    from symgrad.lessons import check_answer

    timeout = args.timeout or DEFAULT_TIMEOUT
    shown: set[str] = set()
    tries = 0
    while True:
        if interactive:
            answer = _ask(console, "[bold]answer>[/bold] ")
            if answer is None:  # end of input: reveal and go on
                console.print(f"  the answer: {ex.solution}")
                return False
        else:
            answer = ex.solution
            console.print(f"answer> {answer}", highlight=False)
        if answer == "":
            console.print(f"  skipped; the answer: {ex.solution}", highlight=False)
            return False
        if answer == "?":
            fresh = [h for h in ex.hints if h not in shown]
            hint = fresh[0] if fresh else "no more hints; ! reveals the answer"
            shown.add(hint)
            console.print(f"  hint: {hint}", style="yellow", highlight=False)
            continue
        if answer == "!":
            console.print(f"  the answer: {ex.solution}", highlight=False)
            return False
        verdict = run_guarded(check_answer, ex, answer, timeout=timeout, in_process=args.debug)
        tries += 1
        if verdict.correct:
            console.print(f"  ✓ {verdict.message}", style="green", highlight=False)
            return True
        console.print(f"  ✗ {verdict.message}", style="red", highlight=False)
        for line in verdict.details:
            console.print(f"  {line}", style="yellow", highlight=False)
        if verdict.hint and verdict.hint not in shown:
            shown.add(verdict.hint)
            console.print(f"  hint: {verdict.hint}", style="yellow", highlight=False)
        if tries >= TRIES:
            console.print(f"  the answer: {ex.solution}", highlight=False)
            return False
