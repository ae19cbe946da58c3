"""Training loops, the frozen teacher, cached-logit alignment, determinism and the model cache."""
import math

import pytest
import torch
from torch import nn

from distill_helpers import (MLP, RECIPES, DistillRecipe, Run, StudentRecipe, TeacherCNN, distill, get_student,
                             get_teacher, train_model)
from distill_helpers.evaluate import predict_logits
from distill_helpers.cache import VERSIONS, entry_path
from distill_helpers.train import batch_indices, random_shift, resolve_device


def _fast(seed=0, kd=None, **recipe):
    """A short recipe (2 epochs, lr 3e-3, batch 16, with `recipe`'s changes), no progress bar; kd when given."""
    out = dict(recipe=RECIPES.student.with_(**{"epochs": 2, "lr": 3e-3, "batch_size": 16, **recipe}),
               run=Run(seed=seed, progress=False))
    return {**out, "kd": kd} if kd is not None else out


QUIET = Run(progress=False)


def test_training_learns_and_returns_plain_history(small_data):
    torch.manual_seed(0)
    model = MLP(hidden=(16,), num_classes=3)
    hist = train_model(model, small_data, small_data, **_fast(seed=0))
    assert set(hist) >= {"epoch", "train_loss", "train_acc", "val_acc", "val_loss", "time_s"}
    assert hist["epoch"] == [1, 2] and all(isinstance(v, float) for v in hist["train_loss"])
    assert hist["val_acc"][-1] > 0.9  # the bands are easy


def test_same_seed_same_weights(small_data):
    def run(seed):
        torch.manual_seed(123)
        m = MLP(hidden=(16,), num_classes=3, dropout=0.2)  # dropout: the RNG is seeded too
        train_model(m, small_data, **_fast(seed=seed))
        return m.state_dict()
    a, b, c = run(0), run(0), run(1)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not all(torch.equal(a[k], c[k]) for k in a)


def test_the_optimizer_is_fused_adam_with_the_textbook_update():
    # independent reference: Adam's update written out (Kingma & Ba, bias-corrected), on the same gradients
    from distill_helpers.train import make_optimizer
    torch.manual_seed(0)
    model = nn.Linear(5, 3)
    w0 = [p.detach().clone() for p in model.parameters()]
    opt, sched = make_optimizer(model, lr=1e-2, total_steps=10)
    assert opt.defaults["fused"] is True
    m = [torch.zeros_like(p) for p in w0]
    v = [torch.zeros_like(p) for p in w0]
    ref = [p.clone() for p in w0]
    for step in range(1, 6):
        lr = 1e-2 * 0.5 * (1 + math.cos(math.pi * (step - 1) / 10))  # the cosine schedule, step by step
        x = torch.randn(4, 5)
        opt.zero_grad()
        model(x).pow(2).sum().backward()
        grads = [p.grad.clone() for p in model.parameters()]
        opt.step()
        sched.step()
        for i, g in enumerate(grads):
            m[i] = 0.9 * m[i] + 0.1 * g
            v[i] = 0.999 * v[i] + 0.001 * g * g
            m_hat, v_hat = m[i] / (1 - 0.9 ** step), v[i] / (1 - 0.999 ** step)
            ref[i] = ref[i] - lr * m_hat / (v_hat.sqrt() + 1e-8)
        for p, r in zip(model.parameters(), ref):
            torch.testing.assert_close(p.detach(), r, rtol=1e-5, atol=1e-6)
            r.copy_(p.detach())  # compare each step from the same weights: rounding does not accumulate


def test_batch_indices_keep_rows_aligned():
    # the loop indexes inputs, labels and cached teacher logits with the same rows: aligned by construction
    n = 50
    X = torch.arange(n).float()[:, None] * 10
    y = torch.arange(n)
    t = torch.arange(n).float()[:, None] * -1
    seen = []
    for idx in batch_indices(n, 8, torch.Generator().manual_seed(0)):
        xb, yb, tb = X[idx], y[idx], t[idx]
        assert torch.equal(xb[:, 0], yb.float() * 10) and torch.equal(tb[:, 0], -yb.float())
        assert len(idx) == 8 or len(idx) == n % 8
        seen += yb.tolist()
    assert sorted(seen) == list(range(n)) and seen != list(range(n))  # every row once, shuffled
    again = torch.cat(list(batch_indices(n, 8, torch.Generator().manual_seed(0))))
    assert again.tolist() == seen  # seeded


class _Recorder(nn.Module):
    """A teacher whose logits encode its input, to check that each batch gets its own teacher logits."""

    def __init__(self, num_classes=3):
        super().__init__()
        self.lin = nn.Linear(784, num_classes)
        self.config = {"arch": "recorder"}

    def forward(self, x):
        return self.lin(x.flatten(1))


def test_cached_teacher_logits_match_per_batch_teacher(small_data, monkeypatch):
    # Pitfall 5: if cached logits were misaligned with the shuffled batches, the two runs would differ.
    torch.manual_seed(0)
    teacher = _Recorder()
    pairs = []
    import distill_helpers.train as tr
    from distill_helpers import fit, kd_loss
    real = tr.kd_loss_unchecked  # the loop's per-batch loss (checks made once, before it)

    def spy(logits, tb, yb, T, alpha):
        pairs.append(tb.detach().clone())
        return real(logits, tb, yb, T, alpha)
    monkeypatch.setattr(tr, "kd_loss_unchecked", spy)

    def live(logits, batch):  # the reference: the teacher run on every batch, by hand
        with torch.no_grad():
            tb = teacher(batch.X)
        pairs.append(tb.clone())
        return kd_loss(logits, tb, batch.y, 2.0, 0.7)

    def run(cache):
        torch.manual_seed(1)
        s = MLP(hidden=(8,), num_classes=3)
        if cache:
            distill(s, teacher, small_data, **_fast(seed=3, kd=DistillRecipe(T=2.0, alpha=0.7)))
        else:
            fit(s, small_data, loss_fn=live, **_fast(seed=3))
        return s.state_dict()
    a = run(True)
    n_batches = len(pairs)
    b = run(False)
    assert len(pairs) == 2 * n_batches
    for p_cached, p_live in zip(pairs[:n_batches], pairs[n_batches:]):
        assert torch.allclose(p_cached, p_live, atol=1e-5)
    assert all(torch.allclose(a[k], b[k], atol=1e-5) for k in a)


def test_teacher_is_frozen_and_in_eval_mode(small_data):
    # Pitfall 4: dropout active or gradients flowing into the teacher.
    torch.manual_seed(0)
    teacher = TeacherCNN(num_classes=3, channels=(4, 8), hidden=16, dropout=0.5)
    train_model(teacher, small_data, **_fast(seed=0))
    teacher.train()  # a careless caller leaves it in train mode
    before = {k: v.clone() for k, v in teacher.state_dict().items()}
    X = small_data.tensors[0]
    seen_modes = []
    teacher.register_forward_hook(lambda m, i, o: seen_modes.append((m.training, o.requires_grad)))
    s = MLP(hidden=(8,), num_classes=3)
    distill(s, teacher, small_data, **_fast(seed=0, augment_shift=1))  # augmented: the teacher runs every batch
    assert seen_modes and all(mode == (False, False) for mode in seen_modes)
    assert all(torch.equal(before[k], v) for k, v in teacher.state_dict().items())
    assert all(p.requires_grad for p in teacher.parameters())  # restored afterwards
    # eval-mode logits are deterministic, train-mode ones are not (dropout)
    assert torch.equal(predict_logits(teacher, X), predict_logits(teacher, X))


def test_distillation_transfers_the_teacher(small_data):
    # A student distilled with alpha=1 never sees a label, yet learns the teacher's function.
    torch.manual_seed(0)
    teacher = MLP(hidden=(32,), num_classes=3)
    train_model(teacher, small_data, **_fast(seed=0))
    torch.manual_seed(1)
    student = MLP(hidden=(8,), num_classes=3)
    X = small_data.tensors[0]
    agree = lambda: (predict_logits(student, X).argmax(1) == predict_logits(teacher, X).argmax(1)).float().mean()  # noqa: E731
    before = agree()
    distill(student, teacher, (X, torch.zeros(len(X), dtype=torch.long)), **_fast(epochs=4, kd=DistillRecipe(2.0, 1.0)))
    assert agree() > 0.95 > before


def test_distill_rejects_bad_arguments(small_data):
    m = MLP(hidden=(4,), num_classes=3)
    with pytest.raises(ValueError, match="same model"):
        distill(m, m, small_data, run=QUIET)
    with pytest.raises(ValueError, match="temperature"):
        distill(m, MLP(hidden=(4,), num_classes=3), small_data, kd=RECIPES.distill.with_(T=0), run=QUIET)
    with pytest.raises(ValueError, match="TensorDataset"):
        train_model(m, [1, 2, 3], run=QUIET)
    t = MLP(hidden=(4,), num_classes=3)
    with pytest.raises(ValueError, match="rows"):
        distill(m, t, small_data, teacher_logits=torch.zeros(5, 3), run=QUIET)
    with pytest.raises(ValueError, match="augment"):
        distill(m, t, small_data, teacher_logits=torch.zeros(120, 3), recipe=RECIPES.student.with_(augment_shift=1),
                run=QUIET)


@pytest.mark.parametrize("call, match", [
    (lambda m, t, d: distill(m, t, d, recipe={"epochs": 1}), r"recipe must be a TrainingRecipe such as RECIPES\.student"),
    (lambda m, t, d: distill(m, t, d, kd=(4.0, 0.9)), r"kd must be a DistillRecipe such as RECIPES\.distill"),
    (lambda m, t, d: distill(m, t, d, kd=RECIPES.student), "kd must be a DistillRecipe"),
    (lambda m, t, d: train_model(m, d, run={"seed": 1}), r"run must be a Run such as Run\(\)"),
    (lambda m, t, d: get_student("scratch", recipe=RECIPES.teacher), "recipe must be a StudentRecipe"),
    (lambda m, t, d: get_teacher(run=3), "run must be a Run"),
])
def test_a_recipe_of_the_wrong_type_is_refused_naming_the_type(small_data, call, match):
    m, t = MLP(hidden=(4,), num_classes=3), MLP(hidden=(4,), num_classes=3)
    before = {k: v.clone() for k, v in m.state_dict().items()}
    with pytest.raises(TypeError, match=match):
        call(m, t, small_data)
    assert all(torch.equal(before[k], v) for k, v in m.state_dict().items())


def test_with_changes_a_copy_and_refuses_an_unknown_field():
    short = RECIPES.student.with_(epochs=5)
    assert isinstance(short, StudentRecipe) and short.epochs == 5 and RECIPES.student.epochs == 20
    assert short.hidden == RECIPES.student.hidden and short.lr == RECIPES.student.lr
    with pytest.raises(TypeError, match="StudentRecipe has no field 'epoch': its fields are epochs, lr"):
        RECIPES.student.with_(epoch=5)
    with pytest.raises(TypeError, match="Run has no field 'T'"):
        Run().with_(T=2.0)


def test_random_shift_moves_pixels_within_bounds():
    x = torch.zeros(64, 1, 28, 28)
    x[:, :, 14, 14] = 1
    out = random_shift(2)(x, torch.Generator().manual_seed(0))
    pos = out[:, 0].flatten(1).argmax(1)
    rows, cols = pos // 28, pos % 28
    assert ((rows - 14).abs() <= 2).all() and ((cols - 14).abs() <= 2).all()
    assert len(set(zip(rows.tolist(), cols.tolist()))) > 10
    assert torch.equal(out.sum((1, 2, 3)), torch.ones(64))


def test_cuda_is_only_used_when_available_and_asked():
    assert resolve_device("cpu").type == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA"):
            resolve_device("cuda")
        assert resolve_device("auto").type == "cpu"


def test_teacher_cache_reuses_and_never_goes_stale(tmp_path, mnist5k, monkeypatch):
    import distill_helpers.data as D
    import distill_helpers.train as tr
    splits = D.load_splits("mnist5k", "data")
    monkeypatch.setattr(tr, "load_splits", lambda name, root: splits)  # do not re-parse the CSV
    small_arch = TeacherCNN(channels=(2, 4), hidden=8).config
    calls = []
    real = tr.train_model

    def counting(*a, **k):
        calls.append(k["recipe"].epochs)
        return real(*a, **k)
    monkeypatch.setattr(tr, "train_model", counting)
    kw = dict(root=tmp_path, arch=small_arch, run=QUIET)
    one, two = (RECIPES.teacher.with_(epochs=e, augment_shift=0) for e in (1, 2))
    t1 = get_teacher(recipe=one, **kw)
    t2 = get_teacher(recipe=one, **kw)
    assert calls == [1]  # second call came from the cache
    x = mnist5k[1].tensors[0][:5]
    assert torch.equal(t1(x), t2(x))
    get_teacher(recipe=two, **kw)  # a changed config trains anew
    assert calls == [1, 2]
    assert len(list((tmp_path / "cache").glob("teacher-*.pt"))) == 2
    # corrupt the first entry: warning and retrain
    cfg = t2.metadata["cache_config"]
    path = entry_path("teacher", cfg, VERSIONS["model"], tmp_path)
    path.write_bytes(b"garbage")
    with pytest.warns(UserWarning, match="unreadable"):
        get_teacher(recipe=one, **kw)
    assert calls == [1, 2, 1]
    # a file renamed onto another config's key is detected by the stored config
    other = entry_path("teacher", {**cfg, "epochs": 2}, VERSIONS["model"], tmp_path)
    other.write_bytes(path.read_bytes())
    with pytest.warns(UserWarning, match="another config"):
        get_teacher(recipe=two, **kw)
    assert calls == [1, 2, 1, 2]


def test_student_cache_key_includes_teacher_and_T(tmp_path, mnist5k, monkeypatch):
    import distill_helpers.data as D
    import distill_helpers.train as tr
    splits = D.load_splits("mnist5k", "data")
    monkeypatch.setattr(tr, "load_splits", lambda name, root: splits)
    teacher = TeacherCNN(channels=(2, 4), hidden=8)
    kw = dict(root=tmp_path, recipe=RECIPES.student.with_(hidden=(8,), epochs=1), run=QUIET, teacher=teacher)
    get_student("distilled", kd=DistillRecipe(T=2.0), **kw)
    get_student("distilled", kd=DistillRecipe(T=2.0), **kw)
    get_student("distilled", kd=DistillRecipe(T=3.0), **kw)
    assert len(list((tmp_path / "cache").glob("student-distilled-*.pt"))) == 2
    get_student("scratch", **kw)
    # a freshly trained teacher and the same teacher loaded from the cache give the same student key
    monkeypatch.setattr(tr, "train_model", lambda *a, **k: {"epoch": []})
    tkw = dict(root=tmp_path, arch=teacher.config, run=QUIET, recipe=RECIPES.teacher.with_(epochs=1, augment_shift=0))
    fresh, loaded = get_teacher(**tkw), get_teacher(**tkw)
    assert fresh.metadata["cache_config"] == loaded.metadata["cache_config"]
    get_student("distilled", **{**kw, "teacher": fresh})
    get_student("distilled", **{**kw, "teacher": loaded})
    assert len(list((tmp_path / "cache").glob("student-distilled-*.pt"))) == 3
    assert len(list((tmp_path / "cache").glob("student-scratch-*.pt"))) == 1
    with pytest.raises(ValueError, match="kind"):
        get_student("ensemble", **kw)


def test_fit_contract_batch_index_eval_data_and_history(small_data):
    # The loss sees each training row exactly once per epoch, with batch.index naming the rows it holds.
    from distill_helpers import fit
    X, y = small_data.tensors
    seen = []

    def loss_fn(logits, batch):
        assert torch.equal(batch.X, X[batch.index]) and torch.equal(batch.y, y[batch.index])
        seen.append(batch.index.clone())
        return torch.nn.functional.cross_entropy(logits, batch.y)
    torch.manual_seed(0)
    m = MLP(hidden=(8,), num_classes=3)
    half = (X[:60], y[:60])
    hist = fit(m, small_data, loss_fn=loss_fn, recipe=RECIPES.student.with_(epochs=2, lr=1e-2, batch_size=32),
               run=QUIET, eval_data={"val": small_data, "half": half})
    assert len(seen) == 2 * 4 and [len(i) for i in seen[:4]] == [32, 32, 32, 24]
    for epoch in range(2):
        assert sorted(torch.cat(seen[4 * epoch:4 * epoch + 4]).tolist()) == list(range(120))
    assert hist["epoch"] == [1, 2] and not m.training
    for key in ("train_loss", "train_acc", "time_s", "val_acc", "val_loss", "half_acc", "half_loss"):
        assert len(hist[key]) == 2, key
    # the evaluation columns are the metrics of the final weights, recomputed here by hand
    logits = m(X[:60]).detach()
    assert hist["half_acc"][-1] == (logits.argmax(1) == y[:60]).float().mean().item()
    assert hist["half_loss"][-1] == pytest.approx(-torch.log_softmax(logits, 1)[range(60), y[:60]].mean().item(),
                                                  rel=1e-5)
    with pytest.raises(TypeError):
        fit(m, small_data, loss_fn, RECIPES.student)  # everything after the data is keyword-only


def test_eval_mode_restores_the_mode_even_on_error():
    from distill_helpers import eval_mode
    m = MLP(hidden=(4,), num_classes=3).train()
    with eval_mode(m):
        assert not m.training
    assert m.training
    m.eval()
    with pytest.raises(RuntimeError), eval_mode(m):
        raise RuntimeError("boom")
    assert not m.training
    m.train()
    with pytest.raises(RuntimeError), eval_mode(m):
        raise RuntimeError("boom")
    assert m.training


def test_fit_with_a_kd_loss_fn_is_distill(small_data):
    # The README's recipe for a custom loss (cached teacher logits looked up by batch.index) and distill()
    # are two formulations of the same training: the weights must come out identical.
    from distill_helpers import fit, kd_loss
    torch.manual_seed(0)
    teacher = MLP(hidden=(12,), num_classes=3)
    train_model(teacher, small_data, **_fast(seed=0))
    t_logits = predict_logits(teacher, small_data.tensors[0])

    def student():
        torch.manual_seed(5)
        return MLP(hidden=(8,), num_classes=3)
    a, b = student(), student()
    distill(a, teacher, small_data, **_fast(seed=2, kd=DistillRecipe(T=3.0, alpha=0.6)))
    fit(b, small_data, loss_fn=lambda logits, batch: kd_loss(logits, t_logits[batch.index], batch.y, 3.0, 0.6),
        **_fast(seed=2))
    assert all(torch.equal(a.state_dict()[k], b.state_dict()[k]) for k in a.state_dict())


# ---------------------------------------------------------------- issue 14: bad input fails at the boundary

def _bad(small_data, **changes):
    X, y = small_data.tensors
    return changes.get("X", X), changes.get("y", y)


@pytest.mark.parametrize("case, match", [
    ("empty", "is empty"), ("nan", "NaN"), ("uint8", "uint8 on a 0-255 scale"), ("scale255", "divide by 255"),
    ("label_high", "labels run from 0 to 6"), ("label_negative", "labels run from -1"),
    ("float_labels", "integer tensor"), ("mismatch", "119 labels"),
])
def test_bad_training_data_is_refused_before_training(small_data, case, match):
    X, y = small_data.tensors
    data = {"empty": (X[:0], y[:0]), "nan": (X.clone().index_fill_(0, torch.tensor([3]), float("nan")), y),
            "uint8": ((X * 255).to(torch.uint8), y), "scale255": (X * 255, y),
            "label_high": (X, y.clone().index_fill_(0, torch.tensor([0]), 6)),
            "label_negative": (X, y.clone().index_fill_(0, torch.tensor([0]), -1)),
            "float_labels": (X, y.float()), "mismatch": (X, y[:-1])}[case]
    model = MLP(hidden=(4,), num_classes=3)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(ValueError, match=match):
        train_model(model, data, recipe=RECIPES.student.with_(epochs=1), run=QUIET)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())  # nothing was trained
    if case in ("nan", "uint8"):  # distill checks the same way (it used to fail only on NaN, via kd_loss)
        with pytest.raises(ValueError, match=match):
            distill(MLP(hidden=(4,), num_classes=3), MLP(hidden=(4,), num_classes=3), data,
                    recipe=RECIPES.student.with_(epochs=1), run=QUIET)


def test_an_empty_validation_set_is_refused(small_data):
    X, y = small_data.tensors
    with pytest.raises(ValueError, match="val set is empty"):
        train_model(MLP(hidden=(4,), num_classes=3), small_data, (X[:0], y[:0]), recipe=RECIPES.student.with_(epochs=1),
                    run=QUIET)


@pytest.mark.parametrize("kwargs, match", [
    ({"lr": float("inf")}, "lr"), ({"lr": float("nan")}, "lr"), ({"lr": 0}, "lr"), ({"lr": True}, "lr"),
    ({"epochs": 2.5}, "epochs"), ({"epochs": "3"}, "epochs"), ({"epochs": -1}, "epochs"),
    ({"batch_size": 0}, "batch_size"), ({"batch_size": 8.0}, "batch_size"), ({"seed": "0"}, "seed"),
])
def test_bad_training_settings_are_refused(small_data, kwargs, match):
    model = MLP(hidden=(4,), num_classes=3)
    with pytest.raises(ValueError, match=match):
        seed = kwargs.pop("seed", 0)
        train_model(model, small_data, recipe=RECIPES.student.with_(**{"epochs": 1, **kwargs}), run=Run(seed=seed, progress=False))
    assert all(torch.isfinite(p).all() for p in model.parameters())  # lr=inf used to give NaN weights


@pytest.mark.parametrize("kwargs", [{"hidden": (0,)}, {"num_classes": 0}, {"num_classes": 1}, {"hidden": 3},
                                    {"hidden": ("8",)}, {"num_classes": 2.0}])
def test_degenerate_or_mistyped_models_are_refused(kwargs):
    with pytest.raises(ValueError, match="hidden|num_classes"):
        MLP(**kwargs)


# ---------------------------------------------------------------- issue 14: the cache never crashes, never loses work

def _trainer(calls, *, nan=False):
    def build_and_train():
        calls.append(1)
        torch.manual_seed(len(calls))
        model = MLP(hidden=(4,), num_classes=3)
        if nan:
            with torch.no_grad():
                model.net[2].weight.fill_(float("nan"))
        return model, {"epoch": [1], "train_loss": [0.5]}
    return build_and_train


CFG = {"role": "test", "hidden": [4], "seed": 0}


def test_damaged_cache_entries_warn_and_retrain(tmp_path):
    from distill_helpers.checkpoints import state_digest
    from distill_helpers.train import cached_model
    calls = []
    path = entry_path(CFG["role"], CFG, VERSIONS["model"], tmp_path)
    # 1. metadata that is not a dict (was AttributeError on every call)
    m = MLP(hidden=(4,), num_classes=3)
    state = {k: v.detach() for k, v in m.state_dict().items()}
    path.parent.mkdir(parents=True)
    torch.save({"format": "distill_helpers.model/2", "config": m.config, "state_dict": state,
                "metadata": ["not", "a", "dict"], "sha256": state_digest(m.config, state, ["not", "a", "dict"])}, path)
    with pytest.warns(UserWarning, match="unreadable"):
        cached_model(CFG, _trainer(calls), tmp_path)
    assert len(calls) == 1 and cached_model(CFG, _trainer(calls), tmp_path) is not None and len(calls) == 1
    # 2. an entry with NaN weights (was served as is)
    path.unlink()
    cached_model(CFG, _trainer(calls, nan=True), tmp_path)
    with pytest.warns(UserWarning, match="NaN"):
        model = cached_model(CFG, _trainer(calls), tmp_path)
    assert len(calls) == 3 and all(torch.isfinite(p).all() for p in model.parameters())
    # 3. a folder where the entry should be (was a crash): warns, retrains, and still returns the model
    path.unlink()
    path.mkdir()
    with pytest.warns(UserWarning, match="folder"):
        model = cached_model(CFG, _trainer(calls), tmp_path)
    assert len(calls) == 4 and isinstance(model, MLP)


def test_a_failed_cache_write_warns_and_returns_the_trained_model(tmp_path, monkeypatch):
    import distill_helpers.cache as cache
    import distill_helpers.train as tr
    calls = []

    def disk_full(*a, **k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(cache, "save_model", disk_full)
    with pytest.warns(UserWarning, match="could not be cached.*No space left"):
        model = tr.cached_model(CFG, _trainer(calls), tmp_path)
    assert len(calls) == 1 and model.history == {"epoch": [1], "train_loss": [0.5]}
    # a root that is a file: no lock, no cache, but the model all the same
    a_file = tmp_path / "afile"
    a_file.write_text("x")
    monkeypatch.undo()
    with pytest.warns(UserWarning, match="could not be cached"):
        model = tr.cached_model(CFG, _trainer(calls), a_file)
    assert len(calls) == 2 and isinstance(model, MLP)


def test_seed_offset_defaults_to_no_change_and_shifts_every_training_seed(monkeypatch):
    import torch

    from distill_helpers.scale.batched import Runs, distill_students, make_students
    from distill_helpers.train import SEED_OFFSET_ENV, offset_seed, seed_offset, set_seed
    monkeypatch.delenv(SEED_OFFSET_ENV, raising=False)
    assert seed_offset() == 0 and offset_seed(5) == 5
    set_seed(3)
    plain = torch.rand(3)
    monkeypatch.setenv(SEED_OFFSET_ENV, "10")
    assert offset_seed(5) == 15
    set_seed(3)
    assert not torch.equal(torch.rand(3), plain)
    torch.manual_seed(13)
    assert torch.equal(torch.rand(3), (set_seed(3), torch.rand(3))[1])  # set_seed(3) at offset 10 = seed 13
    # a batched student at offset 10 with seed 0 is the student of seed 10 without an offset
    X, y = torch.rand(160, 1, 28, 28), torch.randint(0, 10, (160,))  # several batches: the order matters
    shifted = make_students((8,), [0])
    one_epoch, labels = RECIPES.student.with_(epochs=1, batch_size=16), DistillRecipe(T=1.0, alpha=0.0)
    distill_students(shifted, None, (X, y), runs=Runs(seeds=[0], progress=False), recipe=one_epoch, kd=labels)
    monkeypatch.setenv(SEED_OFFSET_ENV, "0")
    same = make_students((8,), [10])
    distill_students(same, None, (X, y), runs=Runs(seeds=[10], progress=False), recipe=one_epoch, kd=labels)
    for p, q in zip(shifted[0].parameters(), same[0].parameters()):
        torch.testing.assert_close(p, q)
    monkeypatch.setenv(SEED_OFFSET_ENV, "one")
    with pytest.raises(ValueError, match="not an integer"):
        seed_offset()


# ---------------------------------------------------------------- issue 19: a lean loop, checked at its edge

def test_the_lean_adam_step_is_torchs_adam_step_bit_for_bit():
    # train_epoch calls the fused kernel directly for make_optimizer's Adam; the reference is torch's own step
    from distill_helpers.train import _lean_step, make_optimizer
    torch.manual_seed(0)
    a = MLP(hidden=(16,), num_classes=3)
    b = MLP(hidden=(16,), num_classes=3)
    b.load_state_dict(a.state_dict())
    (opt_a, sched_a), (opt_b, sched_b) = make_optimizer(a, lr=1e-2, total_steps=5), make_optimizer(b, lr=1e-2, total_steps=5)
    lean = _lean_step(opt_b)
    assert lean != opt_b.step  # the fast path is taken, so this test compares something
    x = torch.rand(8, 1, 28, 28)
    for _ in range(5):
        for model, step, sched in ((a, opt_a.step, sched_a), (b, lean, sched_b)):
            for p in model.parameters():
                p.grad = None
            model(x).square().mean().backward()
            step()
            sched.step()
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert all(torch.equal(opt_a.state[p]["exp_avg_sq"], opt_b.state[q]["exp_avg_sq"])
               for p, q in zip(a.parameters(), b.parameters()))
    sgd = torch.optim.SGD(a.parameters(), lr=0.1)
    assert _lean_step(sgd) == sgd.step  # anything else goes through its own step


def test_distill_refuses_nan_teacher_logits_and_a_huge_T_before_training(small_data, monkeypatch):
    # the per-batch loss is unchecked, so what it would have refused is refused once, before the first batch
    import distill_helpers.train as tr
    X = small_data.tensors[0] if hasattr(small_data, "tensors") else small_data[0]
    teacher = _Recorder()
    monkeypatch.setattr(tr, "fit", lambda *a, **k: pytest.fail("trained despite bad input"))
    bad = predict_logits(teacher, X).index_fill_(0, torch.tensor([2]), float("nan"))
    monkeypatch.setattr(tr, "check_teacher_logits", lambda *a, **k: None)  # the sample check may not see row 2
    with pytest.raises(ValueError, match="teacher_logits contains NaN"):
        distill(MLP(hidden=(8,), num_classes=3), teacher, small_data, teacher_logits=bad, **_fast())
    with pytest.raises(ValueError, match="too large for the distillation loss"):
        distill(MLP(hidden=(8,), num_classes=3), teacher, small_data, **_fast(kd=RECIPES.distill.with_(T=2e4)))
    with torch.no_grad():
        teacher.lin.weight[0, 0] = float("nan")
    with pytest.raises(ValueError, match="teacher's weights contain NaN"):
        distill(MLP(hidden=(8,), num_classes=3), teacher, small_data, **_fast(augment_shift=1))
