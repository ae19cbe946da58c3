"""The language a learner reads: one setting, and `tr`, which looks an English text up in a catalogue.

The language is, in this order: `set_language("zh")` if called; else $DISTILL_LANG (``en`` or ``zh``;
``zh-CN`` / ``zh_CN`` also mean ``zh``); else ``zh`` when the kernel runs a notebook of the Chinese edition
(the current folder is ``notebooks/zh``, or Jupyter's $JPY_SESSION_NAME names a file there, or a notebook
whose metadata says ``"language": "zh-CN"``, as the Chinese classroom copies do); else ``en``.

``tr(text)`` returns `text` unchanged in English. In Chinese it returns the catalogue's translation of it:
the English is the key, written as the code writes it, so a notebook's code cell stays readable English::

    print(tr(f"train {n} digits, test {m}"))      # key "train {} digits, test {}"
                                                   # zh  "训练集 {0} 张数字，测试集 {1} 张"

`text` is the already formatted string. Each ``{}`` of the key stands for one formatted value, which the
Chinese template places with ``{0}``, ``{1}``, ... (so a number is printed by the same f-string in both
editions). A text without a catalogue entry stays English; ``tests/unit/infra/test_i18n.py`` checks statically that
every ``tr(...)`` call of the package and of the notebooks that have a Chinese edition has an entry, and
that no entry is unused. See docs/i18n.md.

`say(...)` is `print` with each text argument through `tr`. A Chinese text that `tr` returns pads itself by
display width in an f-string (``f"{tr('model'):<27}"``): a Chinese character takes two columns of a
monospaced output, so a table's columns stay aligned in both editions.
"""
from __future__ import annotations

import functools
import json
import os
import re
import unicodedata
from pathlib import Path

__all__ = ["LANGUAGES", "language", "set_language", "tr", "say", "template_regex", "display_width"]

LANGUAGES = ("en", "zh")
LANG_ENV = "DISTILL_LANG"
_ALIASES = {"en": "en", "en-us": "en", "en_us": "en", "en-gb": "en", "zh": "zh", "zh-cn": "zh", "zh_cn": "zh",
            "zh-hans": "zh"}
_override: str | None = None


def _normalise(lang: str, where: str) -> str:
    key = str(lang).strip().lower()
    if key not in _ALIASES:
        raise ValueError(f"{where}: unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    return _ALIASES[key]


def set_language(lang: str | None) -> None:
    """Set the language for this process ('en' or 'zh'); None goes back to $DISTILL_LANG and the folder."""
    global _override
    _override = None if lang is None else _normalise(lang, "set_language")


def _in_zh_edition() -> bool:
    """True when this kernel runs a notebook of notebooks/zh/ (Jupyter starts it in the notebook's folder)."""
    cwd = Path.cwd()
    if cwd.name == "zh" and cwd.parent.name == "notebooks":
        return True
    session = os.environ.get("JPY_SESSION_NAME", "").replace("\\", "/")
    if "notebooks/zh/" in session or session.startswith("zh/"):
        return True
    return bool(session) and _declares_chinese(session, str(cwd))


@functools.lru_cache(maxsize=8)
def _declares_chinese(session: str, cwd: str) -> bool:
    """True when the notebook that $JPY_SESSION_NAME names has "language": "zh-CN" in its metadata: a copy of the
    Chinese classroom edition, which nbgrader releases into a folder of any name (read once per kernel)."""
    path = Path(session)
    if not path.is_absolute():  # older servers give the path from their root; the kernel runs in its folder
        path = Path(cwd) / path.name
    try:
        with open(path, encoding="utf-8") as f:
            lang = json.load(f).get("metadata", {}).get("language")
    except (OSError, ValueError, AttributeError):
        return False
    return isinstance(lang, str) and _ALIASES.get(lang.strip().lower()) == "zh"


def language() -> str:
    """'en' or 'zh' (see the module docstring for where it comes from)."""
    if _override is not None:
        return _override
    env = os.environ.get(LANG_ENV, "").strip()
    if env:
        return _normalise(env, f"${LANG_ENV}")
    return "zh" if _in_zh_edition() else "en"


def template_regex(key: str) -> re.Pattern:
    """The pattern a formatted text of `key` matches: each '{}' of the key captures one formatted value."""
    parts = key.split("{}")
    return re.compile("(.*?)".join(re.escape(p) for p in parts), re.DOTALL)


@functools.lru_cache(maxsize=None)
def _compiled(lang: str) -> tuple[dict[str, str], list[tuple[int, re.Pattern, str]]]:
    """(exact keys, [(literal length, pattern, template)] for keys with '{}', longest literal first)."""
    from .i18n_zh import CATALOGUE
    catalogue = {"zh": CATALOGUE}[lang]
    exact = {k: v for k, v in catalogue.items() if "{}" not in k}
    patterns = sorted(((len(k.replace("{}", "")), template_regex(k), v) for k, v in catalogue.items() if "{}" in k),
                      key=lambda t: -t[0])
    return exact, patterns


def display_width(text: str) -> int:
    """Columns `text` takes in a monospaced font: 2 for each wide (CJK) character, else 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_SPEC = re.compile(r"^(?P<head>(?:.?[<>^=])?[-+ ]?z?#?0?)(?P<width>\d+)(?P<tail>.*)$", re.DOTALL)


class _Translated(str):
    """A translated text; in an f-string with a width it pads by display width, not by characters."""

    def __format__(self, spec: str) -> str:
        m = _SPEC.match(spec)
        if not m:
            return format(str(self), spec)
        width = max(0, int(m.group("width")) - (display_width(self) - len(self)))
        return format(str(self), f"{m.group('head')}{width}{m.group('tail')}")


def tr(text: str) -> str:
    """`text` in the current language (unchanged in English, or when the catalogue has no entry for it)."""
    lang = language()
    if lang == "en" or not isinstance(text, str):
        return text
    exact, patterns = _compiled(lang)
    if text in exact:
        return _Translated(exact[text])
    for _, pattern, template in patterns:
        m = pattern.fullmatch(text)
        if m:
            return _Translated(template.format(*m.groups()))
    return text


def say(*values, **print_kwargs) -> None:
    """`print`, with every str argument in the current language (`tr`)."""
    print(*(tr(v) if isinstance(v, str) else v for v in values), **print_kwargs)
