"""A notebook that a learner runs and saves must reopen with its explorers drawn (issue 14, item 13).

JupyterLab autosaves, and by default it does not write widget state into the notebook: the saved file
keeps the widget state the committed notebook was built with. The explorers' widgets therefore get
stable model ids, so the outputs of a learner's run point at models whose state the file still holds.
The browser test (test_browser.py) replays the whole run-save-reopen sequence in JupyterLab; these
checks need no browser.
"""
import json
import re
from pathlib import Path

import pytest
import torch

from distill_helpers.widgets import loss_explorer, temperature_explorer

ROOT = Path(__file__).resolve().parents[1]
VIEW = "application/vnd.jupyter.widget-view+json"
STATE = "application/vnd.jupyter.widget-state+json"


def _tree_ids(widget) -> set:
    """Model ids of a widget, its layout and style, and of all its children, recursively."""
    ids = {widget.model_id}
    for part in ("layout", "style"):
        if getattr(widget, part, None) is not None:
            ids.add(getattr(widget, part).model_id)
    for child in getattr(widget, "children", ()):
        ids |= _tree_ids(child)
    return ids


def _explorers():
    X, t = torch.rand(2, 1, 28, 28), torch.randn(2, 10)
    y = torch.tensor([1, 2])
    return {"02_temperature.ipynb": lambda: temperature_explorer(X, student_logits=t, teacher_logits=t, labels=y),
            "03_kl_and_loss.ipynb": lambda: loss_explorer(student_logits=t, teacher_logits=t, labels=y)}


def _referenced(state: dict, model_id: str) -> set:
    """model_id and every model its state refers to (children, layout, style), recursively."""
    seen, todo = set(), [model_id]
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        todo += re.findall(r"IPY_MODEL_([0-9a-f]+)", json.dumps(state.get(m, {}).get("state", {})))
    return seen


@pytest.mark.parametrize("name", ["02_temperature.ipynb", "03_kl_and_loss.ipynb"])
def test_a_run_and_save_still_finds_every_widget_state(name):
    nb = json.loads((ROOT / "notebooks" / name).read_text())
    state = nb["metadata"]["widgets"][STATE]["state"]
    shown = [o["data"][VIEW]["model_id"] for c in nb["cells"] if c["cell_type"] == "code"
             for o in c.get("outputs", []) if VIEW in o.get("data", {})]
    assert len(shown) == 1, f"{name} should show one explorer"
    assert _referenced(state, shown[0]) <= set(state), "the committed file itself is incomplete"
    # A learner's run creates its widgets under the same ids, so after an autosave (outputs new, widget
    # state as committed) every output still points at stored state: the explorer reopens drawn.
    fresh = _explorers()[name]()
    assert fresh.widget.model_id == shown[0], "rebuild the notebook with tools/build_notebooks.py"
    assert _tree_ids(fresh.widget) == _referenced(state, shown[0])
    assert "image/png" in fresh._repr_mimebundle_()  # renderers without widgets get a picture too


def test_running_the_cell_again_replaces_the_widgets_under_the_same_ids():
    make = _explorers()["02_temperature.ipynb"]
    first = make()
    first_ids = _tree_ids(first.widget)
    second = make()
    assert _tree_ids(second.widget) == first_ids
    assert first.widget.comm is None and second.widget.comm is not None  # the old ones were closed
    assert temperature_explorer(torch.rand(1, 1, 28, 28), teacher_logits=torch.randn(1, 10),
                                key="another").widget.model_id != second.widget.model_id  # a second explorer shown at once takes its own key
