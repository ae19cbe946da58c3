"""Several processes, one student: DistributedDataParallel under torchrun, gloo on CPU and nccl on CUDA.

How a run splits the work (see notebook 07):
- Every rank draws the same global permutation and the same global batches from one seeded generator;
  each rank trains on its own contiguous slice of every global batch (`Context.shard`). The slices of all
  ranks are disjoint and together are exactly the global batch, so `batch_size` means the GLOBAL batch
  and a run on N processes follows the same recipe as a run on one.
- Each rank's loss is scaled by (local rows x N / global rows); DDP averages the gradients over the N
  ranks, so the step is the gradient of the mean loss over the whole global batch, as in one process.
- Anything precomputed per training example (teacher logits) is looked up by the batch's sample index,
  never by its position in the batch or in the rank's shard: the shards change every epoch.
- The teacher is never wrapped in DDP: it is frozen, each rank holds a copy and only reads it.
- Training metrics are summed over ranks (all-reduce); only rank 0 writes files.
"""
from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import torch
from torch import nn

__all__ = ["Context", "SINGLE", "launched_by_torchrun", "current", "is_main", "shutdown", "DEFAULT_TIMEOUT_S",
           "shard_slices", "epoch_order", "PositionLookup", "check_teacher_logits", "MisalignedLogitsError",
           "torchrun_command", "check_launch_env", "TIMEOUT_ENV", "ddp_timeout"]

#: Seconds a collective (or the start-up rendezvous) may wait before the run fails instead of hanging.
DEFAULT_TIMEOUT_S = 300


def launched_by_torchrun() -> bool:
    """True inside a process that torchrun (or another launcher setting RANK, WORLD_SIZE, MASTER_ADDR) started."""
    return all(k in os.environ for k in ("RANK", "WORLD_SIZE", "MASTER_ADDR"))


@dataclass
class Context:
    """Where this process stands in the group; the single-process context makes every method a no-op."""

    rank: int = 0
    world: int = 1
    device: torch.device = torch.device("cpu")
    backend: str | None = None  # "gloo" or "nccl" inside a process group, None in a plain process

    @property
    def active(self) -> bool:
        """True inside a process group (even of one process: torchrun --nproc_per_node=1 uses DDP too)."""
        return self.backend is not None

    def bounds(self, n: int) -> tuple[int, int]:
        """[start, stop) of this rank's contiguous slice of a global batch of n rows (as torch.tensor_split)."""
        sizes = [n // self.world + (r < n % self.world) for r in range(self.world)]
        start = sum(sizes[:self.rank])
        return start, start + sizes[self.rank]

    def shard(self, idx: torch.Tensor) -> torch.Tensor:
        """This rank's slice of a global batch of sample indices (sizes differ by at most one)."""
        lo, hi = self.bounds(len(idx))
        return idx[lo:hi]

    def loss_scale(self, local_n: int, global_n: int) -> float:
        """Factor for this rank's mean loss so that DDP's average of gradients is the global-batch mean."""
        return local_n * self.world / global_n if self.active else 1.0

    def wrap(self, model: nn.Module) -> nn.Module:
        """The model wrapped in DistributedDataParallel (gradients averaged in backward), or the model itself."""
        if not self.active:
            return model
        from torch.nn.parallel import DistributedDataParallel as DDP
        ids = [self.device.index] if self.device.type == "cuda" else None
        return DDP(model, device_ids=ids)

    def all_reduce_sum(self, values: list[float]) -> list[float]:
        """Element-wise sums over all ranks (plain values back on every rank)."""
        if not self.active:
            return list(values)
        import torch.distributed as dist
        dev = self.device if self.backend == "nccl" else torch.device("cpu")
        # float64 on the CPU (gloo) for exact sums; float32 on GPUs (MPS has no float64; counts stay < 2**24)
        t = torch.tensor(values, dtype=torch.float64 if dev.type == "cpu" else torch.float32, device=dev)
        dist.all_reduce(t)
        return t.tolist()

    def barrier(self) -> None:
        if self.active:
            import torch.distributed as dist
            dist.barrier()

    def no_sync(self, model: nn.Module):
        return model.no_sync() if self.active and hasattr(model, "no_sync") else nullcontext()


SINGLE = Context()


#: The environment variable that sets the collective and rendezvous timeout, in seconds.
TIMEOUT_ENV = "DISTILL_DDP_TIMEOUT_S"


def ddp_timeout() -> timedelta:
    """The timeout of the process group, read from DISTILL_DDP_TIMEOUT_S: a finite number of seconds > 0."""
    raw = os.environ.get(TIMEOUT_ENV)
    if raw is None:
        return timedelta(seconds=DEFAULT_TIMEOUT_S)
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise ValueError(f"{TIMEOUT_ENV}={raw!r} is not a number of seconds > 0: set it to, for example, "
                         f"{TIMEOUT_ENV}=60, or unset it for the default of {DEFAULT_TIMEOUT_S} s")
    return timedelta(seconds=seconds)


def check_launch_env() -> None:
    """Refuse a half-set launcher environment before any work, instead of training as a silent non-zero rank.

    torchrun sets RANK, WORLD_SIZE and MASTER_ADDR together. RANK or WORLD_SIZE left over in a shell
    without MASTER_ADDR used to make a plain process believe it was rank 1 of 2: it trained everything,
    printed nothing and wrote nothing. Stray values that change nothing (RANK=0, WORLD_SIZE=1) are let through.
    """
    found = {k: os.environ[k] for k in ("RANK", "WORLD_SIZE") if k in os.environ}
    for k, v in found.items():
        try:
            int(v)
        except ValueError:
            raise ValueError(f"the environment variable {k}={v!r} is not an integer: torchrun sets it; unset "
                             f"{k} to run as one process") from None
    if launched_by_torchrun():
        rank, world = int(found["RANK"]), int(found["WORLD_SIZE"])
        if not 0 <= rank < world:
            raise ValueError(f"RANK={rank} with WORLD_SIZE={world}: a rank must lie in 0..WORLD_SIZE-1; start the "
                             f"processes with torchrun --nproc_per_node=N instead of setting these by hand")
        return
    if found.get("RANK", "0").strip() in ("0", "") and found.get("WORLD_SIZE", "1").strip() in ("1", ""):
        return
    setting = " ".join(f"{k}={v}" for k, v in found.items())
    missing = [k for k in ("RANK", "WORLD_SIZE", "MASTER_ADDR") if k not in os.environ]
    raise ValueError(f"{setting} is set but {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not, so "
                     f"this is not a torchrun process: start the run with torchrun --nproc_per_node=N, or unset "
                     f"{' and '.join(found)} to run as one process")


@contextmanager
def _quiet_native_stderr():
    """Hold back what C++ writes to stderr during the rendezvous; replay it if the rendezvous succeeds.

    A rank whose peers never come logs each retry with a 40-frame C++ backtrace; the error raised after
    the timeout says everything that is needed in one line.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real file descriptor 2 (an embedded interpreter): nothing to hide
        yield
        return
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        ok = False
        try:
            yield
            ok = True
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            if ok:
                held.seek(0)
                text = held.read()
                if text:
                    os.write(2, text)


def current(device: str | torch.device = "cpu") -> Context:
    """The context of this process: SINGLE-like outside torchrun; inside, the process group (started once).

    Under torchrun the backend is nccl for CUDA and gloo otherwise, and a CUDA run uses cuda:LOCAL_RANK.
    """
    device = torch.device(device)
    import torch.distributed as dist
    if not (dist.is_available() and dist.is_initialized()):
        check_launch_env()
    if not (dist.is_available() and (dist.is_initialized() or launched_by_torchrun())):
        return Context(device=device)
    if device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        backend = "nccl" if device.type == "cuda" else "gloo"
        timeout = ddp_timeout()
        try:
            with _quiet_native_stderr():
                dist.init_process_group(backend, timeout=timeout)
        except dist.DistError as e:
            raise _rendezvous_error(e, timeout) from None
    elif dist.get_backend() == "nccl" and device.type != "cuda":
        raise RuntimeError("the process group uses nccl (CUDA only) but training was asked on "
                           f"{device}: start it with device='cuda' or init the group with gloo")
    return Context(rank=dist.get_rank(), world=dist.get_world_size(), device=device, backend=dist.get_backend())


def _rendezvous_error(e: Exception, timeout: timedelta) -> RuntimeError:
    """One line for a rank that could not meet its peers (the native message, without its backtrace)."""
    first = (str(e).strip().splitlines() or [type(e).__name__])[0].rstrip(".")
    env = os.environ
    return RuntimeError(
        f"could not meet the other {int(env.get('WORLD_SIZE', '2')) - 1} process(es) at "
        f"{env.get('MASTER_ADDR')}:{env.get('MASTER_PORT', '?')} within {timeout.total_seconds():g} s ({first}): "
        f"start all of them together with torchrun --nproc_per_node={env.get('WORLD_SIZE')}, or unset RANK, "
        f"WORLD_SIZE and MASTER_ADDR to run as one process ({TIMEOUT_ENV} sets the wait)")


def is_main() -> bool:
    """True in a single process and on rank 0 of a group: the one process that writes files and prints."""
    import torch.distributed as dist
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank() == 0
    # before the group starts, only a torchrun process has a rank; a stray RANK in a plain shell does not count
    return not launched_by_torchrun() or int(os.environ["RANK"]) == 0


def shutdown() -> None:
    """Leave the process group if one was started (avoids torch's warning at exit)."""
    import torch.distributed as dist
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def shard_slices(perm: torch.Tensor, batch_size: int, world: int) -> list[list[torch.Tensor]]:
    """For each rank, the list of its slices of every global batch of `perm` (what `Context.shard` gives)."""
    out: list[list[torch.Tensor]] = [[] for _ in range(world)]
    for i in range(0, len(perm), batch_size):
        for r, part in enumerate(torch.tensor_split(perm[i:i + batch_size], world)):
            out[r].append(part)
    return out


# ---------------------------------------------------------------- the alignment pitfall

class MisalignedLogitsError(ValueError):
    """Cached teacher logits do not belong to the samples they are used with."""


@torch.no_grad()
def check_teacher_logits(teacher: nn.Module, X: torch.Tensor, teacher_logits: torch.Tensor, n: int = 64,
                         seed: int = 0, tol: float = 0.05) -> None:
    """Recompute the teacher on `n` random rows and compare with the cache; raise when they do not match.

    The comparison allows for a cache computed on another device or in bf16: it fails when the mean
    absolute difference exceeds `tol` times the mean absolute logit, far below what a shuffled cache gives.
    """
    if len(X) == 0:
        return
    g = torch.Generator().manual_seed(seed)
    idx = torch.randperm(len(X), generator=g)[:n]
    was = teacher.training
    teacher.eval()
    try:
        dev = next(teacher.parameters()).device
        fresh = teacher(X[idx].to(dev)).float().cpu()
    finally:
        teacher.train(was)
    cached = teacher_logits[idx.to(teacher_logits.device)].float().cpu()
    diff = (fresh - cached).abs().mean().item()
    scale = fresh.abs().mean().item() + 1e-6
    if diff > tol * scale:
        agree = (fresh.argmax(1) == cached.argmax(1)).float().mean().item()
        raise MisalignedLogitsError(
            f"the cached teacher logits do not match the teacher on their own samples (mean |diff| {diff:.3g} "
            f"against a mean |logit| of {scale:.3g}; top-1 agreement {agree:.0%} on {len(idx)} sampled rows). "
            f"They must be stored in training-set order and looked up by sample index "
            f"(cached[batch.index]), never by batch position: recompute them with predict_logits(teacher, X)")


def epoch_order(n: int, batch_size: int, seed: int, epoch: int = 1, world: int = 1, rank: int = 0) -> torch.Tensor:
    """The sample indices rank `rank` trains on in epoch `epoch`, in the order it sees them.

    Mirrors fit(): one generator seeded with `seed` draws one permutation per epoch (no augmentation).
    """
    g = torch.Generator().manual_seed(seed)
    for _ in range(epoch):
        perm = torch.randperm(n, generator=g)
    return torch.cat(shard_slices(perm, batch_size, world)[rank])


class PositionLookup:
    """THE BUG, for demonstration only: teacher logits read by position instead of by sample index.

    A naive loop records the teacher's logits batch after batch in the first epoch and later reads
    "the k-th row of the list" for the k-th example it draws. Give it the logits in the order this rank
    saw its samples in epoch 1 (`teacher_logits[epoch_order(...)]`); used as a fit() loss it is right in
    epoch 1 and pairs samples with other samples' logits from epoch 2 on, once the sampler reshuffles.
    """

    def __init__(self, logits_in_seen_order: torch.Tensor, T: float, alpha: float):
        self.cache, self.T, self.alpha, self.pos = logits_in_seen_order, T, alpha, 0

    def __call__(self, logits: torch.Tensor, batch) -> torch.Tensor:
        from .losses import kd_loss
        n = len(batch.y)
        if self.pos + n > len(self.cache):
            self.pos = 0  # a new epoch starts at position 0 of the list
        rows = self.cache[self.pos:self.pos + n].to(logits.device)
        self.pos += n
        return kd_loss(logits, rows, batch.y, self.T, self.alpha)


# ---------------------------------------------------------------- launching

def torchrun_command(nproc: int, args: list[str], module: bool = True) -> list[str]:
    """The command line `torchrun --standalone --nproc_per_node=N [-m] args...` with this Python."""
    return [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}",
            "--monitor-interval=0.5", *(["-m"] if module else []), *args]


def run_torchrun(nproc: int, args: list[str], module: bool = True, timeout: float = 600, env: dict | None = None,
                 cwd: str | Path | None = None) -> subprocess.CompletedProcess:
    """Run torchrun in a subprocess with this repository importable; return the completed process."""
    root = str(Path(__file__).resolve().parents[1])
    threads = str(max(1, (os.cpu_count() or 1) // nproc))  # the processes share the cores
    full_env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", threads), **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [full_env.get("PYTHONPATH")])])
    return subprocess.run(torchrun_command(nproc, args, module), capture_output=True, text=True,
                          timeout=timeout, env=full_env, cwd=cwd)
