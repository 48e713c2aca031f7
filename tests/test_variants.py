import pytest
import sympy as sp

from symgrad.derive import grad
from symgrad.errors import InputError
from symgrad.parse import parse
from symgrad.variants import Template, TemplateError, check_student_id, student_from_env

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
        ("a*x", {"a": (1, 10**9)}, "more than"),
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
