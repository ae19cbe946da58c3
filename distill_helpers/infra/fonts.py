"""Chinese text in figures, offline: the shipped Noto Sans SC registered with matplotlib as a fallback font.

`assets/NotoSansSC-Regular.otf` is one OpenType face (not a .ttc collection, of which matplotlib would only
see the first face), under the SIL Open Font License 1.1 (`assets/OFL.txt`). It is appended to
matplotlib's font.family list, so Latin text keeps DejaVu Sans (English figures are unchanged) and matplotlib takes each
Chinese glyph from Noto Sans SC. `distill_helpers.teaching.plots` and `distill_helpers.teaching.widgets` call `register()`
at import; call it yourself before a figure that imports neither.
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["CJK_FONT", "CJK_FAMILY", "register"]

CJK_FONT = Path(__file__).resolve().parents[1] / "assets" / "NotoSansSC-Regular.otf"
CJK_FAMILY = "Noto Sans SC"


def register() -> str:
    """Add the shipped CJK font to matplotlib (once) and to the end of its sans-serif list; its family name."""
    import matplotlib
    from matplotlib import font_manager

    if not CJK_FONT.is_file():
        raise FileNotFoundError(f"the Chinese font {CJK_FONT.name} is missing from the package "
                                f"(expected at {CJK_FONT}); reinstall distill_helpers")
    if not any(Path(f.fname).name == CJK_FONT.name for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(CJK_FONT))
    # matplotlib resolves a generic family ('sans-serif') to one font, so the fallback goes into font.family
    families = list(matplotlib.rcParams["font.family"])
    if CJK_FAMILY not in families:
        matplotlib.rcParams["font.family"] = families + [CJK_FAMILY]
    return CJK_FAMILY
