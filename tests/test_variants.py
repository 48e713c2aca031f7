import pytest
import sympy as sp

from symgrad.derive import grad
from symgrad.errors import InputError
from symgrad.parse import parse
from symgrad.testing import GradingTestError, draw_variant
from symgrad.variants import (
    GRADING,
    LESSONS,
    Template,
    TemplateError,
    check_student_id,
    student_from_env,
)

TEMPLATE = Template("a*x^n + b*x", {"a": (2, 9), "n": (2, 5), "b": (1, 9)})
CLASS = [f"s{i:03d}" for i in range(60)]


def test_the_same_student_always_gets_the_same_variant():
    first = TEMPLATE.draw("alice", course_seed="calc")
    assert all(TEMPLATE.draw("alice", course_seed="calc") == first for _ in range(5))
    assert Template(TEMPLATE.text, dict(TEMPLATE.params)).draw("alice", course_seed="calc") == first


def test_the_course_seed_and_the_template_key_change_the_draw():
    draws = {TEMPLATE.draw(s, course_seed="2026").source for s in CLASS}
    other = {TEMPLATE.draw(s, course_seed="2027").source for s in CLASS}
    assert draws != other
    keyed = Template(TEMPLATE.text, dict(TEMPLATE.params), key="lesson 2, exercise 1")
    assert [keyed.draw(s).source for s in CLASS] != [TEMPLATE.draw(s).source for s in CLASS]


def test_two_students_rarely_share_a_variant():
    # 8 * 4 * 9 = 288 possible draws: 60 students should see mostly distinct ones.
    variants = [TEMPLATE.draw(s).source for s in CLASS]
    assert len(set(variants)) >= 45


def test_every_draw_is_in_range_and_keeps_the_shape():
    for student in CLASS:
        v = TEMPLATE.draw(student)
        a, n, b = (int(v.values[k]) for k in "anb")
        assert 2 <= a <= 9 and 2 <= n <= 5 and 1 <= b <= 9
        x = sp.Symbol("x", real=True)
        assert parse(v.source).expr == a * x**n + b * x
        # the reference answer follows the variant: symgrad differentiates it exactly
        assert grad(v.source, wrt=["x"]).derivatives["x"] == a * n * x ** (n - 1) + b


def test_degenerate_draws_are_avoided():
    t = Template("a*x^n + b*x", {"a": (1, 3), "n": (1, 2), "b": (0, 2)})
    for student in CLASS:
        v = t.draw(student)
        assert v.values["n"] == "2" and v.values["a"] != "1" and v.values["b"] not in ("0",)


def test_the_text_parses_back_to_the_variant():
    for student in CLASS[:10]:
        v = TEMPLATE.draw(student)
        assert parse(v.text).expr == parse(v.source).expr


def test_value_lists_are_exact():
    t = Template("sin(c*x)", {"c": ["1/2", "3/2", 2]})
    values = {t.draw(s).values["c"] for s in CLASS}
    assert values == {"1/2", "3/2", "2"}


@pytest.mark.parametrize(
    "text, params, words",
    [
        ("a*x", {"a": (1, 1)}, "admit no valid draw"),
        ("a*x + b", {"a": (0, 0), "b": (1, 3)}, "admit no valid draw"),
        ("a*x", {"a": (3, 2)}, "is empty"),
        ("a*x", {"b": (1, 2)}, "does not occur"),
        ("a*x", {"a": list(range(1, 20_002))}, "more than 10,000 values"),
        ("a*x", {"a": (1, float("inf"))}, "not finite"),
        ("a*x", {"a": [None]}, "is not a number"),
        ("a*x", {}, "at least one parameter"),
    ],
)
def test_bad_templates_are_errors_of_the_template(text, params, words):
    with pytest.raises(TemplateError, match=words) as info:
        Template(text, params)
    assert info.value.exit_code == 2


@pytest.mark.parametrize("bad", ["", "../etc", "a b", "x" * 65, "-rf", "ä"])
def test_unknown_student_id_formats_say_the_expected_form(bad):
    with pytest.raises(InputError, match="letters, digits"):
        check_student_id(bad)


def test_student_from_the_environment():
    assert student_from_env({"SYMGRAD_STUDENT": "alice"}) == "alice"
    assert student_from_env({}) is None
    with pytest.raises(InputError):
        student_from_env({"SYMGRAD_STUDENT": "a/b"})


# -- one drawer, two published schemes ------------------------------------------------------
# Students already hold these draws (lessons, handed-out sheets, graded tests): the values
# below were drawn before the lessons and the grading plugin shared one drawer, and must
# never change.


def test_the_lessons_draws_students_hold_never_change():
    q1 = Template("a*x^n + b*x", {"a": (2, 9), "n": (2, 5), "b": (1, 9)}, key="hw3-q1")
    drawn = {s: q1.draw(s, course_seed="calc-2026").text for s in ("ann", "alice", "bob", "s001")}
    assert drawn == {
        "ann": "4⋅x³ + 9⋅x",
        "alice": "6⋅x² + 3⋅x",
        "bob": "8⋅x⁵ + 2⋅x",
        "s001": "5⋅x² + 4⋅x",
    }
    c = Template("sin(c*x)", {"c": ["1/2", "3/2", 2]})
    assert [c.draw(s, course_seed="calc").text for s in ("alice", "bob")] == [
        "sin(2⋅x)",
        "sin(x/2)",
    ]


def test_the_grading_draws_students_hold_never_change():
    ranges = {"a": (2, 9), "n": (2, 5), "b": (-5, 5)}
    drawn = {s: draw_variant(ranges, s, "test_poly", 0, "a*w^n + b*w") for s in ("alice", "bob")}
    assert drawn == {"alice": {"a": 2, "n": 2, "b": -4}, "bob": {"a": 2, "n": 3, "b": -4}}
    assert list(drawn["alice"]) == ["a", "n", "b"]  # in the order the test gives them
    ranges = {"a": (0.5, 3.25), "c": (1, 4)}
    decimals = draw_variant(ranges, "alice", "test_q1_power_rule", 2026, "a*x^2 + c*x")
    assert decimals == {"a": 0.63, "c": 2}  # two decimals where an end is not an integer
    assert isinstance(decimals["a"], float) and isinstance(decimals["c"], int)


def test_the_grading_plugin_draws_with_the_one_template():
    ranges = {"a": (2, 9), "n": (0, 5), "b": (-5, 5)}
    t = Template("a*w^n + b*w", ranges, key="test_poly", scheme=GRADING)
    for student in CLASS[:20]:
        mine = draw_variant(ranges, student, "test_poly", 7, "a*w^n + b*w")
        assert mine == t.values_for(student, course_seed="7")
        assert mine["n"] not in (0, 1) and 0 not in mine.values()  # the shape is kept
    lesson = Template("a*w^n + b*w", ranges, key="test_poly", scheme=LESSONS)
    assert [lesson.values_for(s) for s in CLASS[:20]] != [t.values_for(s) for s in CLASS[:20]]


def test_without_a_formula_only_zero_is_refused():
    t = Template(None, {"a": (-1, 1), "b": (-1, 1)}, key="t", scheme=GRADING)
    draws = [t.values_for(s) for s in CLASS]
    assert all(0 not in d.values() for d in draws)
    assert {d["a"] for d in draws} == {-1, 1}
    with pytest.raises(TemplateError, match="values only"):
        t.draw("alice")


@pytest.mark.parametrize(
    "params, template, words",
    [
        ({"a": (0, 0)}, None, "variant='student': the parameter ranges (a in (0, 0)) admit no"),
        ({"a": (2, 3), "k": (1, 2)}, "a*x", "parameter k does not occur in 'a*x'"),
        ({"a": (2, 3)}, "a*x +", "the variant's template 'a*x +' cannot be read"),
        ({"a": 3}, None, "the range of a must be (low, high), not 3"),
    ],
)
def test_bad_grading_variants_are_errors_of_the_test(params, template, words):
    with pytest.raises(GradingTestError) as info:
        draw_variant(params, "alice", "test_x", 0, template)
    assert words in str(info.value)


def test_the_grading_draw_checks_the_student_id():
    with pytest.raises(GradingTestError, match="unknown student ID format"):
        draw_variant({"a": (2, 3)}, "../etc", "test_x")


def test_a_template_that_admits_no_draw_is_found_out_without_trying_every_draw(monkeypatch):
    calls = []
    real = Template.is_valid

    def counted(self, values):
        calls.append(dict(values))
        return real(self, values)

    monkeypatch.setattr(Template, "is_valid", counted)
    with pytest.raises(TemplateError, match="admit no valid draw"):
        Template("a*x + b", {"a": (0, 1), "b": [0]})
    assert len(calls) == 2  # the two possible draws, each tried once
