"""Devices: pick cuda, mps or cpu; bf16 autocast on CUDA; a guard that proves no float64 reaches a device."""
from __future__ import annotations

import contextlib
import os
import platform

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._pytree import tree_flatten

from .i18n import tr

__all__ = ["resolve_device", "describe_device", "mps_available", "autocast", "bf16_default",
           "Float64Error", "NoFloat64", "test_device"]


def mps_available() -> bool:
    """True when Apple's Metal (MPS) backend is built into this torch and usable on this machine."""
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def resolve_device(device: str | torch.device | None = "cpu", announce: bool = False) -> torch.device:
    """'cpu' (default), 'cuda', 'cuda:1', 'mps', or 'auto' (cuda, then mps, then cpu); announce=True prints the pick."""
    if device is None or device == "auto":
        device = torch.device("cuda" if torch.cuda.is_available() else "mps" if mps_available() else "cpu")
        if announce:
            print(tr(f"device auto -> {describe_device(device)}"), flush=True)
        return device
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f"unknown device {device!r}: use 'cpu', 'cuda', 'cuda:N', 'mps' or 'auto'") from None
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError("device='cuda' was asked for but no CUDA GPU is available; use device='cpu' "
                             "(or 'auto', which falls back to the CPU)")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise ValueError(f"device {str(device)!r} does not exist: this machine has "
                             f"{torch.cuda.device_count()} CUDA device(s), cuda:0 to cuda:{torch.cuda.device_count() - 1}")
    elif device.type == "mps" and not mps_available():
        raise ValueError("device='mps' was asked for but Apple's MPS backend is not available here (it needs "
                         "an Apple-silicon Mac and a torch built with MPS); use device='cpu' or 'auto'")
    elif device.type not in ("cpu", "cuda", "mps"):
        raise ValueError(f"device type {device.type!r} is not supported here: use 'cpu', 'cuda', 'mps' or 'auto'")
    if announce:
        print(tr(f"device {describe_device(device)}"), flush=True)
    return device


def describe_device(device: str | torch.device) -> str:
    """One line naming the device, e.g. 'cuda:0 (NVIDIA H100 80GB HBM3, bf16)' or 'cpu (x86_64, 2 threads)'."""
    device = torch.device(device)
    if device.type == "cuda":
        i = device.index if device.index is not None else torch.cuda.current_device()
        bf16 = ", bf16" if torch.cuda.is_bf16_supported() else ""
        return f"cuda:{i} ({torch.cuda.get_device_name(i)}{bf16})"
    if device.type == "mps":
        return f"mps (Apple {platform.machine()})"
    return f"cpu ({platform.machine() or 'unknown'}, {torch.get_num_threads()} threads)"


def bf16_default(device: str | torch.device) -> bool:
    """The default of the `bf16` training option: on for a CUDA GPU that supports bf16, off elsewhere."""
    device = torch.device(device)
    return device.type == "cuda" and torch.cuda.is_bf16_supported()


def autocast(device: str | torch.device, bf16: bool | None = None):
    """Context for a forward pass: bf16 autocast when asked (None: bf16_default), else nothing.

    Matrix products run in bfloat16; softmax, log_softmax and the losses stay in float32 (autocast's
    own lists), so kd_loss keeps its precision. bf16 needs no loss scaling, unlike float16.
    """
    device = torch.device(device)
    on = bf16_default(device) if bf16 is None else bool(bf16)
    if not on:
        return contextlib.nullcontext()
    if device.type == "mps":
        raise ValueError("bf16=True is not supported on MPS here; train in float32 (bf16=False)")
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16)


class Float64Error(RuntimeError):
    """A float64 tensor appeared where the guard forbids it."""


class NoFloat64(TorchFunctionMode):
    """Raise on any torch call that takes or returns a float64 tensor (MPS has no float64).

    `device_only=True` tolerates float64 on the CPU (evaluation statistics) and only fails on other
    devices. Use as `with NoFloat64(): train(...)`.
    """

    def __init__(self, device_only: bool = False):
        super().__init__()
        self.device_only = device_only
        self.calls = 0

    def _bad(self, x) -> bool:
        if isinstance(x, torch.Tensor):
            return x.dtype == torch.float64 and not (self.device_only and x.device.type == "cpu")
        return x is torch.float64 and not self.device_only

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        self.calls += 1
        leaves, _ = tree_flatten((args, kwargs))
        if any(self._bad(x) for x in leaves):
            raise Float64Error(f"float64 reached {getattr(func, '__name__', func)}: keep tensors float32")
        out = func(*args, **kwargs)
        out_leaves, _ = tree_flatten(out)
        if any(self._bad(x) for x in out_leaves):
            raise Float64Error(f"{getattr(func, '__name__', func)} returned float64: keep tensors float32")
        return out


def test_device() -> torch.device:
    """The device that device-taking tests run on: $DISTILL_TEST_DEVICE (default cpu), which must exist."""
    return resolve_device(os.environ.get("DISTILL_TEST_DEVICE", "cpu"))


test_device.__test__ = False  # not a pytest test
