"""The language setting, `tr`, the Chinese catalogue, and Chinese text in figures (docs/i18n.md)."""
import re
import string
import sys
import warnings
from pathlib import Path

import matplotlib
import pytest

from distill_helpers.infra import i18n
from distill_helpers.infra.i18n import display_width, language, say, set_language, template_regex, tr
from distill_helpers.infra.i18n_zh import CATALOGUE
from distill_helpers.scale.whatworks import ARMS

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tools"))
import i18n_keys  # noqa: E402
import build_notebooks as bn  # noqa: E402

CJK = re.compile(r"[\u3400-\u9fff]")
SOURCES = sorted((ROOT / "notebooks" / "src").glob("*.nb.txt"))
TRANSLATED = [s for s in SOURCES if bn.zh_source(s).exists()]
# texts that reach tr() as values, not as literals: plot_reliability's default title, the names of notebook 02's
# students (dict keys that the plot helpers and a say() pass through tr()), the line examples/ddp_distill.py prints
# (notebook 07 says it from the recorded run)
INDIRECT = {"reliability diagram", "scratch", "distilled", "student (distilled)",
            "{} process(es): validation accuracy {}, epoch times {} s"}
# notebook 08's names that its code keeps as dict keys and values and prints through tr(): its methods, data
# sources and measures, the findings of section 8 (the claims as they are formatted there) and their verdicts
NB08_SHOWN = ["labels", "word-level KD", "word-level, reverse KL", "sequence-level KD", "on-policy, forward KL",
              "on-policy, reverse KL", "training text", "student samples", "bpc on the test text",
              "KL(s||t) on the test text", "KL(s||t) on own samples", "grammatical (own samples)", "entropy of own samples",
              "word-level KD has lower bits/char than labels",
              "sequence-level KD has higher bits/char than labels (their perplexity)",
              "own samples lower the reverse KL on the student's own text",
              "own samples make the student's text more often grammatical",
              "the reverse KL lowers the entropy of the student's text",
              "top-1 has higher bits/char than the full distribution",
              "top-5 is as good as the full distribution (within ±{})",
              "reproduced", "reproduced (equivalent)", "not reproduced", "not resolved", "opposite, resolved"]
# notebook 05: verdict words held in variables (`where`, `raw`) and the ablation table's row names (its dict keys)
INDIRECT |= {"below", "inside", "better", "worse", "20 epochs, CNN teacher (the sweep)", "40 epochs, CNN teacher",
             "20 epochs, weak MLP teacher", "20 epochs, uniform (label smoothing)"}
# notebook 10: the two arms its patience figure and live slice name through tr(arm), and the arms' descriptions
# (whatworks.ARMS), which it prints through tr(what)
NB10_SHOWN = ["control", "consistent", *ARMS.values()]
INDIRECT |= set(NB10_SHOWN)


@pytest.fixture
def zh():
    set_language("zh")
    yield
    set_language(None)


@pytest.fixture
def no_setting(monkeypatch, tmp_path):
    monkeypatch.delenv("DISTILL_LANG", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.chdir(tmp_path)
    set_language(None)
    yield tmp_path
    set_language(None)


# ---------------------------------------------------------------- where the language comes from

def test_english_by_default_and_from_the_environment(no_setting, monkeypatch):
    assert language() == "en"
    for value, lang in (("zh", "zh"), ("zh-CN", "zh"), ("zh_CN", "zh"), (" EN ", "en")):
        monkeypatch.setenv("DISTILL_LANG", value)
        assert language() == lang, value


def test_a_kernel_in_notebooks_zh_is_chinese(no_setting, monkeypatch):
    folder = no_setting / "notebooks" / "zh"
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)
    assert language() == "zh"
    monkeypatch.setenv("DISTILL_LANG", "en")  # the explicit setting wins over the folder
    assert language() == "en"
    monkeypatch.delenv("DISTILL_LANG")
    monkeypatch.chdir(no_setting)
    monkeypatch.setenv("JPY_SESSION_NAME", "/home/learner/course/notebooks/zh/01_concepts.ipynb")
    assert language() == "zh"


def test_set_language_overrides_and_bad_values_are_refused(no_setting, monkeypatch):
    set_language("zh")
    monkeypatch.setenv("DISTILL_LANG", "en")
    assert language() == "zh"
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        set_language("fr")
    set_language(None)
    monkeypatch.setenv("DISTILL_LANG", "klingon")
    with pytest.raises(ValueError, match="DISTILL_LANG"):
        language()


# ---------------------------------------------------------------- tr

def test_english_is_returned_unchanged(no_setting):
    text = "train (3500, 1, 28, 28), validation (500, 1, 28, 28), test (1000, 1, 28, 28), pixel range [0, 1], labels torch.int64"
    assert tr(text) is text and tr("teacher") == "teacher"


def test_a_formatted_text_is_translated_with_its_own_values(zh):
    # written out by hand from the catalogue's template: the values are the English f-string's own
    assert tr("label 7") == "标签 7"
    title = tr("parameters of 784-800-800-10")  # the check translates the title, then the sentence around it
    assert tr(f"exercise 01.1 ({title})") == "练习 01.1（784-800-800-10 网络的参数个数）"
    assert tr("T = 4.0, alpha = 0.50: loss 1.2345 (soft 0.5000, hard 0.7345); grad norms soft 0.1000, hard 0.2000") \
        == "T = 4.0，alpha = 0.50：损失 1.2345（软损失 0.5000，硬损失 0.7345）；梯度范数：软损失 0.1000，硬损失 0.2000"


def test_the_longest_matching_key_wins_and_unknown_text_stays_english(zh):
    assert tr("T = 4.00   entropy: teacher 1.234, student 0.987 nats") == "T = 4.00   熵：教师模型 1.234，学生模型 0.987 nats"
    assert tr("T = 4.00   entropy: teacher 1.234") == "T = 4.00   熵：教师模型 1.234"
    assert tr("no entry for this sentence") == "no entry for this sentence"


def test_a_translated_text_pads_by_display_width(zh, capsys):
    header = f"{tr('model'):<10}|{tr('params'):>8}|"
    assert display_width(header) == 10 + 1 + 8 + 1
    assert header == "模型" + " " * 6 + "|" + " " * 2 + "参数量" + "|"
    say("correct", 3)
    assert capsys.readouterr().out == "正确 3\n"


def test_template_regex_captures_each_field():
    assert template_regex("a {} b {}").fullmatch("a 1.5 b x y").groups() == ("1.5", "x y")
    assert template_regex("range [{}, {}]").fullmatch("range [0, 1]").groups() == ("0", "1")


# ---------------------------------------------------------------- the catalogue

def _fields(template: str) -> list[str]:
    return [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]


def _shown_data() -> list[str]:
    """Package data that notebook 09 shows through tr(): the decoder ring's texts, the bug zoo's names and symptoms."""
    from distill_helpers.teaching import bugzoo, conventions
    rows = [t for c in conventions.CONVENTIONS.values() for t in (c.alpha_means, c.t_squared, c.gotcha)]
    return rows + list(bugzoo.BUGS) + [b.symptom for b in bugzoo.BUGS.values()]


def _exercise_titles() -> list[str]:
    from distill_helpers.exercises import all_exercises
    return [ex.title for ex in all_exercises().values() if ex.key[:2] in {s.name[:2] for s in TRANSLATED}]


def test_every_key_the_code_asks_for_is_in_the_catalogue():
    wanted = i18n_keys.package_keys() + [k for s in TRANSLATED for k in i18n_keys.notebook_keys(s)] + _exercise_titles()
    if any(s.name.startswith("02") for s in TRANSLATED):
        wanted += ["scratch", "distilled", "student (distilled)"]
    if any(s.name.startswith("09") for s in TRANSLATED):
        wanted += _shown_data()
    if any(s.name.startswith("08") for s in TRANSLATED):
        wanted += NB08_SHOWN
    missing = sorted(set(wanted) - set(CATALOGUE))
    assert not missing, f"add to distill_helpers/infra/i18n_zh.py (python tools/i18n_keys.py --missing NN): {missing}"


def test_no_catalogue_entry_is_unused():
    from distill_helpers.exercises import all_exercises
    used = set(i18n_keys.package_keys()) | {k for s in SOURCES for k in i18n_keys.notebook_keys(s)} \
        | {ex.title for ex in all_exercises().values()} | INDIRECT | set(_shown_data()) | set(NB08_SHOWN)
    assert sorted(set(CATALOGUE) - used) == []


def test_each_entry_is_chinese_with_the_placeholders_of_its_key():
    for key, zh_text in CATALOGUE.items():
        assert key.replace("{}", "").strip(), f"a key must have text besides its fields: {key!r}"
        n = key.count("{}")
        fields = _fields(zh_text)
        assert sorted(fields, key=lambda f: (len(f), f)) == [str(i) for i in range(n)], (key, zh_text)  # {10} after {9}
        words = re.findall(r"[A-Za-z][A-Za-z_]{2,}", key.replace("{}", ""))
        only_identifiers = all("_" in w or w.isupper() for w in words)  # kd_loss, CE_WEIGHT: names, not words
        assert CJK.search(zh_text) or only_identifiers, (key, zh_text)


def test_the_catalogue_literal_has_no_key_twice():
    # a dict literal keeps the last of two equal keys without a word: the first translation is silently lost
    import ast
    import collections
    tree = ast.parse((ROOT / "distill_helpers" / "infra" / "i18n_zh.py").read_text(encoding="utf-8"))
    node = next(n.value for n in tree.body if isinstance(n, ast.AnnAssign) and n.target.id == "CATALOGUE")
    lines = collections.defaultdict(list)
    for k in node.keys:
        lines[k.value].append(k.lineno)
    twice = {key: at for key, at in lines.items() if len(at) > 1}
    assert not twice, f"keys written more than once in i18n_zh.py (key: lines), keep one: {twice}"


def test_the_key_extractor_reads_f_strings_as_templates():
    code = ("x = 3\nsay(f\"a {x:.2f} b {'model':<7}|\", 'plain')\nprint(tr('teacher'), tr(name))\n"
            "%matplotlib inline\nsay('yes' if x else f'no {x}')\ntr('one' if x else 'two' if x > 1 else 'three')\n")
    assert sorted(i18n_keys.keys_in_code(code)) == ["a {} b model  |", "no {}", "one", "plain", "teacher", "three",
                                                    "two", "yes"]


# ---------------------------------------------------------------- Chinese in figures

def _draw_chinese(fig_maker) -> list[str]:
    """Render a figure with Chinese text; the missing-glyph warnings matplotlib gave."""
    import matplotlib.pyplot as plt
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = fig_maker()
        fig.canvas.draw()
        plt.close(fig)
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_the_shipped_font_is_one_open_licensed_face():
    from matplotlib import ft2font
    from distill_helpers.infra.fonts import CJK_FONT
    assert CJK_FONT.suffix == ".otf" and ft2font.FT2Font(str(CJK_FONT)).num_faces == 1
    assert "SIL Open Font License" in (CJK_FONT.parent / "OFL.txt").read_text(encoding="utf-8")


def test_chinese_figures_have_every_glyph(zh):
    import matplotlib.pyplot as plt
    import torch
    from distill_helpers.teaching.plots import plot_digits_with_probs  # registers the font at import

    def figure():
        probs = torch.softmax(torch.randn(2, 10, generator=torch.Generator().manual_seed(0)), 1)
        fig = plot_digits_with_probs(torch.rand(2, 1, 28, 28), torch.tensor([3, 5]), teacher_probs=probs)
        fig.suptitle("教师模型拿不准的测试数字：软目标、温度、暗知识、KL 散度、迁移集（transfer set）")
        return fig

    assert _draw_chinese(figure) == []
    # the control: without the fallback family the same figure does warn, so the check above can fail
    with matplotlib.rc_context({"font.family": ["sans-serif"]}):
        assert _draw_chinese(figure), "matplotlib no longer warns on a missing glyph: this test cannot fail"
    assert plt.rcParams["font.family"][-1] == "Noto Sans SC"


def test_the_loss_explorer_draws_chinese_labels(zh):
    import torch
    from distill_helpers.teaching.widgets import LossFigure
    g = torch.Generator().manual_seed(0)
    fig = LossFigure(student_logits=torch.randn(4, 10, generator=g), teacher_logits=torch.randn(4, 10, generator=g),
                     labels=torch.tensor([0, 1, 2, 3]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _, text = fig.png(4.0, 0.5)
    assert not [w for w in caught if "missing from font" in str(w.message)]
    assert text.startswith("T = 4.0，alpha = 0.50：损失 ") and fig.ax1.get_title() == "损失的两项"


def test_the_kl_explorer_draws_chinese_labels(zh):
    from distill_helpers import lm
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        widget = lm.kl_fits_explorer(d=7.0, key="kl-fits-explorer-zh-test")
    assert not [w for w in caught if "missing from font" in str(w.message)]
    controls, _, readout = widget.widget.children
    assert controls.children[0].description == "峰间距 d"
    assert "d = 7.0：正向拟合 mu = 0.00" in readout.value and "反向拟合" in readout.value


def test_notebook_08_shows_the_names_listed_for_it():
    """NB08_SHOWN stays honest: each name is a string of notebook 08's code (the claim's {} is its {MARGIN})."""
    src = (ROOT / "notebooks" / "src" / "08_language_models.nb.txt").read_text(encoding="utf-8")
    absent = [n for n in NB08_SHOWN if '"' + n.replace("{}", "{MARGIN}") + '"' not in src]
    assert absent == [], f"notebook 08 no longer shows {absent}: update NB08_SHOWN and the catalogue"


def test_notebook_10_shows_the_names_listed_for_it():
    """NB10_SHOWN stays honest (notebook 10 still passes these to tr()), and has its catalogue entries once 10 is
    translated."""
    src = (ROOT / "notebooks" / "src" / "10_what_makes_kd_work.nb.txt").read_text(encoding="utf-8")
    assert '(("control", "tab:gray"), ("consistent", "tab:blue"))' in src and "label=tr(arm)" in src
    assert 'for a in ("control", "consistent")' in src and "{tr(arm):<11}" in src
    assert "for name, what in ARMS.items():" in src and "{tr(what)}" in src
    if any(s.name.startswith("10") for s in TRANSLATED):
        assert [n for n in NB10_SHOWN if n not in CATALOGUE] == []
