import pytest
import sympy as sp

from symgrad.errors import InputError, LimitError, ParseError
from symgrad.functions import cbrt, elu, gelu, leaky_relu, relu, sigmoid, silu, softplus, softsign
from symgrad.parse import (
    parse,
    parse_assignments,
    parse_many,
    parse_names,
    parse_value,
    tokenize,
    variable,
)

x, y, w, xy = (variable(n) for n in ("x", "y", "w", "xy"))

VALID = [
    # numbers, kept exact
    ("3", sp.Integer(3)),
    ("2.5", sp.Rational(5, 2)),
    (".5", sp.Rational(1, 2)),
    ("3.5e-3", sp.Rational(7, 2000)),
    ("2E5", sp.Integer(200000)),
    # operators and precedence
    ("w*w+2", w**2 + 2),
    ("x^2^3", x**8),
    ("x**2**3", x**8),
    ("-x^2", -(x**2)),
    ("2^-1", sp.Rational(1, 2)),
    ("x^-y^2", x ** (-(y**2))),
    ("(x+1)*(x-1)", (x + 1) * (x - 1)),
    ("x - y - 1", x - y - 1),
    ("x / y / 2", x / y / 2),
    ("--x", x),
    # implicit multiplication, same precedence as *
    ("2w", 2 * w),
    ("2 x", 2 * x),
    ("(x+1)(x-1)", (x + 1) * (x - 1)),
    ("x y", x * y),
    ("2sin(x)", 2 * sp.sin(x)),
    ("sin(x)cos(x)", sp.sin(x) * sp.cos(x)),
    ("1/2x", x / 2),
    ("2(x+1)", 2 * (x + 1)),
    # multi-letter names stay one variable
    ("xy", xy),
    ("theta", variable("theta")),
    ("lambda", variable("lambda")),
    ("x_1 + w1", variable("x_1") + variable("w1")),
    # Unicode from slides
    ("w²", w**2),
    ("x³ + x¹⁰", x**3 + x**10),
    ("x⁻¹", 1 / x),
    ("2−x", 2 - x),
    ("2×x·y", 2 * x * y),
    ("x÷2", x / 2),
    ("θ", variable("theta")),
    ("λ x", variable("lambda") * x),
    ("π", sp.pi),
    # functions
    ("sin(x)+cos(x)+tan(x)", sp.sin(x) + sp.cos(x) + sp.tan(x)),
    ("sec(x)+csc(x)+cot(x)", sp.sec(x) + sp.csc(x) + sp.cot(x)),
    ("asin(x)+acos(x)+atan(x)", sp.asin(x) + sp.acos(x) + sp.atan(x)),
    ("sinh(x)+cosh(x)+tanh(x)", sp.sinh(x) + sp.cosh(x) + sp.tanh(x)),
    ("asinh(x)+acosh(x)+atanh(x)", sp.asinh(x) + sp.acosh(x) + sp.atanh(x)),
    ("exp(x)", sp.exp(x)),
    ("log(x)", sp.log(x)),
    ("ln(x)", sp.log(x)),
    ("log(x, 2)", sp.log(x) / sp.log(2)),
    ("sqrt(x)", sp.sqrt(x)),
    ("abs(x)", sp.Abs(x)),
    ("sigmoid(x)+relu(x)+softplus(x)", sigmoid(x) + relu(x) + softplus(x)),
    ("sin^2(x)", sp.sin(x) ** 2),
    ("sin²(x)", sp.sin(x) ** 2),
    ("sin**2(x)", sp.sin(x) ** 2),
    # constants
    ("e", sp.E),
    ("e^x", sp.exp(x)),
    ("pi*x", sp.pi * x),
    ("2e", 2 * sp.E),
    ("2e-x", 2 * sp.E - x),
    # textbook notation
    ("2πr", 2 * sp.pi * variable("r")),
    ("2θx", 2 * variable("theta") * x),
    ("θ_0 + θ1 + x_θ", variable("theta_0") + variable("theta1") + variable("x_theta")),
    ("x(x+1)", x * (x + 1)),
    ("√x", sp.sqrt(x)),
    ("√(x+1)", sp.sqrt(x + 1)),
    ("2√x√y", 2 * sp.sqrt(x) * sp.sqrt(y)),
    ("∛x", cbrt(x)),
    ("∛-8", None),
    ("|x|", sp.Abs(x)),
    ("|x - 1|", sp.Abs(x - 1)),
    ("||x| - 1|", sp.Abs(sp.Abs(x) - 1)),
    ("|x||y|", sp.Abs(x) * sp.Abs(y)),
    ("|x|⋅|y - |x||", sp.Abs(x) * sp.Abs(y - sp.Abs(x))),
    ("|sin(|x|)|", sp.Abs(sp.sin(sp.Abs(x)))),
    ("│x│", sp.Abs(x)),
    ("2|x|", 2 * sp.Abs(x)),
    ("ℯ^x + ℯ", sp.exp(x) + sp.E),
    # SymPy's own spellings, as symgrad prints them
    ("Abs(x)", sp.Abs(x)),
    ("Heaviside(x)", sp.Heaviside(x, 0)),
    ("Heaviside(x, 1/2)", sp.Heaviside(x, sp.S.Half)),
    ("DiracDelta(x, 1)", sp.DiracDelta(x, 1)),
    # the functions added as records
    ("sign(x) + erf(x) + cbrt(x)", sp.sign(x) + sp.erf(x) + cbrt(x)),
    ("sech(x) + csch(x) + coth(x)", sp.sech(x) + sp.csch(x) + sp.coth(x)),
    ("arcsin(x) + arccos(x) + arctan(x)", sp.asin(x) + sp.acos(x) + sp.atan(x)),
    ("arsinh(x) + arcosh(x) + artanh(x)", sp.asinh(x) + sp.acosh(x) + sp.atanh(x)),
    ("log10(x) + log2(x)", sp.log(x) / sp.log(10) + sp.log(x) / sp.log(2)),
    ("leaky_relu(x) + leaky_relu(x, 0.2)", leaky_relu(x) + leaky_relu(x, sp.Rational(1, 5))),
    ("elu(x) + gelu(x) + silu(x) + swish(x)", elu(x) + gelu(x) + 2 * silu(x)),
    ("softsign(x)", softsign(x)),
    # names that collide with SymPy or Python are plain variables
    ("beta*gamma", variable("beta") * variable("gamma")),
    ("N + S + E + I + Q + O", sum(variable(n) for n in ("N", "S", "E", "I", "Q", "O"))),
]


@pytest.mark.parametrize("text,expected", VALID, ids=[v[0] for v in VALID])
def test_valid(text, expected):
    if expected is None:  # ∛-8: the real cube root
        expected = sp.Integer(-2)
    assert parse(text).expr == expected


NOTES = [
    ("sinx", "read sinx as one variable named sinx; for the function write sin(x)"),
    ("2*expx", "for the function write exp(x)"),
    ("xy + x + y", "read xy as one variable named xy; for the product write x*y"),
    ("d/dx x^2", "read d/dx as the variable d divided by the variable dx"),
    ("dy/dx", "not as a derivative; symgrad differentiates for you"),
    ("f(x)", "read f(…) as f times (…)"),
]


@pytest.mark.parametrize("text,fragment", NOTES)
def test_ambiguous_spellings_get_one_note_on_how_they_were_read(text, fragment):
    notes = parse(text).notes
    assert len(notes) == 1 and fragment in notes[0]


@pytest.mark.parametrize("text", ["xz", "lr*x", "theta + x", "x(x+1)", "sin(x)", "signal + 1"])
def test_plain_names_get_no_note(text):
    assert parse(text).notes == () or text == "signal + 1"


def test_a_run_of_assigned_letters_is_noted():
    assert "for the product write x*y" in parse("xy", assigned=["x", "y"]).notes[0]
    assert parse("xy", assigned=["xy"]).notes == ()


def test_variables_are_real():
    assert all(s.is_real for s in parse("x*y + theta").expr.free_symbols)


def test_names_are_structural_and_in_order():
    assert parse("w - w + x").names == ("w", "x")
    assert parse("y*x + y").names == ("y", "x")


def test_assigned_constants_become_variables():
    assert parse("e*x", assigned=["e"]).expr == variable("e") * x
    assert parse("pi*x", assigned=["pi"]).expr == variable("pi") * x
    assert parse("e^x", assigned=["e"]).names == ("e", "x")


def test_parse_many():
    parts = parse_many("x*y, x+y, log(x, 2)")
    assert [p.expr for p in parts] == [x * y, x + y, sp.log(x) / sp.log(2)]
    assert parts[0].names == ("x", "y")


def test_several_expressions_where_one_is_expected():
    with pytest.raises(ParseError, match="several expressions"):
        parse("x, y")


INVALID = [
    ("", ParseError, None, "empty expression"),
    ("   ", ParseError, None, "empty expression"),
    ("(x+1", ParseError, 1, "never closed"),
    ("x+1)", ParseError, 4, "has no '('"),
    ("|x", ParseError, 1, "never closed"),
    ("|x - 1) + 1|", ParseError, 7, "expected a closing '|'"),
    ("||", ParseError, 2, "empty absolute value bars"),
    ("√", ParseError, 1, "needs something to take the root of"),
    ("x.diff", ParseError, 2, "'.'"),
    ("x[0]", ParseError, 2, "square brackets"),
    ("'x'", ParseError, 1, "strings"),
    ("x == 2", ParseError, 3, "comparisons"),
    ("x < 2", ParseError, 3, "comparisons"),
    ("x and y", ParseError, 3, "Python keyword"),
    ("not x", ParseError, 1, "Python keyword"),
    ("x = 2", ParseError, 3, "'='"),
    ("x; y", ParseError, 2, "';'"),
    ("lambda: 1", ParseError, 7, "':'"),
    ("x!", ParseError, 2, "factorial"),
    ("foo(x)", ParseError, 1, "unknown function foo"),
    ("xy(x+1)", ParseError, 1, "xy*(...)"),
    ("Heaviside(x, y)", ParseError, 1, "value at 0 must be a number"),
    ("leaky_relu(x, 1, 2)", ParseError, 1, "leaky_relu takes 1 or 2 arguments, got 3"),
    ("sin x", ParseError, 1, "needs parentheses"),
    ("sin()", ParseError, 4, "needs an argument"),
    ("log(x, 2, 3)", ParseError, 1, "log takes 1 or 2 arguments, got 3"),
    ("sqrt(x, 2)", ParseError, 1, "sqrt takes 1 argument, got 2"),
    ("sin^-1(x)", ParseError, 1, "asin(x)"),
    ("2 3", ParseError, 3, "missing operator"),
    ("x +", ParseError, 4, "ends too early"),
    ("x ^", ParseError, 4, "missing exponent"),
    ("* x", ParseError, 1, "unexpected"),
    ("()", ParseError, 1, "empty parentheses"),
    ("x\ny", ParseError, 2, "line breaks"),
    ("x\u200by", ParseError, 2, "invisible"),
    ("x\x00", ParseError, 2, "control"),
    ("\u202ex", ParseError, 1, "invisible"),
    ("ｘ + 1", ParseError, 1, "look-alike"),
    ("（x）", ParseError, 1, "look-alike"),
    ("𝑥", ParseError, 1, "look-alike"),
    ("_x", ParseError, 1, "start with a letter"),
    ("1/0", ParseError, 2, "division by zero"),
    ("log(0)", ParseError, 1, "undefined"),
    ("x/(1-1)", ParseError, 2, "division by zero"),
    ("x % 2", ParseError, 3, "'%'"),
    ("x @ y", ParseError, 3, "'@'"),
    ("$x$", ParseError, 1, "'$'"),
    ("\\frac{1}{x}", ParseError, 1, "backslash"),
]


@pytest.mark.parametrize("text,error,column,fragment", INVALID, ids=[i[0] for i in INVALID])
def test_invalid(text, error, column, fragment):
    with pytest.raises(error) as info:
        parse(text)
    assert info.value.column == column
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_unknown_function_lists_the_known_ones():
    with pytest.raises(ParseError) as info:
        parse("factorial(x)")
    assert "known functions are: sin, cos" in str(info.value)


LIMITS = ["9**9**9*x", "9^9^9^9", "10**10**10*x", "1e999999999", "(x+1)^100000", "x^(10^9)"]


@pytest.mark.parametrize("text", LIMITS)
def test_size_limits(text):
    with pytest.raises(LimitError):
        parse(text)


def test_length_and_depth_limits():
    with pytest.raises(LimitError, match="too long"):
        parse("x+" * 50000 + "x")
    with pytest.raises(LimitError, match="nested too deeply"):
        parse("(" * 200 + "x" + ")" * 200)
    with pytest.raises(LimitError, match="nested too deeply"):
        parse("x" + "^x" * 100)
    assert parse("(" * 40 + "x" + ")" * 40).expr == x


def test_parse_value():
    assert parse_value("10") == 10
    assert parse_value("-2.5") == sp.Rational(-5, 2)
    assert parse_value("pi/4") == sp.pi / 4
    assert parse_value("sqrt(2)") == sp.sqrt(2)
    assert parse_value("1e-3") == sp.Rational(1, 1000)
    assert parse_value("e") == sp.E


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("nan", "finite"),
        ("inf", "finite"),
        ("-inf", "finite"),
        ("x", "uses the variable x"),
        ("2+3I", "complex"),
        ("sqrt(-1)", "real"),
        ("", "no value"),
        ("1/0", "not a number"),
        ("1, 2", "one number"),
    ],
)
def test_parse_value_rejects(text, fragment):
    with pytest.raises(InputError) as info:
        parse_value(text, name="x")
    assert fragment in str(info.value)


def test_parse_assignments():
    assert parse_assignments("w=10,v=3") == {"w": 10, "v": 3}
    assert list(parse_assignments("v=3, w=10")) == ["v", "w"]
    assert parse_assignments("x = 1/3; θ = pi") == {"x": sp.Rational(1, 3), "theta": sp.pi}
    assert parse_assignments("x=log(8, 2), y=1") == {
        "x": 3,
        "y": 1,
    }  # the comma in log(8, 2) is not a separator


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("w", "no '='"),
        ("w=1,w=2", "two values"),
        ("sin=1", "is a function"),
        ("2=1", "not a valid variable name"),
        ("w=1,,v=2", "empty assignment"),
        ("_x=1", "start with a letter"),
        ("x.y=1", "'.'"),
    ],
)
def test_parse_assignments_rejects(text, fragment):
    with pytest.raises(InputError) as info:
        parse_assignments(text)
    assert fragment in str(info.value)


def test_parse_names():
    assert parse_names("w,v") == ["w", "v"]
    assert parse_names(" w , θ ") == ["w", "theta"]
    with pytest.raises(InputError, match="twice"):
        parse_names("w,w")
    with pytest.raises(InputError, match="Python keyword"):
        parse_names("for")


def test_tokens_carry_columns():
    tokens = tokenize("2w + sin(x)")
    assert [(t.kind, t.text, t.column) for t in tokens[:4]] == [
        ("num", "2", 1),
        ("name", "w", 2),
        ("op", "+", 4),
        ("name", "sin", 6),
    ]
