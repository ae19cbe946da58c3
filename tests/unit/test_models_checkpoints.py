"""Models and checkpoints."""
import pytest
import torch

from distill_helpers import (CheckpointError, MLP, TeacherCNN, build_model, count_parameters, load_model,
                             save_model, student_config)


def state_digest(*args):
    from distill_helpers.checkpoints import state_digest as digest  # imported late: one test per failure
    return digest(*args)


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


class _Affine(torch.nn.Module):
    """A model outside models.py, registered the public way (as lm.CharTransformer is)."""

    def __init__(self, n: int = 3):
        super().__init__()
        self.config = {"arch": "test_affine", "n": n}
        self.lin = torch.nn.Linear(n, n)

    def forward(self, x):
        return self.lin(x)


def test_a_registered_architecture_rebuilds_through_load_model(tmp_path):
    from distill_helpers.models import register_arch
    with pytest.raises(ValueError, match="arch"):
        build_model({"arch": "test_affine", "n": 4})
    assert register_arch("test_affine", _Affine) is _Affine
    register_arch("test_affine", _Affine)  # again: a no-op, as on a module reload
    m = _Affine(4)
    save_model(m, tmp_path / "a.pt")
    back = load_model(tmp_path / "a.pt")
    assert isinstance(back, _Affine) and torch.equal(back.lin.weight, m.lin.weight)
    with pytest.raises(ValueError, match="already"):  # a second class under a taken name
        register_arch("mlp", _Affine)
    with pytest.raises(TypeError, match="nn.Module"):
        register_arch("not_a_model", dict)


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
    # re-sign it, as a hand-made file would be: the shapes are still checked against the config
    ckpt["sha256"] = state_digest(ckpt["config"], ckpt["state_dict"], ckpt["metadata"])
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


# ---------------------------------------------------------------- issue 14: nothing lost, nothing silent

def test_metadata_that_cannot_be_loaded_is_refused_at_save_naming_the_key(tmp_path):
    np = pytest.importorskip("numpy")
    m = MLP(hidden=(4,))
    with pytest.raises(ValueError, match=r"metadata\['acc'\] is a numpy.float64.*float\(x\)"):
        save_model(m, tmp_path / "m.pt", {"acc": np.float64(0.97)})
    with pytest.raises(ValueError, match=r"metadata\['runs'\]\[1\]\['f'\]"):
        save_model(m, tmp_path / "m.pt", {"runs": [{}, {"f": lambda: 0}]})
    assert not (tmp_path / "m.pt").exists()
    # everything the safe loader accepts round-trips, checksum included
    meta = {"acc": 0.97, "n": 3, "ok": True, "none": None, "s": "x", "b": b"\x00", "t": torch.arange(3),
            "nested": {"l": [1, (2.5, "a")], 7: "int key"}, "nan": float("nan")}
    loaded = load_model(save_model(m, tmp_path / "m.pt", meta)).metadata
    assert loaded["acc"] == 0.97 and torch.equal(loaded["t"], torch.arange(3)) and loaded["nested"][7] == "int key"


def test_a_file_with_an_unsupported_type_says_so_not_corrupt(tmp_path):
    np = pytest.importorskip("numpy")
    m = MLP(hidden=(4,))
    path = tmp_path / "old.pt"  # what save_model wrote before it validated metadata
    torch.save({"format": "distill_helpers.model/1", "config": m.config, "state_dict": m.state_dict(),
                "metadata": {"acc": np.float64(0.97)}}, path)
    with pytest.raises(CheckpointError, match="unsupported type") as e:
        load_model(path)
    assert "corrupt" not in str(e.value)


@pytest.mark.parametrize("content", [b"hello, this is text\n" * 20, b"", b"PK\x03\x04" + b"\x00" * 100])
def test_any_parse_failure_is_a_checkpoint_error(tmp_path, content):
    path = tmp_path / "x.pt"
    path.write_bytes(content)  # a text file made torch.load raise a bare KeyError: 101
    with pytest.raises(CheckpointError, match="corrupt"):
        load_model(path)


def test_a_folder_is_not_a_checkpoint(tmp_path):
    with pytest.raises(FileNotFoundError, match="a folder"):
        load_model(tmp_path)


def test_byte_flips_are_refused_by_the_checksum(tmp_path):
    torch.manual_seed(0)
    path = save_model(MLP(hidden=(8,)), tmp_path / "m.pt", {"note": "x"})
    raw = path.read_bytes()
    # flip one byte in the weights: the file still parses, so only the checksum can notice
    ckpt = torch.load(path, weights_only=True)
    w = ckpt["state_dict"]["net.2.weight"].reshape(-1)[:4].numpy().tobytes()
    pos = raw.index(w)
    bad = bytearray(raw)
    bad[pos] ^= 0x40
    path.write_bytes(bytes(bad))
    torch.load(path, weights_only=True)  # loads fine without the check: weights silently changed
    with pytest.raises(CheckpointError, match="checksum"):
        load_model(path)
    # a metadata edit is noticed too
    ckpt["metadata"]["note"] = "y"
    torch.save(ckpt, path)
    with pytest.raises(CheckpointError, match="checksum"):
        load_model(path)


def test_digest_is_an_independent_sha256_of_the_tensor_bytes():
    import hashlib
    t = torch.tensor([1.0, -2.0])
    d1 = state_digest({}, {"w": t}, {})
    d2 = state_digest({}, {"w": t.clone()}, {})
    assert d1 == d2 and len(d1) == 64 and int(d1, 16) >= 0
    assert state_digest({}, {"w": torch.tensor([1.0, -2.5])}, {}) != d1
    assert state_digest({}, {"w": t.double()}, {}) != d1  # dtype counts
    assert state_digest({}, {"w": t.reshape(2, 1)}, {}) != d1  # shape counts
    assert hashlib.sha256(t.numpy().tobytes()).hexdigest() != d1  # the structure is hashed, not only the bytes


def test_a_huge_config_is_refused_before_any_memory_is_spent(tmp_path, monkeypatch):
    import distill_helpers.checkpoints as ck
    path = tmp_path / "m.pt"
    save_model(MLP(hidden=(4,)), path)
    ckpt = torch.load(path, weights_only=True)
    ckpt["config"]["hidden"] = [300000]  # 235 M parameters, 0.9 GB if built
    ckpt["sha256"] = state_digest(ckpt["config"], ckpt["state_dict"], ckpt["metadata"])
    torch.save(ckpt, path)
    devices = []
    real = ck.build_model

    def spy(config):
        devices.append(str(torch.get_default_device()))
        return real(config)
    monkeypatch.setattr(ck, "build_model", spy)
    with pytest.raises(CheckpointError, match=r"net.2.weight: stored \(4, 784\), config needs \(300000, 784\)"):
        load_model(path)
    assert devices == ["meta"]  # only the allocation-free skeleton was built


def test_overwrite_false_never_replaces_a_file_that_appears_during_the_save(tmp_path, monkeypatch):
    # the old code checked for the file, then replaced it: a writer slipping in between was overwritten
    path = tmp_path / "m.pt"
    real = torch.save

    def other_writer_wins(obj, f, *a, **k):
        path.write_bytes(b"the other writer's file")
        return real(obj, f, *a, **k)
    monkeypatch.setattr(torch, "save", other_writer_wins)
    with pytest.raises(FileExistsError, match="another writer"):
        save_model(MLP(hidden=(4,)), path)
    assert path.read_bytes() == b"the other writer's file"
    assert [p.name for p in tmp_path.iterdir()] == ["m.pt"]  # no temp file left behind


def test_saved_files_respect_the_umask(tmp_path):
    import os
    old = os.umask(0o022)
    try:
        p = save_model(MLP(hidden=(4,)), tmp_path / "a.pt")
        assert p.stat().st_mode & 0o777 == 0o644  # 0666 minus the umask, as open() would give
        os.umask(0o077)
        p = save_model(MLP(hidden=(4,)), tmp_path / "b.pt")
        assert p.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)


def test_stale_temp_files_of_dead_writers_are_removed_on_the_next_save(tmp_path):
    import os
    import subprocess
    import sys
    from distill_helpers.infra.safeio import _HOST
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a pid that no longer runs
    stale = tmp_path / f".m.pt.{_HOST}.{dead.pid}.abc123.tmp"
    live = tmp_path / f".m.pt.{_HOST}.{os.getpid()}.def456.tmp"  # a concurrent writer in progress
    other = tmp_path / f".n.pt.{_HOST}.{dead.pid}.abc123.tmp"  # another target's: not ours to clean
    for p in (stale, live, other):
        p.write_bytes(b"half")
    save_model(MLP(hidden=(4,)), tmp_path / "m.pt")
    assert not stale.exists() and live.exists() and other.exists()
