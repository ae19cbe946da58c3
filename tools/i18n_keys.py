"""The catalogue keys that code asks `tr` / `say` for, read statically from the source (no execution).

An f-string argument becomes its template: each replacement field is '{}', except a field of a constant
(``{'model':<27}``), which is formatted as Python would. A call with neither a string nor an f-string as
argument (``tr(name)``) has no static key and is not listed; of ``say(a if c else b)`` both branches are.

Usage: python tools/i18n_keys.py [--missing] [NN ...]   # the keys of the package and of notebooks NN
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CALLS = ("tr", "say")


def template(node: ast.AST) -> str | None:
    """The key of a str constant or an f-string node, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if not isinstance(node, ast.JoinedStr):
        return None
    out = []
    for part in node.values:
        if isinstance(part, ast.Constant):
            out.append(part.value)
        elif (isinstance(part, ast.FormattedValue) and isinstance(part.value, ast.Constant) and part.conversion == -1
              and (part.format_spec is None or all(isinstance(v, ast.Constant) for v in part.format_spec.values))):
            spec = "" if part.format_spec is None else "".join(v.value for v in part.format_spec.values)
            out.append(format(part.value.value, spec))
        else:
            out.append("{}")
    return "".join(out)


def keys_in_code(code: str) -> list[str]:
    """Every static key of a tr(...) or say(...) call in `code` (IPython magics are skipped)."""
    lines = [ln for ln in code.split("\n") if not ln.lstrip().startswith(("%", "!"))]
    tree = ast.parse("\n".join(lines))
    keys = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name in CALLS:
                args, todo = [], list(node.args)
                while todo:  # `x if cond else y` as an argument (chained too): every branch is a key
                    a = todo.pop(0)
                    if isinstance(a, ast.IfExp):
                        todo[:0] = [a.body, a.orelse]
                    else:
                        args.append(a)
                keys += [k for k in (template(a) for a in args) if k is not None]
    return keys


def package_keys() -> list[str]:
    keys = []
    for path in sorted((ROOT / "distill_helpers").rglob("*.py")):
        if path.name not in ("i18n.py", "i18n_zh.py"):
            keys += keys_in_code(path.read_text(encoding="utf-8"))
    return keys


def notebook_keys(src_path: Path) -> list[str]:
    sys.path.insert(0, str(ROOT / "tools"))
    from build_notebooks import parse_cells
    return [k for kind, text, _ in parse_cells(src_path.read_text()) if kind == "code" for k in keys_in_code(text)]


def main(argv: list[str]) -> int:
    missing_only = "--missing" in argv
    names = [a for a in argv if a != "--missing"]
    from distill_helpers.infra.i18n_zh import CATALOGUE
    keys = package_keys()
    for s in sorted((ROOT / "notebooks" / "src").glob("*.nb.txt")):
        if any(s.name.startswith(n) for n in names):
            keys += notebook_keys(s)
    for k in dict.fromkeys(keys):
        if not missing_only or k not in CATALOGUE:
            print(repr(k))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
