"""Lessons as notebooks, HTML and PDF, and the cheat sheet: each output opened and checked."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess

import pytest

from symgrad import lesson_handouts as handouts
from symgrad.cli import main
from symgrad.errors import InputError
from symgrad.files import written_by_symgrad
from symgrad.lessons import execute, load_lesson

HAVE_TEX = shutil.which("pdflatex") is not None
needs_tex = pytest.mark.skipif(not HAVE_TEX, reason="pdflatex is not installed")


@pytest.fixture(autouse=True)
def _figures(tmp_path, monkeypatch):
    monkeypatch.setenv("SYMGRAD_FIGURES", str(tmp_path / "figures"))
    (tmp_path / "figures").mkdir()


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def _pdf_text(pdf: bytes, tmp_path) -> str | None:
    """The PDF's text through pdftotext, where poppler is installed."""
    if shutil.which("pdftotext") is None:
        return None
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    run = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True)
    return run.stdout


# -- writing files ---------------------------------------------------------------------


@pytest.fixture
def out(tmp_path):
    """An empty folder for the files a test writes."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_write_file_replaces_its_own_files_atomically(out):
    tmp_path = out
    target = tmp_path / "sheet.tex"
    handouts.write_file(target, f"% {handouts.MARK}\none".encode())
    handouts.write_file(target, f"% {handouts.MARK}\ntwo".encode())
    assert target.read_text().endswith("two")
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.tex"]  # no temporary file left
    assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_write_file_refuses_a_file_symgrad_did_not_write(out):
    tmp_path = out
    target = tmp_path / "notes.pdf"
    target.write_bytes(b"my own notes")
    with pytest.raises(handouts.InputError, match="exists and was not written by symgrad"):
        handouts.write_file(target, b"new")
    assert target.read_bytes() == b"my own notes"
    handouts.write_file(target, b"new", force=True)
    assert target.read_bytes() == b"new"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(out, monkeypatch):
    tmp_path = out
    target = tmp_path / "a.tex"
    target.write_bytes(f"% {handouts.MARK}\nold".encode())

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(handouts.os, "replace", broken)
    with pytest.raises(InputError, match="disk full"):  # one line for the user, not a traceback
        handouts.write_file(target, b"new")
    assert target.read_bytes().endswith(b"old")
    assert [p.name for p in tmp_path.iterdir()] == ["a.tex"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["lesson", "export", "1"], "export needs --to FORMAT"),
        (["lesson", "export", "99", "--to", "tex"], "no lesson 99"),
        (["lesson", "cheatsheet", "--to", "ipynb"], "the cheat sheet has no ipynb form"),
        (["lesson", "cheatsheet", "3"], "lesson cheatsheet takes no number"),
        (["lesson", "show", "1", "--to", "pdf"], "--to is for export and cheatsheet"),
        (["lesson", "cheatsheet", "--to", "tex", "-o", "missing/dir/x.tex"], "does not exist"),
        (["lesson", "cheatsheet", "--to", "tex", "-o", "/dev/null"], "is not a regular file"),
        (["lesson", "cheatsheet", "--to", "tex", "-o", "."], "is a folder"),
    ],
)
def test_cli_export_errors(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_cli_refuses_to_overwrite_and_force_replaces(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "symgrad-cheatsheet.tex").write_text("a teacher's own file")
    assert main(["lesson", "cheatsheet", "--to", "tex"]) == 2
    assert "was not written by symgrad (choose another --output, or pass --force" in (
        capsys.readouterr().err
    )
    assert main(["lesson", "cheatsheet", "--to", "tex", "--force"]) == 0
    assert "wrote symgrad-cheatsheet.tex" in capsys.readouterr().out
    assert main(["lesson", "cheatsheet", "--to", "tex"]) == 0  # its own file now


def test_no_tex_engine_is_one_line_exit_2(capsys, out, monkeypatch):
    tmp_path = out
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(handouts.shutil, "which", lambda name: None)
    assert main(["lesson", "cheatsheet", "--to", "pdf"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "making a PDF needs pdflatex, which is not installed" in err
    assert "apt-get install texlive-latex-base" in err
    assert not list(tmp_path.iterdir())


def test_no_notebook_packages_is_one_line_exit_2(capsys, tmp_path, monkeypatch):
    import sys

    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "jupytext", None)  # import fails
    assert main(["lesson", "export", "2", "--to", "ipynb"]) == 2
    err = capsys.readouterr().err
    assert "exporting a notebook needs jupytext" in err and "symgrad[notebook]" in err


# -- the cheat sheet -----------------------------------------------------------------


def test_cheatsheet_on_the_terminal(capsys):
    assert main(["lesson", "cheatsheet", "--format", "plain"]) == 0
    out = capsys.readouterr().out
    assert "∂L/∂z = p − y" in out and "∂L/∂W = xᵀδ" in out
    assert "|a − n| ≤ atol + rtol·|n|" in out
    assert all(len(line) <= 100 for line in out.splitlines())


@pytest.mark.parametrize("width", [60, 100])
def test_cheatsheet_renders_rich_at_any_width(width):
    from rich.cells import cell_len
    from rich.console import Console

    buf = io.StringIO()
    Console(file=buf, width=width, color_system=None).print(handouts.cheatsheet())
    lines = buf.getvalue().splitlines()
    assert all(cell_len(line) <= width for line in lines)
    assert any("Optimisers (TensorFlow 1)" in line for line in lines)


def test_cheatsheet_json(capsys):
    assert main(["lesson", "cheatsheet", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["title"] for s in data["sections"]][0] == "Rules"


def test_cheatsheet_latex_source(capsys):
    assert main(["lesson", "cheatsheet", "--format", "latex"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"% {handouts.MARK}\n\\documentclass")
    assert r"\partial L/\partial z=p-y" in out


@needs_tex
def test_cheatsheet_pdf_is_one_page(tmp_path):
    pdf = handouts.compile_pdf(handouts.cheatsheet().to_latex())
    assert pdf.startswith(b"%PDF") and _pages(pdf) == 1
    assert handouts.MARK.encode() in pdf
    text = _pdf_text(pdf, tmp_path)
    if text is not None:
        assert "Optimisers (TensorFlow 1)" in text and "gradcheck" in text


# -- lessons as LaTeX and PDF ----------------------------------------------------------


def test_lesson_latex_wraps_code_and_keeps_every_character(tmp_path):
    run = execute(load_lesson(11))
    latex = handouts.lesson_latex(run, tmp_path)
    blocks = re.findall(r"\\begin\{Verbatim\}\[[^\]]*\]\n(.*?)\n\\end\{Verbatim\}", latex, re.S)
    lines = [line for block in blocks for line in block.splitlines()]
    assert lines and all(len(line) <= handouts.CODE_WIDTH for line in lines)
    joined = "".join(line.removeprefix("↪   ").strip() for line in lines).replace(" ", "")
    for cell in run.lesson.cells:
        if cell.kind == "code" and "exercises" not in cell.tags:
            for line in cell.source.splitlines():
                assert line.replace(" ", "") in joined
    assert "[U+" not in latex  # every character the lesson uses has a LaTeX form


@pytest.mark.parametrize(
    ("markdown", "latex"),
    [
        ("## A *b* `c_d`", r"\subsection*{A \emph{b} \texttt{c\_d}}"),
        ("**Goal:** 50% of x & y", r"\textbf{Goal:} 50\% of x \& y"),
        ("- one\n- two `--at`", "\\begin{itemize}\n\\item one\n\\item two \\texttt{-{}-{}at}"),
        ("| a | b |\n| --- | --- |\n| 1 | 2 |", "a & b \\\\\n\\midrule\n1 & 2 \\\\"),
    ],
)
def test_markdown_to_latex(markdown, latex):
    assert latex in handouts.markdown_latex(markdown)


@needs_tex
def test_lesson_pdf_through_pdflatex_with_its_picture(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["lesson", "export", "1", "--to", "pdf"]) == 0
    pdf = (tmp_path / "01_slope.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and _pages(pdf) >= 2
    assert handouts.MARK.encode() in pdf
    assert b"/Subtype /Image" in pdf  # the tangent picture
    text = _pdf_text(pdf, tmp_path)
    if text is not None:
        assert "Lesson 1: The derivative as a slope" in text
        assert "compute_gradients: [(20.0, 10.0)]" in text


# -- notebooks and HTML: one lesson executed in a real kernel --------------------------


@pytest.fixture(scope="module")
def executed_notebook(tmp_path_factory):
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    figures = tmp_path_factory.mktemp("figures")
    return handouts.lesson_notebook(load_lesson(1), figures=figures)


def test_the_notebook_ran_in_a_kernel(executed_notebook):
    nb = executed_notebook
    assert nb.metadata["symgrad"]["lesson"] == 1
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)  # every code cell was executed
    text = "".join(o.get("text", "") for c in code for o in c.outputs)
    assert "compute_gradients: [(20.0, 10.0)]" in text  # symgrad's real output, from the kernel
    pictures = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(pictures) == 1  # the tangent line, shown inline
    questions = [c for c in nb.cells if c.cell_type == "markdown" and "The exercises" in c.source]
    assert len(questions) == 1 and "4. From w = 10" in questions[0].source


def test_the_notebook_file_is_valid_and_replaceable(executed_notebook, tmp_path):
    import nbformat

    path = tmp_path / "lesson.ipynb"
    handouts.write_file(path, nbformat.writes(executed_notebook).encode())
    nbformat.validate(nbformat.read(path, as_version=4))
    assert written_by_symgrad(path, handouts.MARK)


def test_the_html_page(executed_notebook, tmp_path):
    html = handouts.notebook_html(executed_notebook)
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert f'<meta name="generator" content="{handouts.MARK}">' in html
    assert "Lesson 1: The derivative as a slope" in html
    assert "compute_gradients: [(20.0, 10.0)]" in html
    assert "data:image/png;base64," in html


def test_cli_export_notebook_without_a_kernel(capsys, tmp_path, monkeypatch):
    pytest.importorskip("jupytext")
    import nbformat

    monkeypatch.chdir(tmp_path)
    assert main(["lesson", "export", "3", "--to", "ipynb", "--no-execute"]) == 0
    assert "wrote 03_exp_log_trig.ipynb" in capsys.readouterr().out
    nb = nbformat.read(tmp_path / "03_exp_log_trig.ipynb", as_version=4)
    assert nb.cells[0].source.startswith("# Lesson 3: The derivatives of exp, log, sin and cos")
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_write_file_refuses_a_link_even_to_its_own_file(out):
    own = out / "own.tex"
    handouts.write_file(own, f"% {handouts.MARK}\none".encode())
    link = out / "link.tex"
    link.symlink_to(own)
    with pytest.raises(InputError, match="is a symbolic link"):
        handouts.write_file(link, b"new", force=True)
    assert own.read_text().endswith("one")
