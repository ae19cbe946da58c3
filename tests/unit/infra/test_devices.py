"""Devices: every test here takes the device from $DISTILL_TEST_DEVICE (default cpu).

    DISTILL_TEST_DEVICE=cuda python -m pytest tests/unit/infra/test_devices.py     # the same tests on a GPU
    (tools/gpu_check.py does exactly that.)
"""
import pytest
import torch
import torch.nn.functional as F

import distill_helpers.infra.devices as devices
from distill_helpers import MLP, RECIPES, DistillRecipe, Run, TeacherCNN, distill, train_model
from distill_helpers.infra.devices import Float64Error, NoFloat64, resolve_device, test_device
from distill_helpers.evaluate import predict_logits
from distill_helpers.transfer import random_shift


@pytest.fixture(scope="module")
def device():
    return test_device()


def _fast(device, seed=0, kd=None, bf16=None, **recipe):
    """A short recipe (2 epochs, lr 3e-3, batch 16, with `recipe`'s changes) on `device`; kd when given."""
    out = dict(recipe=RECIPES.student.with_(**{"epochs": 2, "lr": 3e-3, "batch_size": 16, **recipe}),
               run=Run(seed=seed, device=device, bf16=bf16, progress=False))
    return {**out, "kd": kd} if kd is not None else out


def test_auto_prefers_cuda_then_mps_then_cpu(monkeypatch, capsys):
    for cuda, mps, want in [(True, True, "cuda"), (False, True, "mps"), (False, False, "cpu")]:
        monkeypatch.setattr(torch.cuda, "is_available", lambda c=cuda: c)
        monkeypatch.setattr(devices, "mps_available", lambda m=mps: m)
        monkeypatch.setattr(devices, "describe_device", lambda d: f"<{d}>")
        assert resolve_device("auto").type == want
        assert resolve_device(None).type == want
        assert resolve_device("auto", announce=True).type == want
        assert capsys.readouterr().out.strip() == f"device auto -> <{want}>"


def test_unavailable_or_unknown_devices_are_refused_with_the_fix(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(devices, "mps_available", lambda: False)
    with pytest.raises(ValueError, match="no CUDA GPU.*device='cpu'"):
        resolve_device("cuda")
    with pytest.raises(ValueError, match="MPS.*device='cpu'"):
        resolve_device("mps")
    with pytest.raises(ValueError, match="unknown device"):
        resolve_device("gpu0")
    assert resolve_device("cpu") == torch.device("cpu")
    assert not devices.bf16_default("cpu")  # bf16 is off by default on the CPU


def _shift_reference(X, dy, dx, s):
    """Independent reference: pad, then cut each image's own window with plain slicing."""
    padded = F.pad(X, (s, s, s, s))
    H, W = X.shape[-2:]
    return torch.stack([padded[i, :, dy[i]:dy[i] + H, dx[i]:dx[i] + W] for i in range(len(X))])


@pytest.mark.parametrize("gen_on", ["cpu", "device"])
def test_random_shift_on_the_batch_device(device, gen_on):
    X = torch.rand(16, 1, 28, 28).to(device)
    gdev = device if gen_on == "device" else torch.device("cpu")
    out = random_shift(2)(X, torch.Generator(device=gdev).manual_seed(3))
    g = torch.Generator(device=gdev).manual_seed(3)  # replay the same draws
    dy = torch.randint(0, 5, (16,), generator=g, device=gdev).tolist()
    dx = torch.randint(0, 5, (16,), generator=g, device=gdev).tolist()
    assert out.device == X.device and out.dtype == torch.float32
    assert torch.equal(out.cpu(), _shift_reference(X.cpu(), dy, dx, 2))


def test_predict_logits_uses_the_model_device(device):
    torch.manual_seed(0)
    model = MLP(hidden=(8,), num_classes=3).to(device)
    X = torch.rand(50, 1, 28, 28)
    out = predict_logits(model, X)
    assert out.device.type == "cpu" and out.shape == (50, 3) and out.dtype == torch.float32
    ref = model.cpu()(X)  # the same weights on the CPU
    assert torch.allclose(out, ref, atol=1e-4)


def test_training_and_distillation_on_the_device(device, small_data):
    torch.manual_seed(0)
    teacher = TeacherCNN(num_classes=3, channels=(4, 8), hidden=16)
    hist = train_model(teacher, small_data, small_data, **_fast(device, augment_shift=2, seed=0))
    assert next(teacher.parameters()).device.type == device.type
    assert hist["val_acc"][-1] > 0.9
    torch.manual_seed(1)
    student = MLP(hidden=(16,), num_classes=3)  # cached logits, looked up by index on the device
    h = distill(student, teacher, small_data, small_data, **_fast(device, seed=0, kd=DistillRecipe(T=2.0, alpha=0.7)))
    assert h["val_acc"][-1] > 0.9 and next(student.parameters()).device.type == device.type
    torch.manual_seed(1)
    student = MLP(hidden=(16,), num_classes=3)
    h = distill(student, teacher, small_data, small_data,  # augmented: the teacher sees the shifted batch
                **_fast(device, seed=0, kd=DistillRecipe(T=2.0, alpha=0.7), augment_shift=1))
    assert h["val_acc"][-1] > 0.9


def test_the_device_run_matches_a_cpu_run(device, small_data):
    # Same seed and recipe, float32, no dropout: only the order of floating-point sums differs between
    # devices, so the weights agree closely after 2 epochs (exactly on the CPU itself).
    def run(dev):
        torch.manual_seed(5)
        m = MLP(hidden=(16,), num_classes=3)
        train_model(m, small_data, **_fast(dev, seed=2, bf16=False))
        return {k: v.cpu() for k, v in m.state_dict().items()}
    a, b = run(device), run(torch.device("cpu"))
    tol = 0.0 if device.type == "cpu" else 1e-3
    assert all((a[k] - b[k]).abs().max().item() <= tol for k in a)


def test_no_float64_anywhere_on_the_training_path(device, small_data):
    # MPS has no float64: a short training and a distillation run under a mode that fails on any float64.
    with pytest.raises(Float64Error):  # the guard itself works
        with NoFloat64():
            torch.ones(2, device=device).double()
    torch.manual_seed(0)
    teacher = MLP(hidden=(16,), num_classes=3)
    student = MLP(hidden=(8,), num_classes=3)
    guard = NoFloat64()
    with guard:
        train_model(teacher, small_data, small_data, **_fast(device, seed=0, augment_shift=1))
        distill(student, teacher, small_data, small_data, **_fast(device, seed=0, kd=DistillRecipe(T=3.0, alpha=0.9)))
        distill(student, teacher, small_data, **_fast(device, seed=0, augment_shift=1))  # the teacher per batch
    assert guard.calls > 100  # the mode really saw the training ops


def test_bf16_autocast_option(device, small_data):
    # bf16 autocast runs the matrix products in bfloat16; weights, optimizer state and the loss stay float32.
    if device.type == "cuda" and not torch.cuda.is_bf16_supported():
        pytest.skip("this GPU has no bf16")
    if device.type == "mps":
        pytest.skip("bf16 autocast is not offered on MPS")
    seen = []
    torch.manual_seed(0)
    teacher = MLP(hidden=(16,), num_classes=3)
    train_model(teacher, small_data, **_fast(device, seed=0))
    student = MLP(hidden=(32,), num_classes=3)
    student.net[2].register_forward_hook(lambda m, i, o: seen.append(o.dtype))
    hist = distill(student, teacher, small_data, small_data, **_fast(device, seed=0, bf16=True))
    assert seen and seen[0] == torch.bfloat16  # the Linear really ran in bf16
    assert all(p.dtype == torch.float32 for p in student.parameters())
    assert hist["val_acc"][-1] > 0.9
    seen.clear()
    distill(student, teacher, small_data, **_fast(device, seed=0, bf16=False))
    assert seen[0] == torch.float32
