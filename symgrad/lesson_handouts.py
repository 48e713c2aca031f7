"""Lessons as handouts: notebooks, HTML and PDF, and the one-page cheat sheet.

A lesson exports to a Jupyter notebook (jupytext reads the percent format,
nbclient runs it in a real kernel), to HTML (nbconvert, from the executed
notebook), to LaTeX and to PDF (symgrad's own LaTeX of the executed lesson,
compiled with pdflatex). Every file symgrad writes carries a mark, and
:func:`write_file` replaces only files that carry it (or any file with
``force=True``), through a temporary file and ``os.replace``, so a file is
never left half-written.

>>> sheet = cheatsheet()
>>> sheet.sections[0].title
'Rules'
>>> "\\\\documentclass" in sheet.to_latex()
True
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from symgrad.errors import InputError, LimitError

__all__ = [
    "MARK",
    "FORMATS",
    "CheatSheet",
    "cheatsheet",
    "lesson_notebook",
    "notebook_html",
    "lesson_latex",
    "compile_pdf",
    "export",
    "write_file",
]

MARK = "written by symgrad lesson export"
FORMATS = ("ipynb", "html", "tex", "pdf")
NOTEBOOK_EXTRA = "pip install 'symgrad[notebook]' (jupytext, nbclient, ipykernel, nbconvert)"
TEX_PACKAGES = "texlive-latex-base texlive-latex-recommended texlive-fonts-recommended lmodern"
CODE_WIDTH = 84  # characters per code line in the PDF (small typewriter on A4)
KERNEL_TIMEOUT = 600  # seconds for one cell in the notebook kernel
TEX_TIMEOUT = 120


# -- writing files -----------------------------------------------------------------


def write_file(path: Path, data: bytes, *, force: bool = False) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file next to it, then ``os.replace``.

    An existing file is replaced only if symgrad wrote it (it carries the
    mark) or ``force`` is set.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path} is a folder", hint="give a file name with --output")
    if not path.parent.is_dir():
        raise InputError(f"the folder {path.parent} does not exist", hint="create it first")
    if path.exists() and not path.is_file():
        raise InputError(f"{path} is not a regular file", hint="give a file name with --output")
    from symgrad.files import check_target, write_atomic, written_by_symgrad

    check_target(path, path.suffix.lower())  # a symbolic link is refused as such
    if path.exists() and not force and not written_by_symgrad(path, MARK):
        raise InputError(
            f"{path} exists and was not written by symgrad",
            hint="choose another --output, or pass --force to replace it",
        )
    write_atomic(path, lambda stream: stream.write(data), path.suffix.lower())  # one atomic write


# -- notebooks and HTML ------------------------------------------------------------


def _require(module: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise InputError(f"exporting a notebook needs {module}", hint=NOTEBOOK_EXTRA) from None


def lesson_notebook(lesson, *, execute: bool = True, figures: Path | None = None):
    """The lesson as an ``nbformat`` notebook, executed in a real Python kernel.

    The exercises cell is followed by a Markdown cell with the questions, and
    the notebook's metadata records that symgrad wrote it.
    """
    jupytext = _require("jupytext")
    nbformat = _require("nbformat")
    from symgrad.lessons import execute as run_lesson

    nb = jupytext.reads(lesson.path.read_text(encoding="utf-8"), fmt="py:percent")
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["symgrad"] = {"note": MARK, "lesson": lesson.number, "file": lesson.path.name}
    with _figures_in(figures):
        exercises = run_lesson(lesson).exercises
    for i, cell in enumerate(nb.cells):
        if "exercises" in cell.metadata.get("tags", []):
            questions = "\n".join(f"{n}. {ex.question}" for n, ex in enumerate(exercises, 1))
            text = (
                f"**The exercises** (answer them with `symgrad lesson run {lesson.number}`, "
                f"which checks each answer and gives hints):\n\n{questions}"
            )
            nb.cells.insert(i + 1, nbformat.v4.new_markdown_cell(text))
            break
    if execute:
        nbclient = _require("nbclient")
        _require("ipykernel")
        env_dir = figures or Path(tempfile.gettempdir()) / "symgrad-figures"
        with _figures_in(env_dir):
            client = nbclient.NotebookClient(
                nb, timeout=KERNEL_TIMEOUT, kernel_name="python3", allow_errors=False
            )
            try:  # the kernel's own log lines (a TCP warning) would clutter the terminal
                client.execute(cwd=str(lesson.path.parent), stderr=subprocess.DEVNULL)
            except Exception as err:  # a cell failed in the kernel: the lesson is stale
                raise RuntimeError(
                    f"lesson {lesson.path.name} failed in the kernel: {err}"
                ) from err
        _attach_pictures(nb, env_dir)
    return nb


def _attach_pictures(nb, figures: Path) -> None:
    """Show each picture a cell announces ("picture written to NAME.png") below its output."""
    import base64

    nbformat = _require("nbformat")
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name"))
        for name in re.findall(r"picture written to (\S+\.png)", text):
            png = figures / name
            if png.is_file():
                data = {"image/png": base64.b64encode(png.read_bytes()).decode("ascii")}
                cell.outputs.append(nbformat.v4.new_output("display_data", data=data))


def notebook_html(nb) -> str:
    """A standalone HTML page of an executed notebook (nbconvert's template)."""
    nbconvert = _require("nbconvert")
    body, _ = nbconvert.HTMLExporter().from_notebook_node(nb)
    meta = f'<meta name="generator" content="{MARK}">'
    return body.replace("<head>", f"<head>\n{meta}", 1)


@contextlib.contextmanager
def _figures_in(folder: Path | None) -> Iterator[None]:
    from symgrad.lessons import ENV_FIGURES

    if folder is None:
        yield
        return
    old = os.environ.get(ENV_FIGURES)
    os.environ[ENV_FIGURES] = str(folder)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(ENV_FIGURES, None)
        else:
            os.environ[ENV_FIGURES] = old


# -- LaTeX ---------------------------------------------------------------------------

# Characters the lessons and symgrad's output use, for pdflatex (inputenc's utf8).
_UNICODE = {
    "²": r"\textsuperscript{2}",
    "³": r"\textsuperscript{3}",
    "⁴": r"\textsuperscript{4}",
    "⁵": r"\textsuperscript{5}",
    "⁶": r"\textsuperscript{6}",
    "⁹": r"\textsuperscript{9}",
    "¹": r"\textsuperscript{1}",
    "⁰": r"\textsuperscript{0}",
    "ⁿ": r"\textsuperscript{n}",
    "⁻": r"\textsuperscript{-}",
    "ᵀ": r"\textsuperscript{T}",
    "ˣ": r"\textsuperscript{x}",
    **{chr(0x2080 + d): rf"\textsubscript{{{d}}}" for d in range(10)},
    "⁷": r"\textsuperscript{7}",
    "⁸": r"\textsuperscript{8}",
    "ⱼ": r"\textsubscript{j}",
    "ᵢ": r"\textsubscript{i}",
    "ₖ": r"\textsubscript{k}",
    "·": r"\ensuremath{\cdot}",
    "⋅": r"\ensuremath{\cdot}",
    "−": "-",
    "–": "--",
    "—": "---",
    "≤": r"\ensuremath{\le}",
    "≥": r"\ensuremath{\ge}",
    "≈": r"\ensuremath{\approx}",
    "≠": r"\ensuremath{\ne}",
    "→": r"\ensuremath{\to}",
    "←": r"\ensuremath{\leftarrow}",
    "▶": r"\ensuremath{\triangleright}",
    "▲": r"\ensuremath{\blacktriangle}",
    "↪": r"\ensuremath{\hookrightarrow}",
    "∂": r"\ensuremath{\partial}",
    "∑": r"\ensuremath{\sum}",
    "Σ": r"\ensuremath{\Sigma}",
    "Π": r"\ensuremath{\Pi}",
    "√": r"\ensuremath{\surd}",
    "∞": r"\ensuremath{\infty}",
    "⊙": r"\ensuremath{\odot}",
    "×": r"\ensuremath{\times}",
    "±": r"\ensuremath{\pm}",
    "π": r"\ensuremath{\pi}",
    "σ": r"\ensuremath{\sigma}",
    "δ": r"\ensuremath{\delta}",
    "ε": r"\ensuremath{\varepsilon}",
    "γ": r"\ensuremath{\gamma}",
    "λ": r"\ensuremath{\lambda}",
    "θ": r"\ensuremath{\theta}",
    "η": r"\ensuremath{\eta}",
    "ℯ": "e",
    "ℓ": r"\ensuremath{\ell}",
    "∇": r"\ensuremath{\nabla}",
    "✓": r"\ensuremath{\checkmark}",
    "✗": r"\ensuremath{\times}",
    "⎡": "[",
    "⎤": "]",
    "⎣": "[",
    "⎦": "]",
    "⎢": "|",
    "⎥": "|",
    "⎛": "(",
    "⎞": ")",
    "⎝": "(",
    "⎠": ")",
    "⎜": "|",
    "⎟": "|",
    "─": "-",
    "│": "|",
    "┬": "+",
    "┼": "+",
    "┐": "+",
    "┘": "+",
    "└": "+",
    "┌": "+",
    "├": "+",
    "┤": "+",
    "…": r"\ldots{}",
    "’": "'",
    "“": "``",
    "”": "''",
    "\u0302": r"\textasciicircum{}",  # a combining hat, as in m̂: written after the letter
    "⇒": r"\ensuremath{\Rightarrow}",
    "ₙ": r"\textsubscript{n}",
    "Δ": r"\ensuremath{\Delta}",
}


def _preamble(title: str) -> str:
    unicode = "\n".join(
        f"\\DeclareUnicodeCharacter{{{ord(ch):04X}}}{{{tex}}}" for ch, tex in _UNICODE.items()
    )
    return rf"""% {MARK}
\documentclass[10pt,a4paper]{{article}}
\usepackage[utf8]{{inputenc}}
\usepackage[T1]{{fontenc}}
\usepackage{{lmodern}}
\usepackage{{amsmath,amssymb}}
\usepackage[margin=18mm]{{geometry}}
\usepackage{{fancyvrb}}
\usepackage{{xcolor}}
\usepackage{{graphicx}}
\usepackage{{booktabs}}
\usepackage{{multicol}}
\usepackage{{array}}
\pdfobjcompresslevel=0
\pdfinfo{{/Creator ({MARK}) /Title ({_pdf_string(title)})}}
{unicode}
\setlength{{\parindent}}{{0pt}}
\setlength{{\parskip}}{{4pt}}
"""


def _pdf_string(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9 .,:;+=-]", "", text)


def _unknown(text: str) -> str:
    """Replace characters pdflatex cannot typeset with their code point."""
    out = []
    for ch in text:
        if ord(ch) < 128 or ch in _UNICODE or ch.isalpha() and ord(ch) < 0x250:
            out.append(ch)
        else:
            out.append(f"[U+{ord(ch):04X}]")
    return "".join(out)


_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\^{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\textasciitilde{}",
}


def escape(text: str) -> str:
    r"""Text made safe for LaTeX (its special characters escaped).

    >>> escape("a_b & 50% {x}")
    'a\\_b \\& 50\\% \\{x\\}'
    """
    return "".join(_SPECIAL.get(ch, ch) for ch in _unknown(text))


def _inline(text: str) -> str:
    """Markdown inline markup (code, bold, italic) to LaTeX."""
    parts = re.split(r"(`[^`]*`)", text)
    out = []
    for part in parts:
        if part.startswith("`") and part.endswith("`") and len(part) >= 2:
            code = escape(part[1:-1]).replace("-", "-{}")  # no -- ligature in code
            out.append(r"\texttt{" + code + "}")
            continue
        piece = escape(part)
        piece = re.sub(r"\*\*(.+?)\*\*", r"\\textbf{\1}", piece)
        piece = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\\emph{\1}", piece)
        out.append(piece)
    return "".join(out)


def _wrap_code(text: str, width: int = CODE_WIDTH) -> list[str]:
    """Code lines wrapped at ``width`` with a visible continuation mark (never cut)."""
    lines = []
    for line in text.splitlines():
        while len(line) > width:
            cut = line.rfind(" ", width // 2, width)
            cut = cut if cut > 0 else width
            lines.append(line[:cut])
            line = "↪   " + line[cut:].lstrip()
        lines.append(line)
    return lines


def _verbatim(text: str, color: str | None = None) -> str:
    lines = _wrap_code(_unknown(text))
    options = r"fontsize=\small"
    if color:
        options += rf",formatcom=\color{{{color}}}"
    return "\\begin{Verbatim}[" + options + "]\n" + "\n".join(lines) + "\n\\end{Verbatim}\n"


def markdown_latex(source: str) -> str:
    """The Markdown of a lesson's prose cells as LaTeX: headings, lists, tables, code."""
    out: list[str] = []
    lines = source.splitlines()
    i = 0
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            out.append(_inline(" ".join(paragraph)) + "\n")
            paragraph.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith("```"):
                j += 1
            out.append(_verbatim("\n".join(lines[i + 1 : j])))
            i = j + 1
            continue
        heading = re.match(r"^(#{1,3}) (.*)$", line)
        if heading:
            flush()
            command = {1: "section*", 2: "subsection*", 3: "subsubsection*"}
            out.append(f"\\{command[len(heading.group(1))]}{{{_inline(heading.group(2))}}}\n")
        elif stripped.startswith("|"):
            flush()
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                if not all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                    rows.append(cells)
                i += 1
            columns = max(len(r) for r in rows)
            spec = "p{%.2f\\linewidth}" % (0.9 / columns)
            body = [" & ".join(_inline(c) for c in r) + r" \\" for r in rows]
            body.insert(1, r"\midrule")
            out.append(
                "\\begin{tabular}{"
                + spec * columns
                + "}\n\\toprule\n"
                + "\n".join(body)
                + "\n\\bottomrule\n\\end{tabular}\n"
            )
            continue
        elif re.match(r"^[-*] ", stripped):
            flush()
            items = []
            while i < len(lines) and lines[i].strip():
                if re.match(r"^[-*] ", lines[i].strip()):
                    items.append(lines[i].strip()[2:])
                elif items:
                    items[-1] += " " + lines[i].strip()
                i += 1
            out.append(
                "\\begin{itemize}\n"
                + "\n".join(f"\\item {_inline(it)}" for it in items)
                + "\n\\end{itemize}\n"
            )
            continue
        elif not stripped:
            flush()
        else:
            paragraph.append(stripped)
        i += 1
    flush()
    return "\n".join(out)


def lesson_latex(run, figures: Path | None = None) -> str:
    """A complete LaTeX document of an executed lesson: prose, code, real output, pictures.

    ``figures`` is the folder the lesson wrote its pictures to; those whose
    names start with the lesson's number are placed after the cell that
    announced them.
    """
    from symgrad.lessons import render_question

    parts = [_preamble(run.lesson.title), "\\begin{document}\n"]
    for cell, output in zip(run.lesson.cells, run.outputs):
        if cell.kind == "markdown":
            parts.append(markdown_latex(cell.source))
            continue
        if "exercises" in cell.tags:
            items = "\n".join(
                "\\item " + _inline(str(render_question(n, ex)).split(". ", 1)[1].strip())
                for n, ex in enumerate(run.exercises, 1)
            )
            parts.append(f"\\begin{{enumerate}}\n{items}\n\\end{{enumerate}}\n")
            parts.append(
                _inline(
                    f"Answer them with `symgrad lesson run {run.lesson.number}`: it checks each "
                    "answer exactly and gives up to three hints."
                )
                + "\n"
            )
            continue
        parts.append(_verbatim(cell.source))
        if output.strip():
            parts.append(_verbatim(output.rstrip("\n"), color="black!60!green"))
        for name in re.findall(r"picture written to (\S+\.png)", output):
            if figures is not None and (figures / name).is_file():
                path = (figures / name).as_posix()
                parts.append(
                    f"\\begin{{center}}\\includegraphics[width=0.6\\linewidth]{{{path}}}"
                    "\\end{center}\n"
                )
    parts.append("\\end{document}\n")
    return "\n".join(parts)


def compile_pdf(latex: str) -> bytes:
    """Compile a LaTeX document with pdflatex; the PDF's bytes.

    Raises :class:`InputError` (exit 2) naming what to install when no TeX
    engine is there, and :class:`LimitError` when it runs too long.
    """
    engine = shutil.which("pdflatex")
    if engine is None:
        raise InputError(
            "making a PDF needs pdflatex, which is not installed",
            hint=f"install a TeX engine, e.g. apt-get install {TEX_PACKAGES}, or use --to tex",
        )
    with tempfile.TemporaryDirectory(prefix="symgrad-tex-") as tmp:
        folder = Path(tmp)
        (folder / "handout.tex").write_text(latex, encoding="utf-8")
        try:
            run = subprocess.run(
                [
                    engine,
                    "-interaction=nonstopmode",
                    "-halt-on-error",
                    "-no-shell-escape",
                    "handout.tex",
                ],
                cwd=folder,
                capture_output=True,
                timeout=TEX_TIMEOUT,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise LimitError(f"pdflatex took more than {TEX_TIMEOUT} s") from None
        pdf = folder / "handout.pdf"
        if run.returncode != 0 or not pdf.is_file():
            log = (folder / "handout.log").read_text(encoding="utf-8", errors="replace")
            first = next((line for line in log.splitlines() if line.startswith("!")), "")
            raise RuntimeError(f"pdflatex failed: {first or 'see its log'}")
        return pdf.read_bytes()


# -- one call for the command line ---------------------------------------------------


def export(number: int | str, to: str, *, execute: bool = True) -> tuple[bytes, str]:
    """Lesson ``number`` as a file's bytes in format ``to``, and the default file name."""
    from symgrad.lessons import execute as run_lesson
    from symgrad.lessons import load_lesson

    if to not in FORMATS:
        raise InputError(f"cannot export to {to!r}", hint=f"use one of: {', '.join(FORMATS)}")
    lesson = load_lesson(number)
    name = f"{lesson.path.stem}.{to}"
    with tempfile.TemporaryDirectory(prefix="symgrad-figures-") as tmp:
        figures = Path(tmp)
        if to in ("ipynb", "html"):
            nbformat = _require("nbformat")
            nb = lesson_notebook(lesson, execute=execute or to == "html", figures=figures)
            if to == "ipynb":
                return nbformat.writes(nb).encode("utf-8") + b"\n", name
            return notebook_html(nb).encode("utf-8"), name
        with _figures_in(figures):
            run = run_lesson(lesson)
        latex = lesson_latex(run, figures)
        if to == "tex":
            return latex.encode("utf-8"), name
        return compile_pdf(latex), name


# -- the cheat sheet -------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of the cheat sheet: what, as text and as LaTeX math or text."""

    text: str
    rule: str
    latex_text: str
    latex_rule: str


@dataclass(frozen=True)
class Section:
    title: str
    rows: tuple[Row, ...]


def _r(text: str, rule: str, latex_text: str | None = None, latex_rule: str | None = None) -> Row:
    return Row(text, rule, latex_text or _inline(text), latex_rule or _inline(rule))


def _cmd(what: str, command: str) -> Row:
    return Row(what, command, _inline(what), _inline(f"`{command}`"))


SECTIONS = (
    Section(
        "Rules",
        (
            _r("constant, sum", "(c)' = 0, (f + g)' = f' + g'", None, r"$(c)'=0,\ (f+g)'=f'+g'$"),
            _r("power", "(xⁿ)' = n·xⁿ⁻¹", None, r"$(x^n)'=n\,x^{n-1}$"),
            _r("exp, log", "(eˣ)' = eˣ, (ln x)' = 1/x", None, r"$(e^x)'=e^x,\ (\ln x)'=1/x$"),
            _r("sin, cos", "sin' = cos, cos' = −sin", None, r"$\sin'=\cos,\ \cos'=-\sin$"),
            _r("tan", "tan' = 1 + tan² = 1/cos²", None, r"$\tan'=1+\tan^2=1/\cos^2$"),
            _r("product", "(u·v)' = u'·v + u·v'", None, r"$(uv)'=u'v+uv'$"),
            _r("quotient", "(u/v)' = (u'·v − u·v')/v²", None, r"$(u/v)'=(u'v-uv')/v^2$"),
            _r("chain", "(f(g(x)))' = f'(g(x))·g'(x)", None, r"$(f(g(x)))'=f'(g(x))\,g'(x)$"),
            _r(
                "graph, fan-out",
                "∂f/∂x = Σ over paths of the product of local slopes",
                None,
                r"$\frac{\partial f}{\partial x}=\sum_{\text{paths}}\prod"
                r"\frac{\partial\,\text{node}}{\partial\,\text{input}}$",
            ),
        ),
    ),
    Section(
        "Activations and losses",
        (
            _r("sigmoid", "σ' = σ·(1 − σ) ≤ 1/4", None, r"$\sigma'=\sigma(1-\sigma)\le 1/4$"),
            _r("tanh", "tanh' = 1 − tanh²", None, r"$\tanh'=1-\tanh^2$"),
            _r(
                "relu",
                "relu' = 1 for x > 0, 0 for x < 0 (TF: 0 at 0)",
                None,
                r"$\mathrm{relu}'=1$ if $x>0$, $0$ if $x<0$ (TF: 0 at 0)",
            ),
            _r(
                "mean square",
                "L = mean (t − v)², ∂L/∂v = −2(t − v)/B",
                None,
                r"$L=\frac1B\sum(t-v)^2,\ \partial L/\partial v=-2(t-v)/B$",
            ),
            _r(
                "softmax + CE",
                "pᵢ = exp(zᵢ)/Σ exp(zⱼ), L = −Σ yᵢ log pᵢ, ∂L/∂z = p − y",
                None,
                r"$p_i=e^{z_i}/\sum_j e^{z_j},\ L=-\sum y_i\log p_i,\ "
                r"\partial L/\partial z=p-y$",
            ),
            _r(
                "depth",
                "|dy/dx| ≤ Π |w|·max|act'|: vanishes below 1, explodes above",
                None,
                r"$|dy/dx|\le\prod_k |w_k|\max|\mathrm{act}'|$",
            ),
        ),
    ),
    Section(
        "A dense layer  z = x·W + b",
        (
            _r("shapes", "x (B, n), W (n, m), b (m,), z and δ (B, m)", None, None),
            _r(
                "error signal",
                "δ = ∂L/∂z = ∂L/∂a ⊙ act'(z)",
                None,
                r"$\delta=\partial L/\partial a\odot\mathrm{act}'(z)$",
            ),
            _r(
                "gradients",
                "∂L/∂W = xᵀδ, ∂L/∂b = Σ rows of δ, ∂L/∂x = δWᵀ",
                None,
                r"$\partial L/\partial W=x^{\top}\delta,\ \partial L/\partial b=\sum_k\delta_k,\ \partial L/\partial x=\delta W^{\top}$",
            ),
        ),
    ),
    Section(
        "Optimisers (TensorFlow 1)",
        (
            _r(
                "gradient descent",
                "w ← w − lr·g; stable on a·w² while lr < 1/a",
                None,
                r"$w\leftarrow w-\eta g$; stable on $aw^2$ while $\eta<1/a$",
            ),
            _r(
                "momentum",
                "accum ← m·accum + g, w ← w − lr·accum",
                None,
                r"$A\leftarrow mA+g,\ w\leftarrow w-\eta A$",
            ),
            _r(
                "RMSProp",
                "ms ← ms + (g² − ms)(1 − decay), ms starts at 1.0; w ← w − lr·g/√ms",
                None,
                r"$s\leftarrow s+(g^2-s)(1-\rho)$, $s_0=1$; $w\leftarrow w-\eta g/\sqrt{s}$",
            ),
            _r(
                "Adam",
                "m̂/√v̂: the first step is lr in every direction",
                None,
                r"$w\leftarrow w-\eta\,\hat m/(\sqrt{\hat v}+\epsilon)$: first step $\eta$ per parameter",
            ),
            _r(
                "Newton",
                "x ← x − f'/f'', with a Hessian x ← x − H⁻¹∇f",
                None,
                r"$x\leftarrow x-f'/f''$, \ $x\leftarrow x-H^{-1}\nabla f$",
            ),
            _r(
                "Hessian",
                "H[i, j] = ∂²f/∂xᵢ∂xⱼ; det < 0 at a critical point: a saddle",
                None,
                r"$H_{ij}=\partial^2 f/\partial x_i\partial x_j$; $\det H<0$: a saddle",
            ),
        ),
    ),
    Section(
        "Checking",
        (
            _r(
                "central difference",
                "(f(x + h) − f(x − h))/(2h), error ∝ h², best h ≈ ε^(1/3)",
                None,
                r"$\frac{f(x+h)-f(x-h)}{2h}$, error $\propto h^2$, best $h\approx\varepsilon^{1/3}$",
            ),
            _r(
                "Richardson",
                "(4·D(h/2) − D(h))/3 cancels the h² term",
                None,
                r"$(4D(h/2)-D(h))/3$ cancels $h^2$",
            ),
            _r(
                "gradcheck",
                "allclose(a, n): |a − n| ≤ atol + rtol·|n| (1e-5, 1e-3)",
                None,
                r"$|a-n|\le \mathrm{atol}+\mathrm{rtol}\,|n|$ ($10^{-5}$, $10^{-3}$)",
            ),
            _r(
                "TensorFlow",
                "tf.gradients → [g, ...]; compute_gradients → [(g, value), ...]; None if unconnected",
                None,
                None,
            ),
        ),
    ),
    Section(
        "symgrad",
        (
            _cmd("gradient at a point", 'symgrad "w*w+2" --at w=10'),
            _cmd("every rule named", 'symgrad "sin(x^2)" --steps'),
            _cmd("second derivatives", 'symgrad "x^2*y" --hessian --at x=1,y=2'),
            _cmd("check an answer", 'symgrad check "sin(x^2)" --answer "2*x*cos(x^2)"'),
            _cmd("optimizer step", 'symgrad step "w^2" --at w=10 --optimizer adam'),
            _cmd("the Critic", "symgrad critic NETWORK.json --explain 'hidden/W[0,0]'"),
            _cmd("lessons", "symgrad lesson run N --exercise K"),
        ),
    ),
)


@dataclass(frozen=True)
class CheatSheet:
    """The course on one page: rules, layers, losses, optimisers, checks and commands."""

    sections: tuple[Section, ...] = SECTIONS
    title: str = "symgrad cheat sheet: derivatives for machine learning"

    def __rich_console__(self, console, options):
        from rich.table import Table
        from rich.text import Text

        yield Text(self.title, style="bold")
        for section in self.sections:
            table = Table(title=section.title, title_justify="left", show_header=False, box=None)
            table.add_column(style="cyan", no_wrap=False, ratio=1)
            table.add_column(ratio=3)
            for row in section.rows:
                table.add_row(row.text, row.rule)
            yield table

    def plain_text(self) -> str:
        lines = [self.title, ""]
        for section in self.sections:
            lines.append(section.title)
            for row in section.rows:
                head = f"  {row.text:<20} "
                body = textwrap.wrap(row.rule, 100 - len(head)) or [""]
                lines.append(head + body[0])
                lines.extend(" " * len(head) + more for more in body[1:])
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    def to_dict(self) -> dict[str, object]:
        return {
            "title": self.title,
            "sections": [
                {"title": s.title, "rows": [{"what": r.text, "rule": r.rule} for r in s.rows]}
                for s in self.sections
            ],
        }

    def to_latex(self) -> str:
        """A complete one-page LaTeX document (two columns, small type)."""
        body = [_preamble(self.title), r"\begin{document}", r"\small"]
        body.append(rf"\textbf{{\large {escape(self.title)}}}\par\medskip")
        body.append(r"\begin{multicols}{2}")
        columns = r"@{}>{\raggedright}p{0.27\columnwidth}>{\raggedright\arraybackslash}p{0.69\columnwidth}@{}"
        for section in self.sections:
            body.append(r"\noindent\begin{minipage}{\columnwidth}")  # a section never splits
            body.append(rf"\textbf{{{_inline(section.title)}}}\par\smallskip")
            body.append(rf"\begin{{tabular}}{{{columns}}}")
            for row in section.rows:
                body.append(rf"{_inline(row.text)} & {row.latex_rule} \\[1pt]")
            body.append(r"\end{tabular}\end{minipage}\par\medskip")
        body.append(r"\end{multicols}")
        body.append(r"\end{document}")
        return "\n".join(body) + "\n"


def cheatsheet() -> CheatSheet:
    """The one-page cheat sheet of the course."""
    return CheatSheet()
