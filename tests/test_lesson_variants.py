"""Per-student variants of the lessons' exercises, and attempt logs from lesson run."""

from __future__ import annotations

import io
import json

import pytest
import sympy as sp

from symgrad.cli import main
from symgrad.lessons import (
    Exercise,
    check_answer,
    execute,
    find_lessons,
    load_lesson,
    reveals_answer,
)
from symgrad.parse import parse, parse_value, variable
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


NUMBERS = [int(p.name[:2]) for p in find_lessons()]
CLASS = ["alice", "bob", "s1234567"]


@pytest.fixture(scope="module")
def variants(tmp_path_factory):
    """Every lesson's variant exercises, by (lesson, exercise number), executed once."""
    import os

    old = os.environ.get("SYMGRAD_FIGURES")
    os.environ["SYMGRAD_FIGURES"] = str(tmp_path_factory.mktemp("figures"))
    try:
        return {
            (n, i): ex
            for n in NUMBERS
            for i, ex in enumerate(execute(load_lesson(n)).exercises, 1)
            if ex.template
        }
    finally:
        if old is None:
            del os.environ["SYMGRAD_FIGURES"]
        else:
            os.environ["SYMGRAD_FIGURES"] = old


# A typical mistake made on the student's OWN numbers (v: the parameters, exact), for every
# derivative variant; a value variant's typical wrong answers are formulas in its parameters.
MISTAKES = {
    (1, 2): lambda v: f"2*w^2 + {v['b']}",  # the power not lowered
    (2, 1): lambda v: f"{v['n']}*x^{v['n']}",  # the power not lowered
    (2, 2): lambda v: f"{3 * v['a']}*x^2 - {v['b']} + {v['c']}",  # the constant kept
    (2, 4): lambda v: f"{4 * 81 - 2 * v['b'] * 9}",  # the powers not lowered, at x = 3
    (3, 1): lambda v: f"{v['a']}*exp(x) - sin(x)",  # the sign of (cos x)'
    (3, 2): lambda v: f"{v['a']}*x + 3*x^2",  # (log x)' taken as x
    (3, 5): lambda v: f"-({-v['a'] + v['b'] / sp.pi})",  # the sign
    (4, 3): lambda v: f"(x^2 - {v['a']})/(x^2 + {v['a']})^2",  # the numerator reversed
    (4, 4): lambda v: f"{-v['a']} * 2",  # a factor 2
    (5, 1): lambda v: f"5*({v['a']}*x + {v['b']})^4",  # the chain rule's inner slope missing
    (5, 2): lambda v: f"exp(-x^2/{v['a']})",  # the chain rule's inner slope missing
    (6, 5): lambda v: f"{-2 * (v['x'] - v['t'])}",  # the residual's sign
    (9, 2): lambda v: f"{-(1 + v['a'])}",  # the sign
    (10, 2): lambda v: f"{2 * (2 * v['y'] + v['y'] ** 2)}",  # a factor 2
    (10, 4): lambda v: f"{-2 * v['x']}",  # the sign
    (11, 2): None,  # sign flip, below
    (12, 4): None,
}


def _values(ex: Exercise) -> dict[str, sp.Expr]:
    return {k: parse_value(v, name=k) for k, v in ex.values}


def test_every_lesson_has_exercises_that_vary(variants):
    assert sorted({n for n, _ in variants}) == NUMBERS
    assert len(variants) >= 24  # more than one wherever it is natural


def test_every_variant_works_for_a_class(variants):
    for (number, i), ex in variants.items():
        where = f"lesson {number}, exercise {i}"
        questions = {ex.question}
        for student in CLASS:
            mine = ex.for_student(student, course_seed="calc-2026")
            questions.add(mine.question)
            assert check_answer(mine, mine.solution).correct, where
            assert "{" not in mine.question + "".join(mine.hints), where  # every {a} filled
            for hint in mine.hints:
                assert not reveals_answer(mine, hint), (where, student, hint)
            assert all(v not in ("0", "1", "-1") for _, v in mine.values) or ex.kind != "value"
            if ex.kind == "derivative":  # an independent route: sympy differentiates
                exact = sp.diff(parse(mine.expr).expr, variable(mine.wrt))
                point = [p.split("=") for p in (mine.at or "").split(",") if p]
                exact = exact.xreplace({variable(k): parse_value(x, name=k) for k, x in point})
                assert sp.simplify(parse(mine.solution).expr - exact) == 0, where
                build = MISTAKES[(number, i)] or (lambda v, s=mine.solution: f"-({s})")
                wrong = [build(_values(mine))]
            else:
                wrong = [text for text, _ in mine.wrong]
                assert wrong, where  # the typical wrong answers follow the student's numbers
            for text in wrong:
                verdict = check_answer(mine, text)
                assert not verdict.correct and verdict.key is not None, (where, student, text)
        assert len(questions) >= 2, f"{where}: --student changes nothing"


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


def _sgd(w: int, steps: int) -> float:
    from symgrad.trajectory import optimize

    return optimize("w*w+2", at={"w": w}, optimizer="sgd", lr=0.1, iterations=steps).path("w")[-1]


def _second(v: dict) -> sp.Expr:
    import symgrad

    f = f"x^3 - {v['b']}*x"
    return symgrad.nth_derivative(f, order=2, at={"x": v["p"]}).entries[0].exact


def _softmax(v: dict) -> sp.Expr:
    z1, z2 = sp.symbols("z1 z2")
    loss = -sp.log(sp.exp(z1) / (sp.exp(z1) + sp.exp(z2)))
    return sp.diff(loss, z1).subs({z1: sp.log(v["k"]), z2: 0})


# Value variants whose answer another part of symgrad (or sympy) computes independently.
INDEPENDENT = {
    (1, 4): lambda v: _sgd(int(v["w"]), 2),
    (7, 1): lambda v: ((v["a"] + sp.Rational(1, 10)) ** 2 - v["a"] ** 2) / sp.Rational(1, 10),
    (8, 1): lambda v: _sgd(int(v["w"]), 1),
    (13, 3): _softmax,
    (15, 1): _second,
    (16, 1): lambda v: (2 + 1) * v["h"] + (v["h"] + 1),  # (inputs + 1)·units per dense layer
}


@pytest.mark.parametrize("key", sorted(INDEPENDENT))
def test_a_value_variant_agrees_with_an_independent_route(variants, key):
    ex = variants[key]
    for student in CLASS:
        mine = ex.for_student(student)
        exact = parse(mine.expected).expr
        other = sp.sympify(INDEPENDENT[key](_values(mine)))
        assert abs(float(exact - other)) < 1e-12 and check_answer(mine, str(other)).correct


def test_a_value_variant_never_draws_a_step_that_does_nothing():
    ex = Exercise.value_variant(
        "From w = {w}?", "w - w/5", vary={"w": (-1, 2)}, defaults={"w": 4}, hints=["Step."]
    )
    assert {dict(ex.for_student(s).values)["w"] for s in STUDENTS} == {"2"}
    with pytest.raises(TemplateError, match="admit no valid draw"):
        Exercise.value_variant("{w}?", "w", vary={"w": (-1, 1)}, defaults={"w": 4})


def test_a_students_answer_is_written_the_way_the_lesson_writes_its_own():
    ex = Exercise.value_variant(
        "{w}?", "w/4", vary={"w": (2, 9)}, defaults={"w": 6}, solution="1.5"
    )
    fraction = Exercise.value_variant("{w}?", "w/4", vary={"w": (2, 9)}, defaults={"w": 6})
    for student in CLASS:
        mine, other = ex.for_student(student), fraction.for_student(student)
        w = int(dict(mine.values)["w"])
        assert sp.Rational(mine.solution) == sp.Rational(w, 4) == parse(other.solution).expr
        assert ("." in mine.solution) == (w % 4 != 0) and "." not in other.solution
