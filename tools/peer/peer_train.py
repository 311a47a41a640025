#!/usr/bin/python3
"""Training throughput of our network in PyTorch: the peer for the trainer's benchmark.

One training step as packages/trainer/src/trainer.ts takes it: EDM's loss (log-normal sigma,
P_mean -1.2, P_std 1.2, lambda(sigma) weighting) through the same preconditioned UNet as
peer_unet.py (which mirrors our layers op for op), dropout in the second conv of every residual
block, conditioned stages fed an upsampled condition with sigma_aug, classes with a 10 % null
label, then backward and an Adam step over every weight. Every stage steps round-robin in one run
so machine noise hits all alike; the median step per (stage, threads).

  /usr/bin/python3 tools/peer/peer_train.py --checkpoint CKPT [--batch 64] [--rounds 5]
      [--threads 1,2] [--json OUT] [--ours OURS.json]

With --ours (what `npm run bench -w @lowdiff/trainer -- --json` printed for the same batch), the
table compares: ours with n workers against PyTorch with n threads. Normally run through
tools/peer/train.sh, which runs both in one command.
"""

import argparse
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_unet import PeerUNet, blas_library  # noqa: E402

P_MEAN, P_STD = -1.2, 1.2
STAGES = [(8, False), (16, True), (32, True), (32, False)]


class TrainablePeer(PeerUNet):
    """PeerUNet whose weights take gradients and whose residual blocks apply dropout."""

    def __init__(self, path):
        super().__init__(path, use="ema")  # the starting values do not change the cost
        self.dropout = float(self.config.get("dropout", 0.0))
        for t in self.w.values():
            if t.is_floating_point():
                t.requires_grad_(True)

    def res_block(self, name, x, e):
        h = self.conv(f"{name}.conv0", F.silu(self.norm(f"{name}.norm0", x)))
        h = h + self.linear(f"{name}.affine", e)[:, :, None, None]
        h = F.silu(self.norm(f"{name}.norm1", h))
        h = self.conv(f"{name}.conv1", F.dropout(h, self.dropout, training=True))
        skip = self.conv(f"{name}.skip", x) if f"{name}.skip.weight" in self.w else x
        return (h + skip) * (1 / math.sqrt(2))


def training_step(model, opt, images, resolution, conditioned, gen):
    n = images.shape[0]
    y = F.interpolate(images, size=(resolution, resolution), mode="area") if images.shape[-1] != resolution else images
    sigma = torch.exp(torch.randn(n, generator=gen) * P_STD + P_MEAN)
    noisy = y + torch.randn(y.shape, generator=gen) * sigma.reshape(n, 1, 1, 1)
    cond, aug = None, 0.0
    if conditioned:
        low = F.interpolate(y, scale_factor=0.5, mode="area")
        aug = (torch.rand(n, generator=gen) * 0.2).tolist()
        cond = F.interpolate(low, scale_factor=2, mode="nearest") + torch.randn(y.shape, generator=gen) * torch.tensor(aug).reshape(n, 1, 1, 1)
    labels = torch.randint(0, model.num_classes + 1, (n,), generator=gen) if model.num_classes > 0 else None
    denoised = model.denoise(noisy, sigma.tolist(), resolution, cond, aug, labels)
    sd = model.sigma_data
    weight = ((sigma ** 2 + sd ** 2) / (sigma * sd) ** 2).reshape(n, 1, 1, 1)
    loss = (weight * (denoised - y) ** 2).mean()
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return float(loss)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--checkpoint", required=True, help="any UNet checkpoint of ours: its config (and weights as the start)")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", default="1,2", help="comma list of torch thread counts")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--ours", help="our trainer benchmark's --json output, for the ours / PyTorch table")
    args = ap.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    model = TrainablePeer(args.checkpoint)
    params = [t for t in model.w.values() if t.requires_grad]
    opt = torch.optim.Adam(params, lr=1e-4)
    gen = torch.Generator().manual_seed(0)
    images = torch.rand((args.batch, model.channels, model.config["resolution"], model.config["resolution"]), generator=gen) * 2 - 1
    runs = [{"resolution": r, "conditioned": c, "threads": t, "ms": []} for (r, c) in STAGES for t in threads]

    def step(run):
        torch.set_num_threads(run["threads"])
        return training_step(model, opt, images, run["resolution"], run["conditioned"], gen)

    for run in runs:  # warm-up
        step(run)
    load0 = os.getloadavg()[0]
    for _ in range(args.rounds):
        for run in runs:
            t0 = time.perf_counter()
            loss = step(run)
            run["ms"].append((time.perf_counter() - t0) * 1000)
            if not math.isfinite(loss):
                raise SystemExit(f"peer_train.py: non-finite loss at {run['resolution']}")
    rows = [{
        "stage": f"{r['resolution']}{' conditioned' if r['conditioned'] else ''}", "threads": r["threads"],
        "medianStepMs": statistics.median(r["ms"]), "imagesPerSec": args.batch * 1000 / statistics.median(r["ms"]),
    } for r in runs]
    result = {"torch": torch.__version__, "blas": blas_library(), "batchSize": args.batch, "rounds": args.rounds,
              "load": [load0, os.getloadavg()[0]], "rows": rows}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    print(f"PyTorch {torch.__version__}, batch {args.batch}, {args.rounds} interleaved steps per (stage, threads), median step")
    print("| stage | " + " | ".join(f"{t} thread{'s' if t > 1 else ''}: ms/step, images/s" for t in threads) + " |")
    print("|---|" + "---|" * len(threads))
    for (r, c) in STAGES:
        name = f"{r}{' conditioned' if c else ''}"
        of = [row for row in rows if row["stage"] == name]
        print(f"| {name} | " + " | ".join(f"{row['medianStepMs']:.0f}, {row['imagesPerSec']:.1f}" for row in of) + " |")
    if args.ours:
        with open(args.ours) as f:
            ours = json.load(f)
        if ours["batchSize"] != args.batch:
            raise SystemExit(f"peer_train.py: ours ran batch {ours['batchSize']}, PyTorch batch {args.batch}")
        print()
        # Rows of benches from before engines existed carry none: they ran on tfjs.
        engines = sorted({x.get("engine", "tfjs") for x in ours["rows"]})
        print(f"training images/s, batch {args.batch}: ours (engine: tfjs = tfjs-{ours['backend']}, ort = ONNX Runtime; n workers) vs PyTorch (n threads), same network and step")
        print("| stage | n | " + " | ".join(f"ours, {e}" for e in engines) + " | PyTorch | " + " | ".join(f"{e} / PyTorch" for e in engines) + " |")
        print("|---|---|" + "---|" * (2 * len(engines) + 1))
        for (r, c) in STAGES:
            name = f"{r}{' conditioned' if c else ''}"
            for t in threads:
                m = next(x for x in rows if x["stage"] == name and x["threads"] == t)
                o = [next((x for x in ours["rows"] if x["stage"] == name and x["workers"] == t and x.get("engine", "tfjs") == e), None) for e in engines]
                if any(o):
                    ips = [f"{x['imagesPerSec']:.1f}" if x else "-" for x in o]
                    ratio = [f"{x['imagesPerSec'] / m['imagesPerSec']:.2f}x" if x else "-" for x in o]
                    print(f"| {name} | {t} | " + " | ".join(ips) + f" | {m['imagesPerSec']:.1f} | " + " | ".join(ratio) + " |")


if __name__ == "__main__":
    main()
