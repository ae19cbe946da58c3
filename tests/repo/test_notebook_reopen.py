"""A notebook that a learner runs and saves must reopen with its explorers drawn (issue 14, item 13), with no
"Error displaying widget: model not found" (issue 24), and opening it must not change it.

JupyterLab autosaves, and by default it does not write widget state into the notebook: the saved file
keeps the widget state the committed notebook was built with. The explorers' widgets therefore get
stable model ids, so the outputs of a learner's run point at models whose state the file still holds;
progress bars turn into a line of text when they close, so no output points at a bar's model.
The notebooks are read as committed (conftest.committed_text), never a learner's working copy.
The browser test (test_browser.py) replays the whole run-save-reopen sequence in JupyterLab; these
checks need no browser.
"""
import json
import re
from pathlib import Path

import pytest
import torch
from conftest import committed_text

from distill_helpers.teaching.widgets import loss_explorer, temperature_explorer

ROOT = Path(__file__).resolve().parents[2]
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
    nb = json.loads(committed_text(ROOT / "notebooks" / name))
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


NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")) + sorted(
    (ROOT / "classroom" / "source").glob("[0-9][0-9]_*/[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name if p.parent.name == "notebooks" else f"classroom/{p.name}")
def test_committed_metadata_is_what_jupyterlab_writes(path):
    """JupyterLab sets the kernelspec from the kernel's spec and language_info from the kernel's reply when it
    opens a notebook; a value that differs marks the notebook modified and autosave rewrites it (a dirty
    `git status` after merely opening it). The reference here is the installed kernel itself."""
    from ipykernel.ipkernel import IPythonKernel
    from jupyter_client.kernelspec import KernelSpecManager
    meta = json.loads(committed_text(path))["metadata"]
    spec = KernelSpecManager().get_kernel_spec("python3")
    assert meta["kernelspec"] == {"name": "python3", "display_name": spec.display_name, "language": spec.language}, \
        "refresh with: python tools/build_notebooks.py --metadata-only"
    info = dict(IPythonKernel.language_info)
    # the patch version is this interpreter's: JupyterLab will write the learner's own (README: Python 3.11)
    assert {k: v for k, v in meta["language_info"].items() if k != "version"} == \
        {k: v for k, v in info.items() if k != "version"}, "refresh with: python tools/build_notebooks.py --metadata-only"
    assert meta["language_info"]["version"].split(".")[:2] == info["version"].split(".")[:2]


PROGRESS_CELLS = [
    "import sys; sys.path.insert(0, {root!r})\n"
    "from distill_helpers.teaching.widgets import progress_bar\n"
    "bar = progress_bar(total=3, desc='demo', unit='epoch')\n"
    "for _ in range(3):\n    bar.update(1)\n"
    "bar.close()",
    "stopped = progress_bar(total=4, desc='cut short', unit='epoch')\nstopped.update(1)\nstopped.close()",
    "for _ in progress_bar(range(2), desc='looped', unit='item'):\n    pass",
    "import torch\nfrom torch.utils.data import TensorDataset\n"
    "from distill_helpers import MLP, RECIPES, train_model\n"
    "torch.manual_seed(0)\n"
    "h = train_model(MLP(hidden=(6,)), TensorDataset(torch.rand(40, 1, 28, 28), torch.arange(40) % 3), "
    "recipe=RECIPES.student.with_(epochs=2, batch_size=20))",
]


def test_progress_bars_leave_a_line_of_text_not_a_widget_view():
    """Executed in a real kernel (nbclient, as the builder does): a closed bar is text, no output holds a view
    of a bar's widget, and no bar model is left open for a saved notebook to miss."""
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c.format(root=str(ROOT)) if i == 0 else c)
                for i, c in enumerate(PROGRESS_CELLS)]
    NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True).execute()
    outputs = [c.outputs for c in nb.cells]
    assert not [o for cell in outputs for o in cell if VIEW in o.get("data", {})], outputs
    texts = ["".join(o.get("data", {}).get("text/plain", "") for o in cell) for cell in outputs]
    assert re.match(r"demo: 100%\s+3/3 \[", texts[0]), texts[0]
    assert re.match(r"cut short:\s+25%\s+1/4 \[", texts[1]) and texts[1].endswith("(stopped)"), texts[1]
    assert re.match(r"looped: 100%\s+2/2 \[", texts[2]), texts[2]
    assert re.match(r"train: 100%\s+2/2 \[.*loss=", texts[3]), texts[3]  # the training loop's own bar
    assert "error" not in [o["output_type"] for cell in outputs for o in cell]
