"""Time `replicate --dataset mnist` at full size (60,000 / 10,000 digits) on a device, without a download.

    python benchmarks/full_mnist_standin.py /tmp/fm /tmp/fmout cuda auto     # ROOT OUT DEVICE BF16(auto|on|off)


The digits are a stand-in of MNIST's exact shape and size: the 5,000 mnist5k digits tiled 12x (train)
and 2x (test), each copy shifted by up to 2 pixels. Timings are valid; accuracies are NOT MNIST's.
"""
import json, struct, subprocess, sys, time
from pathlib import Path
import torch
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from distill_helpers.data import load_dataset
from distill_helpers.transfer import random_shift

def write_idx(path, arr):
    with open(path, "wb") as f:
        f.write(struct.pack(">HBB", 0, 0x08, arr.dim()))
        for d in arr.shape:
            f.write(struct.pack(">I", d))
        f.write(arr.to(torch.uint8).numpy().tobytes())

tr, te = load_dataset("mnist5k", ROOT / "data")
X = torch.cat([tr.tensors[0], te.tensors[0]]); y = torch.cat([tr.tensors[1], te.tensors[1]])
g = torch.Generator().manual_seed(0)
def tile(k):
    xs = torch.cat([random_shift(2)(X, g) for _ in range(k)]); return (xs[:, 0] * 255).round(), y.repeat(k)
Xtr, ytr = tile(12); Xte, yte = tile(2)
raw = Path(sys.argv[1]) / "MNIST" / "raw"; raw.mkdir(parents=True, exist_ok=True)
write_idx(raw / "train-images-idx3-ubyte", Xtr); write_idx(raw / "train-labels-idx1-ubyte", ytr)
write_idx(raw / "t10k-images-idx3-ubyte", Xte); write_idx(raw / "t10k-labels-idx1-ubyte", yte)
out = Path(sys.argv[2])
t0 = time.perf_counter()
proc = subprocess.run([sys.executable, "-m", "distill_helpers", "replicate", "--dataset", "mnist", "--root", sys.argv[1],
                       "--out", str(out), "--seeds", "1", "--device", sys.argv[3], "--bf16", sys.argv[4], "--no-progress"],
                      cwd=ROOT, capture_output=True, text=True)
wall = time.perf_counter() - t0
print(proc.stdout[-1500:], proc.stderr[-1500:])
if proc.returncode == 0:
    runs = json.loads((out / "results.json").read_text())["runs"]
    print(f"FULLSIZE {sys.argv[3]} bf16={sys.argv[4]}: wall {wall:.0f} s; " + "; ".join(
        f"{k} {v[0]['train_s']:.1f} s" for k, v in runs.items()) + " (teacher 12 epochs, students 20 epochs, 60,000 digits)")
