"""Layout for the width at hand: every command's output at 40, 60, 80 and 120 columns.

No line may be longer than the width (counted in terminal cells, as rich counts them),
and a stacked fraction is never cut: each fraction bar keeps its numerator above it and
its denominator below it.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import sympy as sp
from rich.cells import cell_len
from rich.console import Console

from symgrad.cli import build_parser
from symgrad.output import Output
from symgrad.render import (
    Formula,
    Hanging,
    message,
    point_text,
    terminal_width,
    typed_order,
    value_text,
    wrap,
    wrap_fragments,
)

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = (40, 60, 80, 120)

WIDE = "(x^2+1)/(x-1)^3 * exp(sin(x)) + sqrt(x^3+2x)/(1+x^4)"
COMMANDS = {
    "grad": ["grad", WIDE, "--at", "x=2"],
    "steps": ["grad", "x*sin(x^2) + relu(2x-1)*exp(cos(x))/(1+x^2)", "--steps", "--at", "x=1"],
    "order": ["grad", "sin(x)*exp(x^2)", "--order", "6", "--at", "x=1"],
    "hessian": ["grad", "x^2*y + exp(x*y)/(1+y^2)", "--at", "x=1,y=2", "--hessian"],
    "jacobian": ["grad", "x*y*exp(x), x+y, sin(x*y)/(1+x^2)", "--at", "x=1,y=2", "--jacobian"],
    "direction": ["grad", "x^2*exp(y) + y^3/(1+x^2)", "--at", "x=1,y=1", "--direction", "3,4"],
    "check-points": ["grad", "sin(x)*cos(y)/(1+x^2)", "--check", "5"],
    "check": ["check", "(x^2+1)/(x-1)^3", "--answer", "2*x/(x-1)^3", "--reveal"],
    "step": ["step", "x^2 + 10*y^2", "--at", "x=3,y=1", "--optimizer", "adam", "--lr", "0.5"],
    "critic": ["critic", str(ROOT / "examples" / "critic.json")],
}


@pytest.fixture(scope="module")
def results():
    """Each command's result, computed once (in-process) and rendered at every width."""
    out = {}
    for key, argv in COMMANDS.items():
        parser, module = build_parser(argv[0])
        out[key] = module.compute(parser.parse_args(argv[1:]))
    return out


def fraction_bars_intact(text: str) -> bool:
    """Every run of ``─`` has something above and below it within its columns."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        for m in re.finditer("─+", line):
            a, b = m.span()
            if i == 0 or i + 1 >= len(lines):
                return False
            for neighbour in (lines[i - 1], lines[i + 1]):
                if not neighbour[a:b].strip():
                    return False
    return True


def assert_fits(text: str, width: int) -> None:
    for line in text.split("\n"):
        assert cell_len(line) <= width, f"{cell_len(line)} > {width}: {line!r}"
    assert fraction_bars_intact(text), text


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("key", list(COMMANDS))
def test_every_command_fits_every_width(results, key, width, monkeypatch):
    result = results[key]
    monkeypatch.setenv("COLUMNS", str(width))
    plain = io.StringIO()
    Output("plain", plain).emit(result)
    assert_fits(plain.getvalue(), width)
    rich = io.StringIO()
    Console(file=rich, width=width, color_system=None, highlight=False).print(result)
    assert_fits(rich.getvalue(), width)
    # nothing is lost: the narrow layout says the same words as the wide one
    if key in ("check", "critic", "steps"):
        r = result.derivations[0] if key == "steps" else result
        assert _words(r.plain_text(width)) == _words(r.plain_text(400))


def _words(text: str) -> list[str]:
    return text.split()


def test_wide_formula_breaks_at_plus_and_minus_with_signs_under_the_equals():
    x = sp.Symbol("x")
    d = sp.diff(sp.sympify(WIDE.replace("^", "**").replace("2x", "2*x")), x)
    lines = Formula("∂y/∂x", d).layout(60)
    continuation = [line for line in lines if line.lstrip().startswith(("+ ", "- "))]
    assert continuation and all(
        line.startswith("      + ") or line.startswith("      - ") for line in continuation
    )
    assert_fits("\n".join(lines), 60)


def test_a_term_too_wide_for_2d_falls_back_to_one_line_wrapped():
    x = sp.Symbol("x")
    e = sp.exp(x) / (x**2 + 123456789) + sp.sin(x)
    lines = Formula("y", e).layout(16)
    assert all(len(line) <= 16 for line in lines)
    assert "─" not in "".join(lines)
    text = " ".join(line.strip() for line in lines)
    assert "exp(x)/(x² + 123456789)" in text.replace("( ", "(")


def test_order_6_never_prints_a_400_column_line(results):
    for width in WIDTHS:
        assert max(len(line) for line in results["order"].plain_text(width).split("\n")) <= width


def test_wrapped_lines_keep_a_hanging_indent():
    line = Hanging(
        "  ∂y/∂x = 2   ✓ agrees with the numeric estimate 2 (error 0 ≤ bound 2e-10)", 16, 14
    )
    lines = line.layout(40)
    assert lines[0].startswith("  ∂y/∂x = 2   ✓ agrees")
    assert all(later.startswith(" " * 16) for later in lines[1:])
    note = wrap("note: a long remark that needs two lines to be said", 30)
    assert note[1].startswith(" " * len("note: "))


def test_the_steps_outline_keeps_numbering_and_indentation_at_50_columns(results):
    text = results["steps"].derivations[0].plain_text(50)
    numbered = [line for line in text.split("\n") if re.match(r"^\s*\d+\.(\d+(\.\d+)*)? ", line)]
    assert [n.split()[0] for n in numbered[:3]] == ["1.", "1.1", "1.1.1"]
    depth = {n.split()[0]: len(n) - len(n.lstrip()) for n in numbered}
    assert depth["1."] < depth["1.1"] < depth["1.1.1"]
    for n in numbered:  # a level's continuation lines sit under its text, never at column 0
        i = text.split("\n").index(n)
        nxt = text.split("\n")[i + 1]
        if nxt and not re.match(r"^(\d+\.(\d+(\.\d+)*)? |⇒|note:)", nxt.lstrip()):
            assert len(nxt) - len(nxt.lstrip()) > len(n) - len(n.lstrip())


def test_fragments_keep_their_styles_when_wrapped():
    line = [("1.", "number"), (" Product rule: ", "rule"), ("u⋅v and a long formula here", "math")]
    pieces = wrap_fragments(line, 24, 3)
    assert pieces[0][0] == ("1.", "number")
    assert all(len("".join(t for t, _ in p)) <= 24 for p in pieces)
    assert {style for p in pieces[1:] for _, style in p} <= {"math", "rule", ""}


def test_plain_width_comes_from_columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "57")
    assert terminal_width() == 57
    monkeypatch.delenv("COLUMNS")
    assert terminal_width() == 80


# -- values and messages in the formulas' notation ------------------------------------------


@pytest.mark.parametrize(
    "exact,value,text",
    [
        (7 * sp.sin(sp.Rational(49, 100)) / 10, 0.32943812171981063, "7⋅sin(49/100)/10 ≈ "),
        (sp.sqrt(2) / 2, 0.7071067811865476, "√2/2 ≈ 0.7071067811865476"),
        (sp.pi**2 / 16, 0.6168502750680849, "π²/16 ≈ 0.6168502750680849"),
        (-sp.I / 4, None, "-i/4: not a real number (TensorFlow gives nan)"),
        (sp.Integer(10) ** 800, float("inf"), "1.0e800: too large for float64"),
        (sp.Integer(42), 42.0, "42"),
    ],
)
def test_values_are_written_like_the_formulas(exact, value, text):
    shown, _ = value_text(exact, value)
    assert shown.startswith(text)
    assert "*" not in shown and "sqrt" not in shown and "pi" not in shown


def test_huge_points_and_messages_are_shortened():
    assert point_text(sp.Integer(10) ** 400) == "1.0e400"
    assert (
        message("y = " + "1" + "0" * 800 + " is too large")
        == "y = 1000…000 (801 digits) is too large"
    )
    assert message("problem: x**(1/3) is not real") == "problem: x^(1/3) is not real"


def test_the_users_order_of_terms_is_kept():
    w, x, b = (sp.Symbol(n) for n in "wxb")
    assert typed_order(w * x + b, "w*x + b") == [w * x, b]
    assert Formula("y", w * x + b, terms=typed_order(w * x + b, "w*x + b")) == "y = w⋅x + b"


def test_cli_reports_in_the_formulas_notation(capsys):
    from symgrad.cli import main

    assert main(["x^2", "--at", "x=1e400", "--format", "plain"]) == 0
    out = capsys.readouterr().out
    assert "At x = 1.0e400:" in out and "too large for float64" in out
    assert max(len(line) for line in out.split("\n")) < 200
    assert main(["sqrt(x)", "--at", "x=-4", "--format", "plain"]) == 1
    out = capsys.readouterr().out
    assert "-i/4: not a real number" in out and "≈ nan" not in out
    main(["exp(3*x)", "--at", "x=0", "--format", "plain"])
    assert "ℯ" not in capsys.readouterr().out
    main(["ln(x)", "--at", "x=2", "--format", "plain"])
    assert "ln is written log" in capsys.readouterr().out
    main(["check", "exp(3*x)", "--answer", "3*exp(3*x)", "--reveal"])
    assert "exp(3⋅x)" in capsys.readouterr().out


def test_hessian_check_marks_are_aligned(results):
    lines = [line for line in results["hessian"].plain_text(200).split("\n") if "✓" in line]
    assert len(lines) == 4 and len({line.index("✓") for line in lines}) == 1
