"""How results show themselves in a Jupyter notebook: typeset math and the TF-style lines.

Every result's ``_repr_mimebundle_`` comes here. A notebook gets

* ``text/latex``: the result's LaTeX (the same ``align*`` as ``--format latex``),
  for front ends that typeset LaTeX outputs;
* ``text/html``: that math inside ``$$ … $$`` (MathJax typesets it in Jupyter,
  JupyterLab and nbconvert's HTML), followed by the result's lines that are not
  formulas (values, checks, ``compute_gradients``, notes) as coloured text;
* ``text/plain``: the plain text, as ``print`` shows it.

Pictures (:class:`symgrad.pictures.Picture`) show as inline PNG.

>>> from symgrad import grad
>>> bundle = grad("w*w+2", at={"w": 10})._repr_mimebundle_()
>>> sorted(bundle)
['text/html', 'text/latex', 'text/plain']
>>> "compute_gradients: [(20.0, 10.0)]" in bundle["text/html"]
True
"""

from __future__ import annotations

import html
import re
from typing import Any

from symgrad.render import PRE, Formula, css_of, styled_html

#: Notebook cells are about this wide in characters of monospace text.
NOTEBOOK_WIDTH = 100


def _aligned(latex: str) -> str:
    """``align*`` blocks as ``aligned`` inside ``$$``, which every MathJax setup typesets."""
    body = latex.replace(r"\begin{align*}", r"$$\begin{aligned}")
    return body.replace(r"\end{align*}", r"\end{aligned}$$")


def _text_lines(result: Any, width: int) -> list[tuple[str, str]]:
    """The result's lines that are not formulas (those are typeset), laid out for ``width``."""
    from symgrad.render import fit

    lines = result.lines()
    if lines and isinstance(lines[0], list):  # a derivation: fragments per line
        return []
    out: list[tuple[str, str]] = []
    for text, style in lines:
        if isinstance(text, Formula):
            continue
        out += [(line, style) for line in fit(text, width)]
    while out and not out[0][0].strip():
        out.pop(0)
    return _squeeze(out)


def _squeeze(lines: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for line in lines:
        if not line[0].strip() and out and not out[-1][0].strip():
            continue
        out.append(line)
    return out


def mimebundle(result: Any, width: int = NOTEBOOK_WIDTH) -> dict[str, str]:
    """The notebook display of ``result``: ``text/latex``, ``text/html`` and ``text/plain``."""
    latex = result.to_latex()
    plain = result.plain_text(width).rstrip("\n")
    parts = [f'<div class="symgrad-math">{html.escape(_aligned(latex), quote=False)}</div>']
    gradient = getattr(result, "gradient", None)
    if hasattr(result, "derivations"):  # several derivations: their outline, then the values
        parts += [_outline_html(d, width) for d in result.derivations]
        if gradient is not None:
            parts.append("<br>" + styled_html(_text_lines(gradient, width)))
    elif hasattr(result, "root"):  # one derivation
        parts.append(_outline_html(result, width))
    else:
        rest = _text_lines(result, width)
        if rest:
            parts.append(styled_html(rest))
    return {
        "text/plain": plain,
        "text/latex": _aligned(latex),
        "text/html": '<div class="symgrad">' + "\n".join(parts) + "</div>",
    }


def _outline_html(derivation: Any, width: int) -> str:
    """The numbered outline as styled text (each line in the style of its first fragment)."""
    from symgrad.derivation import STYLES

    rows = []
    for line in derivation.layout(width):
        spans = []
        for text, style in line:
            css = css_of(STYLES.get(style, style))
            body = html.escape(text)
            spans.append(f'<span style="{css}">{body}</span>' if css and body else body)
        rows.append("".join(spans))
    return PRE + "\n".join(rows) + "</pre>"


_SPAN = re.compile(r"<[^>]+>")


def html_text(bundle_html: str) -> str:
    """The text of an HTML display without its tags (for tests and summaries)."""
    return html.unescape(_SPAN.sub("", bundle_html))
