"""Models and checkpoints."""
import pytest
import torch

from distill_helpers import (CheckpointError, MLP, TeacherCNN, build_model, count_parameters, load_model,
                             save_model, student_config)


def test_paper_student_parameter_count():
    # 784-800-800-10: weights plus biases, computed by hand
    expected = 784 * 800 + 800 + 800 * 800 + 800 + 800 * 10 + 10
    assert count_parameters(MLP(hidden=(800, 800))) == expected
    assert count_parameters(MLP(hidden=(32,))) == 784 * 32 + 32 + 32 * 10 + 10


def test_models_take_dataset_images_and_reject_wrong_shapes():
    x = torch.rand(3, 1, 28, 28)
    assert TeacherCNN()(x).shape == (3, 10)
    assert MLP(hidden=(16,))(x).shape == (3, 10)
    assert TeacherCNN((3, 32, 32))(torch.rand(2, 3, 32, 32)).shape == (2, 10)
    with pytest.raises(ValueError, match="x\\[None\\]"):
        MLP()(torch.rand(1, 28, 28))


def test_normalisation_is_inside_the_model():
    m = MLP(hidden=(4,))
    assert "net.0.mean" in m.state_dict() and "net.0.std" in m.state_dict()


def test_build_model_roundtrip_and_errors():
    cfg = student_config((20, 10))
    assert build_model(cfg).config == cfg
    with pytest.raises(ValueError, match="arch"):
        build_model({"arch": "transformer"})
    with pytest.raises(ValueError, match="bad model config"):
        build_model({"arch": "mlp", "depth": 3})


def test_save_and_load_model_roundtrip(tmp_path):
    torch.manual_seed(0)
    m = MLP(hidden=(16,))
    x = torch.rand(4, 1, 28, 28)
    path = save_model(m, tmp_path / "m.pt", metadata={"note": "hi"})
    loaded = load_model(path)
    assert not loaded.training
    assert loaded.metadata == {"note": "hi"}
    m.eval()
    assert torch.equal(loaded(x), m(x))


def test_save_refuses_to_overwrite_unless_asked(tmp_path):
    m = MLP(hidden=(4,))
    save_model(m, tmp_path / "m.pt")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        save_model(m, tmp_path / "m.pt")
    save_model(m, tmp_path / "m.pt", overwrite=True)


def test_interrupted_save_keeps_the_old_checkpoint(tmp_path, monkeypatch):
    m1, m2 = MLP(hidden=(4,)), MLP(hidden=(4,))
    save_model(m1, tmp_path / "m.pt")
    real = torch.save

    def half_then_crash(obj, f, *a, **k):
        f.write(b"PK\x03\x04 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", half_then_crash)
    with pytest.raises(OSError):
        save_model(m2, tmp_path / "m.pt", overwrite=True)
    monkeypatch.setattr(torch, "save", real)
    loaded = load_model(tmp_path / "m.pt")
    assert torch.equal(loaded.state_dict()["net.2.weight"], m1.state_dict()["net.2.weight"])


def test_missing_corrupt_and_foreign_files_give_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        load_model(tmp_path / "nope.pt")
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"\x00garbage")
    with pytest.raises(CheckpointError, match="corrupt"):
        load_model(bad)
    truncated = tmp_path / "trunc.pt"
    save_model(MLP(hidden=(4,)), truncated)
    truncated.write_bytes(truncated.read_bytes()[:200])
    with pytest.raises(CheckpointError, match="corrupt"):
        load_model(truncated)
    plain = tmp_path / "plain.pt"
    torch.save(MLP(hidden=(4,)).state_dict(), plain)
    with pytest.raises(CheckpointError, match="not a distill_helpers checkpoint"):
        load_model(plain)


def test_mismatched_weights_and_config(tmp_path):
    path = tmp_path / "m.pt"
    save_model(MLP(hidden=(4,)), path)
    ckpt = torch.load(path, weights_only=True)
    ckpt["config"]["hidden"] = [5]
    torch.save(ckpt, path)
    with pytest.raises(CheckpointError, match="do not match"):
        load_model(path)


def test_load_is_weights_only(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))
    path = tmp_path / "evil.pt"
    torch.save({"format": "distill_helpers.model/1", "config": {}, "state_dict": Evil()}, path)
    with pytest.raises(CheckpointError):
        load_model(path)


def test_channels_last_teacher_computes_the_same_function(tmp_path):
    torch.manual_seed(0)
    m = TeacherCNN().eval()
    assert m.net[1].weight.is_contiguous(memory_format=torch.channels_last)
    x = torch.rand(5, 1, 28, 28)
    # reference: the same weights in the default layout, through plain functional ops
    import torch.nn.functional as F
    n = m.net
    h = (x - n[0].mean) / n[0].std
    h = F.max_pool2d(F.relu(F.conv2d(h, n[1].weight.contiguous(), n[1].bias, padding=1)), 2)
    h = F.max_pool2d(F.relu(F.conv2d(h, n[4].weight.contiguous(), n[4].bias, padding=1)), 2)
    h = F.linear(F.relu(F.linear(h.flatten(1), n[8].weight, n[8].bias)), n[11].weight, n[11].bias)
    assert torch.allclose(m(x), h, atol=1e-5)
    save_model(m, tmp_path / "t.pt")
    assert torch.allclose(load_model(tmp_path / "t.pt")(x), h, atol=1e-5)
