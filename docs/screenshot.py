"""Make docs/jupyter.png: the README's notebook example, executed, in a real browser.

The cells under "Using symgrad in Jupyter" in README.md run in a real kernel
(nbclient + ipykernel), nbconvert writes the executed notebook as HTML with
MathJax, and headless Chromium takes the screenshot:

    apt-get install -y chromium libjs-mathjax
    pip install -e ".[test]" nbconvert
    python docs/screenshot.py

MathJax comes from Debian's ``libjs-mathjax`` (a local file), so the math is
typeset without any network access.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MATHJAX = Path("/usr/share/javascript/mathjax/MathJax.js")


def readme_cells() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- notebook:[^>]*-->\n```python\n(.*?)```", readme, re.S)
    if m is None:
        raise SystemExit("README.md has no notebook example")
    return m.group(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "jupyter.png")
    parser.add_argument("--size", default="1000,2350", help="browser window WIDTH,HEIGHT")
    args = parser.parse_args()

    import jupytext
    import nbclient
    from nbconvert import HTMLExporter

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None or not MATHJAX.exists():
        raise SystemExit(
            "needs chromium and libjs-mathjax (apt-get install chromium libjs-mathjax)"
        )
    with tempfile.TemporaryDirectory() as tmp:
        nb = jupytext.reads(readme_cells(), fmt="py:percent")
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        client = nbclient.NotebookClient(
            nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": tmp}}
        )
        client.execute()
        exporter = HTMLExporter(template_name="lab")
        exporter.mathjax_url = MATHJAX.as_uri() + "?config=TeX-AMS_CHTML-full"
        body, _ = exporter.from_notebook_node(nb)
        page = Path(tmp) / "notebook.html"
        page.write_text(body, encoding="utf-8")
        shot = Path(tmp) / "shot.png"
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
                "--hide-scrollbars",
                "--allow-file-access-from-files",
                f"--window-size={args.size}",
                "--virtual-time-budget=15000",  # let MathJax typeset before the picture
                f"--screenshot={shot}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        args.out.parent.mkdir(parents=True, exist_ok=True)
        tmp_out = args.out.with_suffix(".png.part")
        shutil.copyfile(shot, tmp_out)
        tmp_out.replace(args.out)  # never a half-written picture
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
