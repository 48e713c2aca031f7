"""Every lesson runs end to end, and every exercise's reference solution is right."""

from __future__ import annotations

import io
import json

import pytest
import sympy as sp

from symgrad.cli import main
from symgrad.lessons import (
    NOTATION,
    Exercise,
    check_answer,
    execute,
    find_lessons,
    lesson_text,
    lint_exercise,
    load_lesson,
    parse_lesson,
    reveals_answer,
)

LESSONS = find_lessons()
NUMBERS = [int(p.name[:2]) for p in LESSONS]


@pytest.fixture(autouse=True)
def _figures(tmp_path, monkeypatch):
    """Lesson pictures go to a temporary folder, never into the repository."""
    monkeypatch.setenv("SYMGRAD_FIGURES", str(tmp_path))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Each lesson executed once per test session (they are the slow part)."""
    import os

    old = os.environ.get("SYMGRAD_FIGURES")
    os.environ["SYMGRAD_FIGURES"] = str(tmp_path_factory.mktemp("figures"))
    try:
        return {n: execute(load_lesson(n)) for n in NUMBERS}
    finally:
        if old is None:
            del os.environ["SYMGRAD_FIGURES"]
        else:
            os.environ["SYMGRAD_FIGURES"] = old


def test_the_course_is_numbered_without_gaps():
    assert NUMBERS == list(range(1, len(NUMBERS) + 1))
    assert len(NUMBERS) >= 1


@pytest.mark.parametrize("number", NUMBERS)
def test_lesson_runs_and_has_goal_and_exercises(number, runs):
    run = runs[number]
    assert run.lesson.title.startswith(f"Lesson {number}: ")
    assert "**Goal:**" in run.lesson.cells[0].source
    assert len(run.exercises) >= 3
    assert all(isinstance(ex, Exercise) for ex in run.exercises)
    assert any(output.strip() for output in run.outputs), "a lesson shows real output"


@pytest.mark.parametrize("number", NUMBERS)
def test_every_reference_solution_is_right_and_a_wrong_one_is_not(number, runs):
    for ex in runs[number].exercises:
        verdict = check_answer(ex, ex.solution)
        assert verdict.correct, (ex.question, ex.solution, verdict)
        wrong = check_answer(ex, f"({ex.solution}) + 1")
        assert not wrong.correct, ex.question


@pytest.mark.parametrize("number", NUMBERS)
def test_every_exercise_teaches(number, runs):
    """Graduated hints that never give the answer, and typical wrong answers diagnosed."""
    for i, ex in enumerate(runs[number].exercises, 1):
        assert lint_exercise(ex) == [], f"lesson {number}, exercise {i}"
        assert 2 <= len(ex.hints) <= 3, f"lesson {number}, exercise {i}"
        for text, why in ex.wrong:  # the diagnosis is shown to the student, word for word
            verdict = check_answer(ex, text)
            assert not verdict.correct and f"likely mistake: {why}" in verdict.details


def test_each_lesson_has_a_multi_step_exercise_and_rising_difficulty(runs):
    for number, run in runs.items():
        assert len(run.exercises) >= 4, number
        hints = [len(" ".join(ex.hints)) for ex in run.exercises]
        assert max(hints) > min(hints), number


@pytest.mark.parametrize(
    ("hint", "gives_away"),
    [
        ("y' = 3x²/(2·sqrt(1 + x³)); at x = 2 that is 12/(2·3).", True),  # the old lesson hint
        ("y' = 3x²/(2·sqrt(1 + x³)); put x = 2 in it.", False),
        ("the slope is 2", True),
        ("At x = 2 the inner value is 9.", False),  # 2 repeats the question
        ("compare with 4/2", True),
    ],
)
def test_a_hint_that_gives_the_answer_away_is_found(hint, gives_away):
    ex = Exercise.derivative(
        "What is the slope of y = sqrt(1 + x³) at x = 2?",
        "sqrt(1 + x^3)",
        wrt="x",
        at="x=2",
        solution="2",
    )
    assert reveals_answer(ex, hint) is gives_away


def test_a_formula_hint_that_gives_the_answer_away_is_found():
    ex = Exercise.derivative("d/dx x/(x²+1)?", "x/(x^2 + 1)", wrt="x", solution="(1-x^2)/(x^2+1)^2")
    assert reveals_answer(ex, "Quotient rule: (1·(x² + 1) − x·2x)/(x² + 1)².")
    assert not reveals_answer(ex, "Quotient rule with u = x, v = x² + 1.")


def test_lint_finds_what_is_wrong_with_an_exercise():
    ex = Exercise.value("1 + 1?", 2, solution="3", hints=["it is 2"], wrong={"2": "no"})
    problems = lint_exercise(ex)
    assert "the reference solution '3' is not accepted" in problems
    assert "the hint 'it is 2' gives the answer away" in problems
    assert "fewer than two typical wrong answers" in problems
    assert "the typical wrong answer '2' is accepted or unreadable" in problems


@pytest.mark.parametrize(
    ("answer", "mistake"),
    [
        ("-20", "the sign is wrong"),
        ("40", "your answer is twice the right one: a factor 2 is extra (or a 1/2 missing)"),
        ("10", "your answer is half the right one: a factor 2 is missing"),
        ("2", "your answer is a tenth of the right one: check the decimal point"),
        (
            "-40",
            "the sign is wrong, and its size is twice the right one: a factor 2 is extra "
            "(or a 1/2 missing)",
        ),
        ("1/20", "your answer is upside down: the reciprocal of the right one"),
        (
            "19.99",
            "your answer is close to the right one but not equal: give the exact value "
            "(a fraction, sqrt(...), exp(...), pi), or more digits, not a rounded decimal",
        ),
        ("17", None),
    ],
)
def test_numbers_get_a_sign_or_factor_diagnosis(answer, mistake):
    ex = Exercise.value("What is 4·5?", 20)
    verdict = check_answer(ex, answer)
    assert not verdict.correct and verdict.mistake == mistake


def test_a_declared_wrong_answer_is_recognised_in_any_form():
    ex = Exercise.derivative(
        "d/dx (3x+1)^5",
        "(3*x + 1)^5",
        wrt="x",
        solution="15*(3*x+1)^4",
        wrong={"5*(3*x + 1)^4": "the inner slope 3 is missing"},
    )
    verdict = check_answer(ex, "5(1 + 3x)^4")
    assert verdict.mistake == "the inner slope 3 is missing"
    assert verdict.details[0].startswith("at x = ")  # the counterexample stays


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("2xz", "xz is read as one variable named xz; to multiply, write x*z"),
        ("2*x*z)", "symgrad cannot read that answer"),
        ("2x^", "symgrad cannot read that answer"),
    ],
)
def test_an_unreadable_answer_explains_the_notation(answer, message):
    ex = Exercise.derivative("∂/∂z of x·z²", "x*z^2", wrt="z", solution="2*x*z")
    verdict = check_answer(ex, answer)
    assert not verdict.correct and not verdict.readable
    assert message in verdict.message
    if "cannot read" in message:
        assert verdict.details == (NOTATION,)


def test_the_old_hint_2xz_is_gone(runs):
    hints = [h for run in runs.values() for ex in run.exercises for h in ex.hints]
    assert not any("2xz" in h for h in hints)
    assert "∂y/∂z = 2*x*z." in hints


@pytest.mark.parametrize("width", [40, 60, 80])
def test_lesson_code_wraps_and_is_never_cropped(width, runs):
    """Every character of every code line is shown, at every width, in lines that fit."""
    from rich.console import Console

    from symgrad.lessons import render_cell

    run = runs[11]  # the longest code lines of the course
    for cell, output in zip(run.lesson.cells, run.outputs):
        if cell.kind != "code" or "exercises" in cell.tags:
            continue
        buf = io.StringIO()
        console = Console(file=buf, width=width, color_system=None, force_terminal=False)
        console.print(render_cell(cell, output))
        lines = buf.getvalue().splitlines()
        assert all(len(line) <= width for line in lines)
        shown = "".join(line.strip() for line in lines).replace(" ", "")
        for line in cell.source.splitlines():
            assert line.replace(" ", "") in shown, (width, line)


@pytest.mark.parametrize("number", NUMBERS)
def test_reference_solutions_agree_numerically(number, runs):
    """An independent route: the solution and the expected answer agree as floats."""
    for ex in runs[number].exercises:
        from symgrad.parse import parse

        given = parse(ex.solution).expr
        expected = ex.expected_expr()
        symbols = sorted(given.free_symbols | expected.free_symbols, key=lambda s: s.name)
        for probe in (0.3, 1.7):
            values = {s: probe + i / 7 for i, s in enumerate(symbols)}
            a = complex(given.evalf(subs=values))
            b = complex(expected.evalf(subs=values))
            assert abs(a - b) <= 1e-9 * max(1.0, abs(b)) + ex.tolerance, ex.question


def test_lesson_one_shows_the_seed(runs):
    text = "".join(runs[1].outputs)
    assert "compute_gradients: [(20.0, 10.0)]" in text
    assert "gradients:         [20.0]" in text


def test_lesson_one_writes_its_picture(tmp_path):
    execute(load_lesson(1))
    assert (tmp_path / "01_tangent.png").stat().st_size > 1000


@pytest.mark.parametrize(
    ("answer", "correct"),
    [("2*w", True), ("2w", True), ("w + w", True), ("w^2", False), ("2*v", False)],
)
def test_derivative_answers_are_compared_exactly(answer, correct):
    ex = Exercise.derivative("d/dw of w^2 + 2", "w^2 + 2", wrt="w", solution="2*w")
    assert check_answer(ex, answer).correct is correct


def test_an_unreadable_answer_is_a_verdict_not_an_exception():
    ex = Exercise.derivative("d/dw of w^2", "w^2", wrt="w", solution="2*w")
    verdict = check_answer(ex, "2*w)")
    assert not verdict.correct
    assert "cannot read" in verdict.message


def test_a_wrong_derivative_gets_the_likely_mistake():
    ex = Exercise.derivative("d/dx of sin(x^2)", "sin(x^2)", wrt="x", solution="2*x*cos(x^2)")
    verdict = check_answer(ex, "cos(x^2)")
    assert not verdict.correct
    assert any("chain rule" in line for line in verdict.details)
    assert "outer function" in verdict.hint


def test_a_wrong_slope_at_a_point_gets_the_likely_mistake():
    ex = Exercise.derivative("slope of x^3 + 5 at 2", "x^3 + 5", wrt="x", at="x=2", solution="12")
    verdict = check_answer(ex, "24")  # 3·x³ at 2: the power was not lowered
    assert not verdict.correct
    assert verdict.details and "power rule" in verdict.details[0]


def test_an_answer_with_a_foreign_variable_is_a_verdict():
    ex = Exercise.derivative("d/dx of x^2", "x^2", wrt="x", solution="2*x")
    verdict = check_answer(ex, "2*q")
    assert not verdict.correct and "q" in verdict.message


def test_hostile_answers_never_reach_eval():
    ex = Exercise.value("What is 1 + 1?", 2)
    assert not check_answer(ex, "__import__('os').system('echo hi')").correct


def test_parse_lesson_cells_and_tags(tmp_path):
    text = (
        "# %% [markdown]\n# # Lesson 9: Test\n#\n# **Goal:** x\n\n"
        "# %%\nprint(1)\n\n# %% tags=['exercises']\nEXERCISES = []\n"
    )
    lesson = parse_lesson(text, tmp_path / "09_test.py", 9)
    assert lesson.title == "Lesson 9: Test"
    assert [c.kind for c in lesson.cells] == ["markdown", "code", "code"]
    assert lesson.cells[0].source == "# Lesson 9: Test\n\n**Goal:** x"
    assert lesson.cells[2].tags == ("exercises",)


def test_plain_rendering_has_prose_code_output_and_questions(runs):
    text = lesson_text(runs[1])
    assert "Lesson 1: The derivative as a slope" in text
    assert "shell('symgrad \"w*w+2\" --at w=10')" in text
    assert "    compute_gradients: [(20.0, 10.0)]" in text
    assert "Exercise 1. " in text
    assert all(line == line.rstrip() for line in text.splitlines())


# -- the command line -------------------------------------------------------------


def test_cli_list(capsys):
    assert main(["lesson", "list", "--format", "plain"]) == 0
    out = capsys.readouterr().out
    assert " 1  Lesson 1: The derivative as a slope  (01_slope.py)" in out
    assert len(out.splitlines()) == len(NUMBERS)


def test_cli_list_json(capsys):
    assert main(["lesson", "list", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["number"] for d in data] == NUMBERS


def test_cli_show(capsys):
    assert main(["lesson", "show", "1", "--format", "plain"]) == 0
    out = capsys.readouterr().out
    assert "compute_gradients: [(20.0, 10.0)]" in out
    assert "Exercise 3. " in out


def test_cli_run_no_input(capsys):
    assert main(["lesson", "run", "01", "--no-input", "--format", "plain"]) == 0
    out = capsys.readouterr().out
    n = len(execute(load_lesson(1)).exercises)
    assert out.count("  ✓ correct") == n
    assert f"Score: {n} of {n} right at the first try, {n} of {n} in the end." in out


def test_cli_run_json(capsys):
    assert main(["lesson", "run", "1", "--no-input", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["title"] == "Lesson 1: The derivative as a slope"
    assert all(ex["correct"] and ex["first_try"] for ex in data["exercises"])


def test_cli_run_interactive_retry_hint_reveal(capsys, monkeypatch):
    run = execute(load_lesson(1))
    count = len(run.exercises)
    # q: skip the walk-through; exercise 1: unreadable (no try used), wrong, hint, right;
    # exercise 2: reveal; exercise 3: three wrong answers reveal it; exercise 4: one wrong
    # answer, then end of input.
    answers = ["q", "6)", "11", "?", "?", "6", "!", "122", "0", "2", "3"]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(answers) + "\n"))
    assert main(["lesson", "run", "1", "--format", "plain"]) == 0
    out = capsys.readouterr().out
    assert "cannot read that answer" in out and "(this did not count as a try)" in out
    assert "likely mistake: that is y(3) = 3² + 2, the value of the function" in out
    assert "(2 tries left; ? shows hint 1 of 3)" in out
    assert "hint 1 of 3: The slope at a point is the derivative evaluated at that point." in out
    assert "hint 2 of 3: " in out
    assert out.count("✓ correct") == 1
    assert "the answer: 2*w + 5" in out
    assert "likely mistake: that is t(11), the tangent's value" in out
    assert out.count("✗ incorrect") == 5  # 11; 122, 0, 2; then 3 for exercise 4
    assert f"Score: 0 of {count} right at the first try, 1 of {count} in the end." in out


def test_cli_run_one_exercise(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("8\n32/5\n"))
    assert main(["lesson", "run", "1", "--exercise", "4", "--format", "plain"]) == 0
    out = capsys.readouterr().out
    assert "Exercise 4. From w = 10" in out and "Exercise 3." not in out
    assert "The derivative as a slope" not in out  # no walk-through
    assert "likely mistake: that is w after the first step only" in out
    assert "Score: 0 of 1 right at the first try, 1 of 1 in the end." in out


def test_cli_run_one_exercise_json(capsys):
    assert main(["lesson", "run", "1", "--no-input", "--exercise", "3", "--format", "json"]) == 0
    (exercise,) = json.loads(capsys.readouterr().out)["exercises"]
    assert exercise["number"] == 3 and exercise["correct"] and exercise["hints"] == 3


def test_hints_run_out(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("?\n?\n?\n?\n!\n"))
    assert main(["lesson", "run", "1", "--exercise", "1", "--format", "plain"]) == 0
    out = capsys.readouterr().out
    assert [f"hint {k} of 3" in out for k in (1, 2, 3)] == [True, True, True]
    assert "no more hints; ! reveals the answer" in out
    assert "the answer: 6" in out
    assert "Score: 0 of 1 right at the first try, 0 of 1 in the end." in out


@pytest.mark.parametrize("answer", ["[/x]", "[bold]6", "[link=x]"])
def test_an_answer_that_looks_like_markup_is_text(answer, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{answer}\n6\n"))
    assert main(["lesson", "run", "1", "--exercise", "1", "--format", "plain"]) == 0
    out = capsys.readouterr().out
    assert f"answer> {answer}" in out or f"\n{answer}\n" in out
    assert "✓ correct" in out


def test_feedback_wraps_under_itself_on_a_narrow_terminal(capsys, monkeypatch):
    import re

    from rich.cells import cell_len

    monkeypatch.setenv("COLUMNS", "50")
    monkeypatch.setattr("sys.stdin", io.StringIO("2xz\n9\n?\n6\n"))
    assert main(["lesson", "run", "6", "--exercise", "2", "--format", "rich"]) == 0
    out = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)
    lines = out.splitlines()
    assert all(cell_len(line) <= 50 for line in lines)
    start = lines.index(next(line for line in lines if "likely mistake:" in line))
    assert lines[start + 1].startswith("  the question asks")  # the wrapped part stays indented
    assert "✓ correct" in out


def test_cli_run_unknown_exercise(capsys):
    assert main(["lesson", "run", "1", "--exercise", "9", "--no-input"]) == 2
    assert "lesson 1 has no exercise 9 (its exercises are 1 to 4)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["lesson", "show", "99"], "no lesson 99"),
        (["lesson", "show", "one"], "no lesson 'one'"),
        (["lesson", "run"], "which lesson?"),
        (["lesson", "list", "3"], "takes no number"),
    ],
)
def test_cli_errors(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_lessons_folder_can_be_chosen(tmp_path, monkeypatch, capsys):
    (tmp_path / "01_only.py").write_text("# %% [markdown]\n# # Lesson 1: Only\n", encoding="utf-8")
    (tmp_path / "notes.py").write_text("", encoding="utf-8")
    monkeypatch.setenv("SYMGRAD_LESSONS", str(tmp_path))
    assert main(["lesson", "list", "--format", "plain"]) == 0
    assert capsys.readouterr().out == " 1  Lesson 1: Only  (01_only.py)\n"


def test_value_exercise_with_tolerance():
    ex = Exercise.value("Roughly pi?", sp.pi, solution="3.1416", tolerance=1e-4)
    assert check_answer(ex, "3.1416").correct
    assert not check_answer(ex, "3.14").correct


def test_a_wheel_ships_every_lesson():
    """pyproject.toml installs the lessons as data files (share/symgrad/lessons)."""
    import fnmatch
    from pathlib import Path

    tomllib = pytest.importorskip("tomllib")
    root = Path(__file__).resolve().parent.parent
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    (pattern,) = config["tool"]["setuptools"]["data-files"]["share/symgrad/lessons"]
    shipped = {p.name for p in root.glob(pattern)}
    assert shipped == {p.name for p in LESSONS}
    assert not fnmatch.fnmatch("lessons/__init__.py", pattern)


def test_installed_lessons_are_found_in_the_data_prefix(tmp_path, monkeypatch):
    import sysconfig

    from symgrad import lessons

    installed = tmp_path / "share" / "symgrad" / "lessons"
    installed.mkdir(parents=True)
    monkeypatch.delenv("SYMGRAD_LESSONS", raising=False)
    monkeypatch.setattr(lessons, "__file__", str(tmp_path / "site" / "symgrad" / "lessons.py"))
    monkeypatch.setattr(sysconfig, "get_path", lambda name, *a, **k: str(tmp_path))
    assert lessons.lessons_dir() == installed


def test_a_lesson_runs_as_a_plain_script(tmp_path):
    """The percent format is plain Python: ``python lessons/01_slope.py`` runs every example."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "SYMGRAD_FIGURES": str(tmp_path), "NO_COLOR": "1"}
    run = subprocess.run(
        [sys.executable, str(LESSONS[0])],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert "compute_gradients: [(20.0, 10.0)]" in run.stdout
