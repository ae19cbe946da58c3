"""Is autograd what keeps the 800-800 student's training below its shape-matched limit? A measured answer.

    python benchmarks/no_autograd_step.py [--rounds 9]

Trains one epoch of the 784-800-800-10 student twice over, alternately: as `train_epoch` does (autograd) and
with its backward pass written out by hand (`manual_step`: the same ATen calls autograd makes, in the same
layouts, with no graph, no saved tensors, no engine), and checks that both give the same weights bit for bit.
Prints the two epoch times, their ratio, and the fraction of the shape-matched limit (benchmarks/run.py) each
reaches. Measured 2026-12-03 on the 2-core benchmark machine, three runs of 9 rounds: by hand / autograd
0.976, 0.999, 0.987; fractions of the limit 0.741 / 0.759, 0.653 / 0.654, 0.657 / 0.666 (autograd / by hand;
the machine's speed moved between runs, the ratios within a run did not). Writing the backward out gains at
most about 2 %: the time outside the products is mostly the optimizer's and the memory's, not autograd's. A
measurement, not a test; nothing in the package uses this.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn as nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import distill_helpers as dh  # noqa: E402
from distill_helpers import train as T  # noqa: E402


def manual_step(model: dh.MLP):
    """forward_backward(xb, loss_fn, batch) -> (logits, loss) for an MLP without dropout: the forward under no_grad,
    autograd only for the loss (on the logits), then each layer's gradients by hand, in the calls and layouts
    autograd uses (AddmmBackward0: grad @ W, grad.t() @ input, grad.sum(0); ReluBackward0: threshold_backward)."""
    lins = [m for m in model.net if isinstance(m, nn.Linear)]
    if any(isinstance(m, nn.Dropout) for m in model.net):
        raise ValueError("manual_step covers MLPs without dropout")
    standardize, W, b = model.net[0], [m.weight for m in lins], [m.bias for m in lins]

    def forward_backward(xb, loss_fn, batch):
        with torch.no_grad():
            h = standardize(xb).view(xb.shape[0], -1)
            acts = [h]
            for i in range(len(lins)):
                z = torch.addmm(b[i], h, W[i].t())
                if i < len(lins) - 1:
                    h = torch.relu(z)
                    acts.append(h)
        z.requires_grad_()
        with torch.enable_grad():
            loss = loss_fn(z, batch)
        g, = torch.autograd.grad(loss, z)
        with torch.no_grad():
            for i in range(len(lins) - 1, -1, -1):
                grad_input = g.mm(W[i]) if i else None
                W[i].grad = g.t().mm(acts[i])
                b[i].grad = g.sum(0, keepdim=True).view(-1)
                if i:
                    g = torch.ops.aten.threshold_backward(grad_input, acts[i], 0)
        return z.detach(), loss.detach()
    return forward_backward


def epoch(X, y, hidden=(800, 800), batch_size: int = 64, by_hand: bool = False):
    """(seconds, model) of one epoch of Adam with the series' cosine schedule, the autograd way or by hand."""
    dh.set_seed(0)
    model = dh.MLP(hidden=hidden)
    model.train()
    steps = -(-len(X) // batch_size)
    opt, sched = T.make_optimizer(model, lr=dh.RECIPES.student.lr, total_steps=steps)
    gen = torch.Generator().manual_seed(0)
    params, step = list(model.parameters()), T._lean_step(opt)
    forward_backward = manual_step(model) if by_hand else None
    t0 = time.perf_counter()
    for idx in T.batch_indices(len(X), batch_size, gen):
        xb = X.index_select(0, idx)
        batch = T.Batch(X=xb, y=y.index_select(0, idx), index=idx)
        if by_hand:
            forward_backward(xb, T.cross_entropy_loss, batch)
        else:
            loss = T.cross_entropy_loss(model(xb), batch)
            for p in params:
                p.grad = None
            loss.backward()
        step()
        sched.step()
    return time.perf_counter() - t0, model


def same_weights(a: nn.Module, b: nn.Module) -> bool:
    return all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), b.state_dict().values()))


def main() -> int:
    import run as bench
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=9)
    args = ap.parse_args()
    train, _ = dh.load_dataset("mnist5k", ROOT / "data")
    X, y = train.tensors
    if not same_weights(epoch(X, y)[1], epoch(X, y, by_hand=True)[1]):
        print("the hand-written backward does not match autograd bit for bit: its timing means nothing")
        return 1
    calls = bench.record_matmuls(lambda: epoch(X, y))
    products = bench.replayer(calls)
    auto, hand, alone = [], [], []
    for _ in range(args.rounds):
        alone.append(products())
        auto.append(epoch(X, y)[0])
        hand.append(epoch(X, y, by_hand=True)[0])
    a, h, p = (statistics.median(v) for v in (auto, hand, alone))
    print(f"weights bit-identical: yes; medians of {args.rounds} alternating rounds")
    print(f"epoch with autograd {a:.3f} s, by hand {h:.3f} s: by hand / autograd = {h / a:.3f}")
    print(f"fraction of the shape-matched limit ({p:.3f} s): autograd {p / a:.3f}, by hand {p / h:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
