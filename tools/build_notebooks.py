"""Build notebooks/NN_*.ipynb from notebooks/src/NN_*.nb.txt and execute them from a fresh kernel.

Source format: cells separated by lines '%% md' or '%% code'. Usage:
    python tools/build_notebooks.py            # build and execute all
    python tools/build_notebooks.py 02 03      # only these
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat

NB_DIR = Path(__file__).resolve().parents[1] / "notebooks"


def parse(src: str) -> list[tuple[str, str]]:
    cells, kind, buf = [], None, []
    for line in src.splitlines():
        if line.strip() in ("%% md", "%% code"):
            if kind is not None:
                cells.append((kind, "\n".join(buf).strip("\n")))
            kind, buf = line.strip()[3:], []
        else:
            buf.append(line)
    if kind is not None:
        cells.append((kind, "\n".join(buf).strip("\n")))
    return cells


def build(src_path: Path) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}
    for kind, text in parse(src_path.read_text()):
        nb.cells.append(nbformat.v4.new_markdown_cell(text) if kind == "md" else nbformat.v4.new_code_cell(text))
    for i, c in enumerate(nb.cells):
        c["id"] = f"c{i:02d}"
    return nb


def execute(nb: nbformat.NotebookNode, timeout: int = 600) -> None:
    from nbclient import NotebookClient
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(NB_DIR)}}).execute()
    for c in nb.cells:  # no timing or machine-specific metadata in the committed file
        c.metadata.pop("execution", None)


def main(argv: list[str]) -> int:
    srcs = sorted((NB_DIR / "src").glob("*.nb.txt"))
    if argv:
        srcs = [s for s in srcs if any(s.name.startswith(a) for a in argv)]
    for s in srcs:
        t0 = time.perf_counter()
        nb = build(s)
        execute(nb)
        out = NB_DIR / s.name.replace(".nb.txt", ".ipynb")
        nbformat.write(nb, out)
        print(f"{out.name}: {time.perf_counter() - t0:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
