"""Started by tests/unit/test_distributed.py under torchrun: one scenario; each rank saves what it saw.

    torchrun --standalone --nproc_per_node=2 tests/unit/ddp_worker.py SCENARIO SETUP.pt OUT_DIR
"""
import os
import sys
from pathlib import Path

import torch

import distill_helpers.train as tr
from distill_helpers import RECIPES, DistillRecipe, Run, build_model, distill
from distill_helpers import distributed as D
from distill_helpers.losses import kd_loss

scenario, setup_path, out_dir = sys.argv[1], sys.argv[2], Path(sys.argv[3])
setup = torch.load(setup_path, weights_only=False)
seen: list[torch.Tensor] = []


class SpyBatch(tr.Batch):
    """Records the sample indices of every batch this rank trains on."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        seen.append(self.index.cpu().clone())


tr.Batch = SpyBatch
rank = int(os.environ["RANK"])
teacher = build_model(setup["teacher_config"])
teacher.load_state_dict(setup["teacher_state"])
recipe = setup["recipe"]
training = RECIPES.student.with_(epochs=recipe["epochs"], lr=recipe["lr"], batch_size=recipe["batch_size"])
quiet = Run(seed=recipe["seed"], progress=False)


def fresh_student():
    s = build_model(setup["student_config"])
    s.load_state_dict(setup["student_init"])
    return s


if scenario == "distill":
    student = fresh_student()
    hist = distill(student, teacher, setup["train"], setup["test"], recipe=training,
                   kd=DistillRecipe(T=recipe["T"], alpha=recipe["alpha"]), run=quiet)
    ctx = D.current()
    shards = list(seen)
    # The pitfall: logits read by position in this rank's list from epoch 1, not by sample index.
    X, _ = setup["train"]
    order = D.epoch_order(len(X), recipe["batch_size"], recipe["seed"], epoch=1, world=ctx.world, rank=ctx.rank)
    t_logits = setup["teacher_logits"]
    naive = fresh_student()
    naive_hist = tr.fit(naive, setup["train"], loss_fn=D.PositionLookup(t_logits[order], recipe["T"], recipe["alpha"]),
                        recipe=training, eval_data={"val": setup["test"]}, run=quiet)
    torch.save({"rank": ctx.rank, "world": ctx.world, "shards": shards, "state": student.state_dict(),
                "history": hist, "naive_state": naive.state_dict(), "naive_history": naive_hist},
               out_dir / f"rank{ctx.rank}.pt")
elif scenario == "fail":
    calls = 0

    def loss_fn(logits, batch):
        global calls
        calls += 1
        if rank == 1 and calls == 3:
            raise RuntimeError("rank 1 fails on purpose at its third batch")
        return kd_loss(logits, setup["teacher_logits"][batch.index], batch.y, 4.0, 0.9)
    tr.fit(fresh_student(), setup["train"], loss_fn=loss_fn,
           recipe=RECIPES.student.with_(epochs=50, lr=1e-3, batch_size=20), run=Run(progress=False))
    (out_dir / f"rank{rank}-finished").write_text("this rank should never get here")
else:
    raise SystemExit(f"unknown scenario {scenario!r}")
D.shutdown()
