"""The recorded experiment of notebook 10: its record is checksummed, matches the code's config, and is read right."""
import json

import pytest

from distill_helpers.scale import whatworks as W
from distill_helpers.recipes import RECIPES


def _fake_record(config=None, val_errors=None):
    """A record shaped like run_experiment's, with hand-set validation errors for the consistent budgets."""
    config = config or W.tiny_config()
    val_errors = val_errors or {b: [5, 7] for b in config["budgets"]}
    arms = {}
    for b, errs in val_errors.items():
        arms[f"consistent@{b}"] = {"val_correct": ["1" * (500 - e) + "0" * e for e in errs],
                                   "test_correct": ["1" * 1000] * len(errs), "seeds": config["seeds"]}
    rec = {"format": W.FORMAT, "config": json.loads(json.dumps(config)), "arms": arms, "teachers": {},
           "provenance": {"date": "today"}}
    rec["sha256"] = W.record_digest(rec)
    return rec


def test_a_record_round_trips_and_a_changed_bit_is_refused(tmp_path):
    rec = _fake_record()
    path = W.write_record(rec, tmp_path / "r.json")
    assert W.load_record(path, W.tiny_config()) == rec
    edited = json.loads(path.read_text())
    edited["arms"]["consistent@1"]["val_correct"][0] = "0" + edited["arms"]["consistent@1"]["val_correct"][0][1:]
    path.write_text(json.dumps(edited))
    with pytest.raises(W.StaleRecord, match="record what-works"):
        W.load_record(path, W.tiny_config())
    with pytest.raises(ValueError, match="sha256"):
        W.write_record(edited, tmp_path / "other.json")  # a record whose checksum is wrong is never written


def test_a_record_of_another_config_is_stale_and_names_the_command(tmp_path):
    path = W.write_record(_fake_record(), tmp_path / "r.json")
    with pytest.raises(W.StaleRecord, match=r"differs in \['budgets'.*python -m distill_helpers record what-works"):
        W.load_record(path, {**W.tiny_config(), "budgets": [1, 3]})
    with pytest.raises(W.StaleRecord, match="no what-works record"):
        W.load_record(tmp_path / "missing.json")


def test_the_epochs_rule_takes_the_fewest_validation_errors_and_the_shorter_of_a_tie():
    cfg = {**W.tiny_config(), "budgets": [10, 20, 40, 80]}
    rec = _fake_record(cfg, {10: [9, 9], 20: [6, 8], 40: [7, 7], 80: [8, 9]})
    assert W.choose_consistent_epochs(rec) == 20  # means 9, 7, 7, 8.5: a tie of 20 and 40 goes to 20
    rec = _fake_record(cfg, {10: [9, 9], 20: [8, 8], 40: [7, 7], 80: [6, 7]})
    assert W.choose_consistent_epochs(rec) == 80
    assert W.errors(rec, "consistent@80", "val") == [6, 7]


def test_the_runner_on_a_tiny_config_writes_a_record_that_loads(tmp_path):
    # the whole runner on tiny networks, 300 training digits and 1-2 epochs (about a minute on 2 cores)
    cfg = W.tiny_config()
    rec = W.run_experiment(cfg, tmp_path / "data", progress=False)
    path = W.write_record(rec, tmp_path / "r.json")
    loaded = W.load_record(path, cfg)
    assert set(W.ARMS) - {"control", "consistent"} <= set(loaded["arms"])
    assert {f"{a}@{b}" for a in ("control", "consistent") for b in cfg["budgets"]} <= set(loaded["arms"])
    for arm in loaded["arms"].values():
        assert len(arm["val_correct"]) == len(cfg["seeds"]) and len(arm["test_agree"][0]) == 1000
        assert all(0 <= a <= cfg["n_train"] for a in arm["train_agree"])
    assert loaded["provenance"]["torch"] == __import__("torch").__version__
    n_arms = len(loaded["arms"])
    assert (loaded["provenance"]["arms_trained"], loaded["provenance"]["arms_cached"]) == (n_arms, 0)
    for arm in loaded["arms"].values():  # each arm says where and when it was trained
        assert arm["trained"]["torch"] == __import__("torch").__version__ and arm["trained"]["date"]
        assert set(arm["trained"]) >= {"commit", "dirty", "cpu", "threads"}
    # a second run reads every arm from the cache: the same record, apart from when it was assembled; its
    # provenance says that no arm was trained by it (its commit and date are not the arms')
    again = W.run_experiment(cfg, tmp_path / "data", progress=False)
    assert again["arms"] == rec["arms"] and again["teachers"] == rec["teachers"]
    assert (again["provenance"]["arms_trained"], again["provenance"]["arms_cached"]) == (0, n_arms)
    assert sum(a["train_s"] for a in again["arms"].values()) == pytest.approx(again["provenance"]["train_s"], abs=0.1)
def test_the_shipped_record_is_current_and_complete():
    # fails when the recipes or the experiment changed since the record was made: regenerate it
    rec = W.load_record()
    cfg = rec["config"]
    assert rec["provenance"]["torch"] and rec["provenance"]["commit"]
    for arm in ["scratch", "kd fixed", "kd copies", "inconsistent", "fixed teacher", "label smoothing",
                "uniform targets", "ls teacher", "small control", "small from cnn", "small from assistant"] + \
            [f"{a}@{b}" for a in ("control", "consistent") for b in cfg["budgets"]]:
        r = rec["arms"][arm]
        assert r["seeds"] == cfg["seeds"] and len(r["val_correct"]) == len(cfg["seeds"])
        assert {len(s) for s in r["val_correct"]} == {500} and {len(s) for s in r["test_correct"]} == {1000}
        assert {len(s) for s in r["test_agree"]} == {1000}


def test_the_consistent_recipe_epochs_are_the_ones_validation_chose():
    assert RECIPES.consistent.epochs == W.choose_consistent_epochs(W.load_record()), \
        "RECIPES.consistent.epochs must be whatworks.choose_consistent_epochs(load_record())"


