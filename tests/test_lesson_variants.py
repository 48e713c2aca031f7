"""Per-student variants of the lessons' exercises, and attempt logs from lesson run."""

from __future__ import annotations

import io
import json

import pytest
import sympy as sp

from symgrad.cli import main
from symgrad.lessons import Exercise, check_answer, execute, load_lesson
from symgrad.variants import TemplateError

POWER = Exercise.variant(
    "Differentiate y = {f}.",
    "a*x^3 - b*x + c",
    vary={"a": (2, 9), "b": (2, 9), "c": (1, 9)},
    defaults={"a": 4, "b": 2, "c": 9},
    wrt="x",
    hints=["({a}x³)' = {a}·3x²."],
    wrong={"12*x^2": "the slope of −2x is missing"},
)
STUDENTS = [f"s{i:02d}" for i in range(30)]


def test_the_default_is_the_lesson_as_written():
    assert POWER.question == "Differentiate y = 4⋅x³ - 2⋅x + 9."
    assert POWER.solution == "12⋅x² - 2" and POWER.hints == ("(4x³)' = 4·3x².",)
    assert check_answer(POWER, "12x^2 - 2").correct
    assert check_answer(POWER, "12x^2").mistake == "the slope of −2x is missing"


def test_each_student_gets_their_own_numbers_and_the_answer_follows():
    x = sp.Symbol("x", real=True)
    seen = set()
    for student in STUDENTS:
        mine = POWER.for_student(student, course_seed="calc")
        assert mine == POWER.for_student(student, course_seed="calc")  # the same ID, the same
        a, b, c = (int(v) for _, v in mine.values)
        assert mine.question == f"Differentiate y = {a}⋅x³ - {b}⋅x + {c}."
        assert sp.parse_expr(
            mine.solution.replace("⋅", "*").replace("²", "**2"), {"x": x}
        ) == sp.diff(a * x**3 - b * x + c, x)
        assert mine.hints == (f"({a}x³)' = {a}·3x².",)
        assert check_answer(mine, mine.solution).correct
        assert mine.wrong == ()  # the default's typical answers do not fit other numbers
        seen.add(mine.values)
    assert len(seen) >= 20


def test_a_students_typical_mistake_is_diagnosed_on_their_numbers():
    mine = POWER.for_student("alice", course_seed="calc")
    a, b, c = (int(v) for _, v in mine.values)
    kept = check_answer(mine, f"{3 * a}x^2 - {b} + {c}")
    assert not kept.correct and kept.key == "constant_kept" and kept.readable


def test_a_template_with_no_valid_draw_is_an_error_of_the_lesson():
    with pytest.raises(TemplateError, match="admit no valid draw"):
        Exercise.variant("{f}", "a*x", vary={"a": (1, 1)}, defaults={"a": 1}, wrt="x")


def test_every_lesson_exercise_with_a_variant_works_for_a_class():
    for number in (2,):
        for ex in execute(load_lesson(number)).exercises:
            if not ex.template:
                continue
            for student in STUDENTS[:5]:
                mine = ex.for_student(student)
                assert check_answer(mine, mine.solution).correct


def _run(monkeypatch, capsys, answers, *argv):
    monkeypatch.setattr("sys.stdin", io.StringIO(answers))
    code = main(["lesson", "run", "2", "--exercise", "2", "--format", "plain", *argv])
    return code, capsys.readouterr()


def test_lesson_run_logs_every_answer(tmp_path, monkeypatch, capsys):
    log = tmp_path / "attempts.jsonl"
    mine = POWER.for_student("alice")
    a, b, c = (int(v) for _, v in mine.values)
    answers = f"{3 * a}x^2 - {b} + {c}\n{3 * a}x^2 -\n{3 * a}x^2 - {b}\n"
    code, out = _run(monkeypatch, capsys, answers, "--student", "alice", "--log", str(log))
    assert code == 0, out.err
    assert f"Differentiate y = {a}⋅x³ - {b}⋅x + {c}." in out.out
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(r["verdict"], r["first_try"], r["attempt"]) for r in lines] == [
        ("incorrect", True, 1),
        ("invalid", False, 2),  # an unreadable answer: logged, not counted as a try
        ("correct", False, 2),
    ]
    assert lines[0]["diagnosis"] == "constant_kept"
    assert all(r["student"] == "alice" and r["exercise"] == "lesson 2, exercise 2" for r in lines)
    assert lines[0]["variant"] == {"a": str(a), "b": str(b), "c": str(c)}


def test_the_student_comes_from_the_environment(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("SYMGRAD_STUDENT", "bob")
    mine = POWER.for_student("bob")
    code, out = _run(monkeypatch, capsys, mine.solution.replace("⋅", "*") + "\n")
    assert code == 0 and mine.question in out.out and "✓ correct" in out.out


@pytest.mark.parametrize(
    "argv, words",
    [
        (["lesson", "run", "2", "--student", "../x"], "unknown student ID format"),
        (["lesson", "show", "2", "--student", "alice"], "--student and --log go with lesson run"),
    ],
)
def test_bad_student_options_are_one_line(capsys, argv, words):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1
