import os
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def mnist5k():
    """The embedded dataset, cached under the repository's data/ folder."""
    from distill_helpers import load_dataset
    return load_dataset("mnist5k", ROOT / "data")


@pytest.fixture
def small_data():
    """A tiny synthetic 3-class image problem that trains in well under a second."""
    g = torch.Generator().manual_seed(0)
    y = torch.arange(120) % 3
    X = torch.rand(120, 1, 28, 28, generator=g) * 0.3
    for c in range(3):  # each class lights up its own band of rows
        X[y == c, :, 8 * c:8 * c + 6, :] += 0.7
    return torch.utils.data.TensorDataset(X.clamp(0, 1), y)
