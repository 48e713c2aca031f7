"""A catalogue of documented student mistakes: does ``symgrad check`` name each one?

Each row is a mistake of a family that the cited work documents (the
concrete function is ours; the family, its typical form and the error are
the source's): the function, the wrong answer a student gives, and the
mistake symgrad should name. Two keys joined by ``+`` are two mistakes made
at once. The hit rate is asserted, and each named mistake's hint must not
contain the answer.
"""

from __future__ import annotations

import re

import pytest

from symgrad.answers import check_answer
from symgrad.printing import inline

ORTON = "Orton 1983, 'Students' understanding of differentiation', Educ. Stud. Math. 14(3)"
TALL = "Tall 1993, 'Students' difficulties in calculus', ICME-7 Working Group 3"
CLARK = "Clark et al. 1997, 'Constructing a schema: the case of the chain rule?', JMB 16(4)"
WHITE = "White & Mitchelmore 1996, 'Conceptual knowledge in introductory calculus', JRME 27(1)"
GUR = "Gür & Barak 2007, 'The erroneous derivative examples of eleventh grade students', ESTP 7(1)"
MUZANGWA = (
    "Muzangwa & Chifamba 2012, 'Analysis of errors and misconceptions in the learning of "
    "calculus by undergraduate students', Acta Didactica Napocensia 5(2)"
)
SIYEPU13 = (
    "Siyepu 2013, 'An exploration of students' errors in derivatives in a university of "
    "technology', Journal of Mathematical Behavior 32(3)"
)
SIYEPU15 = (
    "Siyepu 2015, 'Analysis of errors in derivatives of trigonometric functions', "
    "International Journal of STEM Education 2"
)
HASHEMI = (
    "Hashemi et al. 2014, 'Undergraduate students' difficulties in conceptual understanding "
    "of derivation', Procedia - Social and Behavioral Sciences 143"
)
STEWART = "Stewart, 'Calculus: Early Transcendentals', 8th ed. 2015, ch. 3 and §14.3"
THOMAS = "Thomas' Calculus, 14th ed. 2018, ch. 3 and §14.3"
GOODFELLOW = "Goodfellow, Bengio & Courville 2016, 'Deep Learning', §3.10 and §6.2.2"
NIELSEN = "Nielsen 2015, 'Neural Networks and Deep Learning', ch. 3 (the cross-entropy cost)"
BISHOP = "Bishop 2006, 'Pattern Recognition and Machine Learning', §4.3.2"

BCE = "-(y*log(sigmoid(z)) + (1 - y)*log(1 - sigmoid(z)))"

# (source, function, wrong answer, expected mistake, wrt)
CATALOGUE = [
    # the chain rule: the inner derivative forgotten, at any depth
    (CLARK, "sin(x^2)", "cos(x^2)", "chain", None),
    (CLARK, "(3x + 1)^4", "4*(3x + 1)^3", "chain", None),
    (SIYEPU13, "exp(5x)", "exp(5x)", "chain", None),
    (SIYEPU13, "sqrt(x^2 + 1)", "1/(2sqrt(x^2 + 1))", "chain", None),
    (ORTON, "log(x^2 + 1)", "1/(x^2 + 1)", "chain", None),
    (SIYEPU15, "cos(3x^2)", "-sin(3x^2)", "chain", None),
    (CLARK, "log(1 + sin(x)^2)", "2sin(x)/(1 + sin(x)^2)", "chain", None),
    (SIYEPU15, "sin(x)^3", "3sin(x)^2", "chain", None),
    (SIYEPU15, "tan(x^2)", "sec(x^2)^2", "chain", None),
    (STEWART, "exp(sin(x))", "exp(sin(x))", "chain", None),
    (CLARK, "x^2*exp(3x)", "2x*exp(3x) + x^2*exp(3x)", "chain", None),
    (GOODFELLOW, "(w*x - t)^2/2", "w*x - t", "chain", "w"),
    (TALL, "sin(x^2)", "cos(2x)", "chain_inside", None),
    (CLARK, "(x^2 + 1)^3", "3(2x)^2", "chain_inside", None),
    (CLARK, "sqrt(x^2 + 1)", "1/(2sqrt(2x))", "chain_inside", None),
    (ORTON, "log(x^2 + 1)", "1/log(x^2 + 1)", "log_of_log+chain", None),
    # composition read as multiplication
    (SIYEPU15, "sin(5x)", "5cos(x)", "composition_as_product", None),
    (SIYEPU15, "cos(2x)", "-2sin(x)", "composition_as_product", None),
    # the product rule
    (ORTON, "x*sin(x)", "cos(x)", "product", None),
    (GUR, "x^2*exp(x)", "2x*exp(x)", "product", None),
    (MUZANGWA, "x^3*log(x)", "3x", "product", None),
    (SIYEPU15, "sin(x)*cos(x)", "-sin(x)*cos(x)", "product", None),
    (GUR, "x^3*sin(x)", "3x^2*sin(x)", "product_term_dropped", None),
    (MUZANGWA, "x^2*sin(x)", "x^2*cos(x)", "product_term_dropped", None),
    (GOODFELLOW, "x*relu(x)", "relu(x)", "product_term_dropped", None),
    (CLARK, "x*sin(x^2)", "cos(x^2)", "chain+product", None),
    # the quotient rule
    (ORTON, "sin(x)/x", "(sin(x) - x*cos(x))/x^2", "quotient_swapped", None),
    (MUZANGWA, "sin(x)/x", "(x*cos(x) - sin(x))/x", "quotient_no_square", None),
    (GUR, "(x^2 + 1)/(x - 1)", "(2x*(x - 1) + (x^2 + 1))/(x - 1)^2", "quotient_plus", None),
    (GUR, "(x^2 + 1)/(x - 1)", "2x", "quotient_of_derivatives", None),
    (ORTON, "x/(x + 1)^2", "1/(2*(x + 1))", "quotient_of_derivatives", None),
    (STEWART, "exp(x)/x", "(x*exp(x) + exp(x))/x^2", "quotient_plus", None),
    # the power rule
    (ORTON, "x^3", "3x^3", "power_not_lowered", None),
    (GUR, "x^5 + 2x", "5x^5 + 2", "power_not_lowered", None),
    (ORTON, "x^3", "x^2", "power_coefficient_missing", None),
    (SIYEPU13, "sqrt(x)", "1/sqrt(x)", "power_coefficient_missing", None),
    (MUZANGWA, "x^(2/3)", "(2/3)x^(2/3)", "power_not_lowered", None),
    (GUR, "1/x", "-1/x", "power_not_lowered", None),
    # negative exponents
    (GUR, "1/x^3", "1/(3x^2)", "negative_exponent", None),
    (SIYEPU13, "1/x^2", "-2/x", "negative_exponent", None),
    (MUZANGWA, "x^(-4)", "-4x^(-3)", "negative_exponent", None),
    (GUR, "5/x^2", "5/(2x)", "negative_exponent", None),
    # differentiation confused with integration
    (TALL, "x^3", "x^4/4", "antiderivative", None),
    (MUZANGWA, "1/x", "ln(x)", "antiderivative", None),
    (TALL, "x^2 + x", "x^3/3 + x^2/2", "antiderivative", None),
    (MUZANGWA, "2^x", "2^x/ln(2)", "antiderivative", None),
    # the power rule applied to an exponential
    (STEWART, "2^x", "x*2^(x - 1)", "power_rule_on_exponential", None),
    (MUZANGWA, "e^(x^2)", "x^2*e^(x^2 - 1)", "power_rule_on_exponential", None),
    (GUR, "e^x", "x*e^(x - 1)", "power_rule_on_exponential", None),
    (STEWART, "3^(2x)", "2x*3^(2x - 1)", "power_rule_on_exponential", None),
    (THOMAS, "2^x", "2^x", "exponential_no_log", None),
    (THOMAS, "10^(3x)", "3*10^(3x)", "exponential_no_log", None),
    # a variable base and a variable exponent
    (STEWART, "x^x", "x*x^(x - 1)", "power_rule_variable_exponent", None),
    (STEWART, "x^x", "x^x*ln(x)", "exponential_rule_variable_base", None),
    (THOMAS, "x^sin(x)", "sin(x)*x^(sin(x) - 1)", "power_rule_variable_exponent", None),
    # logarithms
    (ORTON, "log(x)", "1/log(x)", "log_of_log", None),
    (SIYEPU13, "log(3x)", "3/log(3x)", "log_of_log", None),
    (MUZANGWA, "log(sin(x))", "cos(x)/log(sin(x))", "log_of_log", None),
    (SIYEPU13, "log(x^2 + 1)", "2x*(x^2 + 1)", "log_inverted", None),
    # constants
    (ORTON, "x^2 + 7", "2x + 7", "constant_kept", None),
    (MUZANGWA, "5x^3 + pi", "15x^2 + pi", "constant_kept", None),
    (HASHEMI, "sin(x) + 4", "cos(x) + 4", "constant_kept", None),
    # trigonometric functions
    (SIYEPU15, "cos(x)", "sin(x)", "trig_sign", None),
    (SIYEPU15, "sin(2x)", "-2cos(2x)", "trig_sign", None),
    (SIYEPU15, "cos(x^2)", "2x*sin(x^2)", "trig_sign", None),
    (SIYEPU15, "tan(x)", "sec(x)*tan(x)", "trig_confused", None),
    (SIYEPU15, "atan(x)", "1/(1 - x^2)", "inverse_trig_sign", None),
    (SIYEPU15, "acos(x)", "1/sqrt(1 - x^2)", "inverse_trig_sign", None),
    # partial derivatives: the other variable is a constant
    (STEWART, "x^2 + y^2", "2x + 2y", "not_held_constant", "x"),
    (THOMAS, "x^2*y", "2x*y + x^2", "not_held_constant", "x"),
    (THOMAS, "x*y + y^2", "y + 2y", "not_held_constant", "x"),
    (STEWART, "x^2*y", "2x*y", "wrong_variable", "y"),
    # machine learning: activations and losses
    (GOODFELLOW, "sigmoid(x)", "sigmoid(x)^2", "sigmoid_squared", None),
    (GOODFELLOW, "sigmoid(x)", "1 - sigmoid(x)", "sigmoid_one_minus", None),
    (NIELSEN, "sigmoid(2x)", "2sigmoid(2x)^2", "sigmoid_squared", None),
    (GOODFELLOW, "tanh(x)", "1 - tanh(x)", "tanh_one_minus", None),
    (GOODFELLOW, "tanh(x)", "1 + tanh(x)^2", "hyperbolic_sign", None),
    (THOMAS, "cosh(x)", "-sinh(x)", "hyperbolic_sign", None),
    (GOODFELLOW, "softplus(x)", "1/(1 + exp(x))", "softplus_wrong", None),
    (GOODFELLOW, "softplus(x)", "exp(x)", "softplus_wrong", None),
    (NIELSEN, BCE, "(sigmoid(z) - y)*sigmoid(z)*(1 - sigmoid(z))", "extra_sigmoid_slope", "z"),
    (BISHOP, BCE, "sigmoid(z)", "target_missing", "z"),
    (GOODFELLOW, "relu(x)", "1", "kink_ignored", None),
    (GOODFELLOW, "abs(x)", "1", "kink_ignored", None),
    (GOODFELLOW, "relu(2x - 1)", "2", "kink_ignored", None),
    # the answer is not a first derivative at all, or off as a whole
    (ORTON, "x^2", "x^2", "not_differentiated", None),
    (ORTON, "x^3", "6x", "wrong_order", None),
    (WHITE, "x^3", "-3x^2", "sign", None),
    (WHITE, "x^2/2 + 3x", "2x + 6", "factor", None),
]

#: The hit rate below which the test fails (the catalogue's last measured rate, rounded down).
MIN_HITS = 0.95


def _diagnose(function: str, wrong: str, wrt: str | None):
    check = check_answer(function, wrong, wrt=wrt)
    assert not check.correct, (function, wrong)
    return check


def test_the_catalogue_is_named():
    assert len(CATALOGUE) >= 60
    hits, misses = 0, []
    for source, function, wrong, key, wrt in CATALOGUE:
        assert source
        check = _diagnose(function, wrong, wrt)
        d = check.diagnosis
        named = set(d.mistake.split("+")) if d is not None else set()
        if named == set(key.split("+")):
            hits += 1
            for text in (inline(check.expected), str(check.expected)):  # never the answer
                assert not re.search(rf"(?<!\w){re.escape(text)}(?!\w)", d.hint), (function, d.hint)
        else:
            misses.append((function, wrong, key, d.mistake if d else None))
    rate = hits / len(CATALOGUE)
    print(f"catalogue: {hits}/{len(CATALOGUE)} named")
    assert rate >= MIN_HITS, misses


@pytest.mark.parametrize(
    "family",
    [
        "power_rule_on_exponential",
        "antiderivative",
        "negative_exponent",
        "log_of_log",
        "quotient_plus",
        "quotient_of_derivatives",
        "product_term_dropped",
        "composition_as_product",
        "not_held_constant",
        "sigmoid_squared",
        "sigmoid_one_minus",
        "tanh_one_minus",
        "softplus_wrong",
        "extra_sigmoid_slope",
        "target_missing",
        "chain",
        "product",
        "quotient_swapped",
        "quotient_no_square",
        "power_not_lowered",
        "constant_kept",
        "trig_sign",
        "log_inverted",
        "wrong_variable",
        "wrong_order",
        "sign",
        "factor",
    ],
)
def test_every_family_of_the_literature_is_in_the_catalogue(family):
    assert any(family in row[3].split("+") for row in CATALOGUE)
