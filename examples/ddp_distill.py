"""Distil one student on several processes with DistributedDataParallel.

    torchrun --standalone --nproc_per_node=2 examples/ddp_distill.py --out runs/ddp_student.pt
    torchrun --standalone --nproc_per_node=4 examples/ddp_distill.py --device cuda   # 4 GPUs, nccl

Nothing here is DDP-specific: distill() sees that torchrun started it, joins the process group (gloo on
the CPU, nccl on CUDA), gives each process its slice of every global batch, looks the cached teacher
logits up by sample index and averages the gradients. Only rank 0 writes the file.
"""
import argparse

import distill_helpers as dh
from distill_helpers import distributed

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--root", default="data", help="dataset and model-cache folder (train the teacher there first)")
ap.add_argument("--out", default="runs/ddp_student.pt", help="where rank 0 saves the student")
ap.add_argument("--device", default="cpu", help="cpu (gloo) or cuda (nccl, one GPU per process)")
ap.add_argument("--hidden", type=int, nargs="+", default=[256], help="student hidden widths")
ap.add_argument("--epochs", type=int, default=3)
ap.add_argument("--batch-size", type=int, default=64, help="the GLOBAL batch, split over the processes")
ap.add_argument("--seed", type=int, default=0)
args = ap.parse_args()

train, val, test = dh.load_splits("mnist5k", args.root)
teacher = dh.get_teacher(root=args.root, run=dh.Run(progress=False))  # from the cache when it was trained before
dh.set_seed(args.seed)
student = dh.MLP(hidden=tuple(args.hidden))
history = dh.distill(student, teacher, train, val,
                     recipe=dh.RECIPES.student.with_(epochs=args.epochs, lr=1e-3, batch_size=args.batch_size),
                     kd=dh.DistillRecipe(T=4.0, alpha=0.9),
                     run=dh.Run(seed=args.seed, device=args.device, progress=False))
ctx = distributed.current(args.device)
if distributed.is_main():
    dh.save_model(student, args.out, {"history": history, "world_size": ctx.world}, overwrite=True)
    print(f"{ctx.world} process(es): validation accuracy {history['val_acc'][-1]:.4f}, "
          f"epoch times {', '.join(f'{t:.1f}' for t in history['time_s'])} s")
distributed.shutdown()
