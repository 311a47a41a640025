#!/usr/bin/python3
"""LowDiff's unified UNet + EDM preconditioning, re-implemented in PyTorch: the peer benchmark.

Reads OUR safetensors checkpoint (no safetensors package: 8-byte little-endian header length,
JSON header, raw data; tensors model/<name>, ema/<name>; config JSON in __metadata__.config) and
uses the EMA weights when the file has them, as our sampler does. Mirrors, op for op:

  packages/model/src/unet.ts, conditioning.ts, layers/*.ts, edm-denoiser.ts, preconditioning.ts
  packages/schedule/src/preconditioning.ts
  packages/sampler/src/run-cascade.ts, sample-heun.ts, heun-step.ts, guidance.ts

Our tensors are NHWC with conv weights HWIO [k, k, cin, cout] and linear weights [in, out];
here activations are NCHW (PyTorch's native layout), weights are converted once at load.

Usage (normally through tools/peer/run.sh, which runs ours.ts first):

  /usr/bin/python3 tools/peer/peer_unet.py --checkpoint CKPT --ours DIR [--threads 1]
      [--repeats 5] [--min-time 0.25] [--rounds 2] [--json OUT] [--check-only]

DIR is what `ours.ts --out DIR` wrote: ours.json (settings, resolved plans, our timings) and
fixtures.safetensors (fixed inputs and our outputs). The script checks its outputs against ours
(exit 3 when a forward output differs by more than 1e-4 relative, or a whole sample from the same
noise by more than 1e-3), times the same forward passes and plans with the same threads, batch
and count, and prints the ours / PyTorch table.
"""

import argparse
import json
import math
import os
import statistics
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

SKIP_SCALE = math.sqrt(0.5)
MIN_EMBEDDED_SIGMA_AUG = 0.002
FORWARD_TOLERANCE = 1e-4  # relative: max |ours - torch| / max |ours|, per case
SAMPLE_TOLERANCE = 1e-3  # same, for whole samples from the same noise

# ----------------------------------------------------------------------------------------------
# safetensors, by hand


_DTYPES = {
    "F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32,
    "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_,
}


def read_safetensors(path):
    """Returns ({name: np.ndarray}, metadata dict)."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path}: too short for a safetensors file")
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    base = 8 + n
    meta = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, info in header.items():
        start, end = info["data_offsets"]
        dtype = info["dtype"]
        buf = raw[base + start: base + end]
        if dtype == "BF16":
            u16 = np.frombuffer(buf, dtype="<u2").astype(np.uint32) << 16
            arr = u16.view(np.float32)
        else:
            arr = np.frombuffer(buf, dtype=np.dtype(_DTYPES[dtype]).newbyteorder("<"))
        tensors[name] = arr.reshape(info["shape"]).copy()
    return tensors, meta


# ----------------------------------------------------------------------------------------------
# the network


def f32(v):
    """A number as JavaScript sees it after a Float32Array round trip."""
    return float(np.float32(v))


def edm_preconditioning(sigma, sigma_data):
    """packages/schedule/src/preconditioning.ts, in double precision like JavaScript."""
    sd2 = sigma_data * sigma_data
    total2 = sigma * sigma + sd2
    norm = math.sqrt(total2)
    return {"c_skip": sd2 / total2, "c_out": sigma * sigma_data / norm, "c_in": 1 / norm,
            "c_noise": math.log(sigma) / 4}


class PeerUNet:
    """EdmDenoiser(UNet) with the weights of one of our checkpoints, in PyTorch."""

    def __init__(self, path, use="ema"):
        tensors, meta = read_safetensors(path)
        self.config = json.loads(meta["config"])
        c = self.config
        if c.get("kind") != "unet":
            raise SystemExit(f"peer_unet.py: only the UNet is re-implemented, the checkpoint holds a {c.get('kind')}")
        groups = {}
        for key, arr in tensors.items():
            prefix, _, name = key.partition("/")
            groups.setdefault(prefix, {})[name] = arr
        self.weights_from = "ema" if use == "ema" and groups.get("ema") else "model"
        raw = groups.get(self.weights_from)
        if not raw:
            raise SystemExit(f"peer_unet.py: {path} holds no {self.weights_from}/ weights")
        self.w = {}
        for name, arr in raw.items():
            t = torch.from_numpy(np.ascontiguousarray(arr, dtype=np.float32))
            if name.endswith(".weight") and t.dim() == 4:  # conv HWIO -> OIHW
                t = t.permute(3, 2, 0, 1).contiguous()
            self.w[name] = t
        self.resolutions = list(c["stageResolutions"])
        self.channels = c["channels"]
        self.num_classes = c.get("numClasses", 0)
        self.sigma_data = c.get("sigmaData", 0.5)
        self.base = c["baseChannels"]
        self.mult = c["channelMult"]
        self.groups = c["groupNormGroups"]
        half = self.base // 2
        # float64 powers rounded to float32, as tf.tensor1d does with a JS array
        self.pos_freqs = torch.tensor([math.pow(1 / 10000, i / half) for i in range(half)], dtype=torch.float32)

    # -- layers --------------------------------------------------------------------------------
    def conv(self, name, x, stride=1):
        w = self.w[f"{name}.weight"]
        k = w.shape[-1]
        if stride == 1:
            return F.conv2d(x, w, self.w[f"{name}.bias"], padding=k // 2)
        # TensorFlow's 'same' for stride 2 on an even size pads 0 before and k - 2 after.
        total = max((math.ceil(x.shape[-1] / stride) - 1) * stride + k - x.shape[-1], 0)
        x = F.pad(x, (total // 2, total - total // 2, total // 2, total - total // 2))
        return F.conv2d(x, w, self.w[f"{name}.bias"], stride=stride)

    def linear(self, name, x):
        y = x @ self.w[f"{name}.weight"]
        b = self.w.get(f"{name}.bias")
        return y + b if b is not None else y

    def norm(self, name, x):
        g = min(self.groups, x.shape[1])
        return F.group_norm(x, g, self.w[f"{name}.weight"], self.w[f"{name}.bias"], eps=1e-5)

    def noise_features(self, name, values):
        half = self.base // 2
        if self.config.get("noiseEmbedding", "positional") == "positional":
            freqs = self.pos_freqs
            values = values * 1000
        else:
            freqs = self.w[f"{name}.freqs"] * (2 * math.pi)
        args = values.reshape(-1, 1) * freqs.reshape(1, half)
        return torch.cat([torch.cos(args), torch.sin(args)], 1)

    def mlp(self, prefix, feats):
        return self.linear(f"{prefix}.fc2", F.silu(self.linear(f"{prefix}.fc1", feats)))

    def embedding(self, c_noise, c_aug, has_condition, labels, stage_index):
        c = self.config
        n = c_noise.shape[0]
        emb = self.mlp("emb.noise", self.noise_features("emb.noise", c_noise))
        if c.get("conditionInput", True):
            if c.get("augmentationEmbedding", True):
                aug = self.mlp("emb.aug", self.noise_features("emb.aug", c_aug))
                emb = emb + aug * float(has_condition)
            emb = emb + self.w["emb.condition_flag.weight"][has_condition].reshape(1, -1)
        if self.num_classes > 0:
            if labels is None:
                labels = torch.full((n,), self.num_classes, dtype=torch.long)
            emb = emb + self.w["emb.class.weight"][labels]
        if c.get("resolutionEmbedding", True) and len(self.resolutions) > 1:
            emb = emb + self.w["emb.stage.weight"][stage_index].reshape(1, -1)
        return F.silu(emb)

    def res_block(self, name, x, e):
        h = self.conv(f"{name}.conv0", F.silu(self.norm(f"{name}.norm0", x)))
        h = h + self.linear(f"{name}.affine", e)[:, :, None, None]
        h = F.silu(self.norm(f"{name}.norm1", h))
        h = self.conv(f"{name}.conv1", h)
        skip = self.conv(f"{name}.skip", x) if f"{name}.skip.weight" in self.w else x
        return (h + skip) * SKIP_SCALE

    def attention(self, name, x):
        n, ch, hh, ww = x.shape
        heads = self.config.get("attentionHeads", 1)
        dh = ch // heads
        tokens = self.norm(f"{name}.norm", x).flatten(2).transpose(1, 2)  # [N, T, C], row-major pixels
        t = tokens.shape[1]
        qkv = self.linear(f"{name}.qkv", tokens).reshape(n, t, 3, heads, dh).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        weights = torch.softmax((q @ k.transpose(-1, -2)) * (1 / math.sqrt(dh)), dim=-1)
        attended = (weights @ v).permute(0, 2, 1, 3).reshape(n, t, ch)
        out = self.linear(f"{name}.proj", attended).transpose(1, 2).reshape(n, ch, hh, ww)
        return (x + out) * SKIP_SCALE

    def block(self, name, x, e, res):
        h = self.res_block(name, x, e)
        return self.attention(f"{name}.attn", h) if res in self.config["attentionResolutions"] else h

    def unet(self, x, e, resolution):
        c = self.config
        levels = len(self.mult)
        entry = round(math.log2(c["resolution"] / resolution))
        h = self.conv(f"stem.r{resolution}", x)
        skips = [h]
        for l in range(entry, levels):
            res = c["resolution"] >> l
            for b in range(c["numResBlocks"]):
                h = self.block(f"enc.l{l}.b{b}", h, e, res)
                skips.append(h)
            if l < levels - 1:
                h = self.conv(f"enc.l{l}.down", h, stride=2)
                skips.append(h)
        h = self.res_block("mid.b0", h, e)
        h = self.attention("mid.attn", h)
        h = self.res_block("mid.b1", h, e)
        for l in range(levels - 1, entry - 1, -1):
            res = c["resolution"] >> l
            for b in range(c["numResBlocks"] + 1):
                h = self.block(f"dec.l{l}.b{b}", torch.cat([h, skips.pop()], 1), e, res)
            if l > entry:
                h = self.conv(f"dec.l{l}.up", F.interpolate(h, scale_factor=2, mode="nearest"))
        return self.conv(f"head.r{resolution}.conv", F.silu(self.norm(f"head.r{resolution}.norm", h)))

    # -- the preconditioned denoiser --------------------------------------------------------
    def denoise(self, x, sigma, resolution, condition=None, sigma_aug=0.0, labels=None):
        """D(x; sigma) for x [N, C, r, r] float32; sigma and sigma_aug: a number or one per sample;
        labels: LongTensor [N] or None (null class)."""
        n = x.shape[0]
        sig = [f32(s) for s in (sigma if isinstance(sigma, (list, tuple, np.ndarray)) else [sigma] * n)]
        aug = [f32(s) for s in (sigma_aug if isinstance(sigma_aug, (list, tuple, np.ndarray)) else [sigma_aug] * n)]
        coef = [edm_preconditioning(s, self.sigma_data) for s in sig]
        col = lambda key: torch.tensor([k[key] for k in coef], dtype=torch.float32).reshape(n, 1, 1, 1)
        c_noise = torch.tensor([k["c_noise"] for k in coef], dtype=torch.float32)
        inp = x * col("c_in")
        if self.config.get("conditionInput", True):
            if condition is not None:
                sd = self.sigma_data
                scale = torch.tensor([1 / math.sqrt(sd * sd + s * s) for s in aug], dtype=torch.float32).reshape(n, 1, 1, 1)
                cond = condition * scale
            else:
                cond = torch.zeros_like(x)
            inp = torch.cat([inp, cond], 1)
        c_aug = torch.tensor([math.log(max(s, MIN_EMBEDDED_SIGMA_AUG)) / 4 for s in aug], dtype=torch.float32)
        e = self.embedding(c_noise, c_aug, 1 if condition is not None else 0, labels, self.resolutions.index(resolution))
        out = self.unet(inp, e, resolution)
        return x * col("c_skip") + out * col("c_out")


# ----------------------------------------------------------------------------------------------
# sampling: EDM Heun over the cascade, as packages/sampler/src/run-cascade.ts


def upsample(x, r, mode):
    if x.shape[-1] == r:
        return x.clone()
    if mode == "nearest":
        return F.interpolate(x, size=(r, r), mode="nearest")
    return F.interpolate(x, size=(r, r), mode="bilinear", align_corners=False)


def guidance_active(g, sigma):
    if not g or g["scale"] == 1:
        return False
    iv = g.get("interval")
    return iv is None or (iv[0] <= sigma <= iv[1])


def run_cascade(model, plan, count, labels, noise=None, generator=None):
    """plan: the resolved plan from ours.ts, each stage with its `sigmas`. noise(stage, purpose,
    shape) gives fixed noise (purpose 'start' or 'aug'); otherwise torch.randn. Returns
    (images, network calls per image)."""
    def draw(stage, purpose, shape):
        if noise is not None:
            return noise(stage, purpose, shape)
        return torch.randn(shape, generator=generator)

    labels_t = torch.tensor(labels, dtype=torch.long) if labels is not None else None
    previous = None
    evaluated = 0
    for s, stage in enumerate(plan["stages"]):
        r = stage["resolution"]
        sigmas = stage["sigmas"]
        shape = (count, model.channels, r, r)
        up = upsample(previous, r, stage.get("upsample", "bilinear")) if previous is not None else None
        conditioned = up is not None and stage.get("conditioned", True)
        sigma_aug = stage.get("sigmaAug", 0.05)
        condition = up + draw(s, "aug", shape) * sigma_aug if conditioned else None
        eps = draw(s, "start", shape)
        start = stage.get("start", {"kind": "noise"})
        x = up + eps * start["sigmaStart"] if start["kind"] == "upsampled" and up is not None else eps * sigmas[0]

        def network(xs, sigma, cond, labs):
            nonlocal evaluated
            evaluated += xs.shape[0]
            return model.denoise(xs, sigma, r, cond, sigma_aug if conditioned else 0.0, labs)

        g = stage.get("guidance")
        both_labels = torch.cat([labels_t, torch.full((count,), model.num_classes, dtype=torch.long)]) if g and labels_t is not None else None
        both_cond = torch.cat([condition, condition]) if condition is not None and both_labels is not None else None

        def denoiser(xs, sigma):
            if not guidance_active(g, sigma):
                return network(xs, sigma, condition, labels_t)
            out = network(torch.cat([xs, xs]), sigma, both_cond, both_labels)
            c, u = out[:count], out[count:]
            return u + (c - u) * g["scale"]

        solver = stage.get("solver", "heun")
        if solver not in ("heun", "euler"):
            raise SystemExit(f"peer_unet.py: solver '{solver}' is not implemented here (heun, euler)")
        for i in range(len(sigmas) - 1):
            sigma, nxt = sigmas[i], sigmas[i + 1]
            d = denoiser(x, sigma)
            ratio = nxt / sigma
            pred = x * ratio + d * (1 - ratio)
            if solver == "euler" or nxt == 0:
                x = pred
                continue
            d2 = denoiser(pred, nxt)
            slope = (x - d) / sigma
            slope_next = (pred - d2) / nxt
            x = x + (slope + slope_next) * ((nxt - sigma) / 2)
        previous = x
    return previous, evaluated / count


# ----------------------------------------------------------------------------------------------
# parity and timing


def nhwc_to_nchw(a):
    return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32)).permute(0, 3, 1, 2).contiguous()


def errors(ours, mine):
    diff = np.abs(ours.astype(np.float64) - mine.astype(np.float64))
    scale = float(np.max(np.abs(ours))) or 1.0
    return float(diff.max()), float(diff.max()) / scale


def check_parity(model, fixtures, ours):
    rows, failed = [], []
    for case in ours["fixtures"]["cases"]:
        key = case["key"]
        x = nhwc_to_nchw(fixtures[f"{key}/x"])
        cond = nhwc_to_nchw(fixtures[f"{key}/condition"]) if f"{key}/condition" in fixtures else None
        labels = torch.from_numpy(fixtures[f"{key}/labels"].astype(np.int64)) if f"{key}/labels" in fixtures else None
        sigma = [float(s) for s in fixtures[f"{key}/sigma"]]
        out = model.denoise(x, sigma, case["resolution"], cond, case["sigmaAug"], labels)
        mine = out.permute(0, 2, 3, 1).numpy()
        ref = fixtures[f"{key}/out"]
        abs_err, rel_err = errors(ref, mine)
        # The network's own output F = (D - c_skip x) / c_out, where small sigmas hide it in D.
        coef = [edm_preconditioning(f32(s), model.sigma_data) for s in sigma]
        cs = np.array([k["c_skip"] for k in coef]).reshape(-1, 1, 1, 1)
        co = np.array([k["c_out"] for k in coef]).reshape(-1, 1, 1, 1)
        xin = fixtures[f"{key}/x"].astype(np.float64)
        f_ours = (ref.astype(np.float64) - cs * xin) / co
        f_mine = (mine.astype(np.float64) - cs * xin) / co
        f_abs, f_rel = errors(f_ours, f_mine)
        row = {"case": key, "maxAbs": abs_err, "maxRel": rel_err, "F_maxAbs": f_abs, "F_maxRel": f_rel}
        rows.append(row)
        if not rel_err <= FORWARD_TOLERANCE:
            failed.append(row)
    samples = []
    for entry in ours["fixtures"].get("samples", []):
        key = entry["key"]
        plan = next(p for p in ours["plans"] if p["name"] == entry["plan"])
        noise = lambda s, purpose, shape, key=key: nhwc_to_nchw(fixtures[f"{key}/stage{s}/{purpose}"])
        img, _ = run_cascade(model, plan, entry["count"], entry["labels"], noise=noise)
        abs_err, rel_err = errors(fixtures[f"{key}/out"], img.permute(0, 2, 3, 1).numpy())
        row = {"case": key, "maxAbs": abs_err, "maxRel": rel_err}
        samples.append(row)
        if not rel_err <= SAMPLE_TOLERANCE:
            failed.append(row)
    return rows, samples, failed


def time_rate(fn, images, repeats, min_time):
    """images/s: the median over `repeats` rounds, each calling fn until min_time has passed."""
    fn()  # warm-up
    rates = []
    for _ in range(repeats):
        calls, start = 0, time.perf_counter()
        while True:
            fn()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_time:
                break
        rates.append(calls * images / elapsed)
    return statistics.median(rates), rates


def time_forward(model, sizes, repeats, min_time, seed):
    out = []
    g = torch.Generator().manual_seed(seed)
    for size in sizes:
        r, b = size["resolution"], size["batch"]
        x = torch.randn((b, model.channels, r, r), generator=g)
        cond = torch.randn((b, model.channels, r, r), generator=g) * 0.5
        labels = torch.arange(b) % max(model.num_classes, 1) if model.num_classes > 0 else None
        med, rates = time_rate(lambda: model.denoise(x, 1.0, r, cond, 0.05, labels), b, repeats, min_time)
        out.append({"resolution": r, "batch": b, "imagesPerSec": med, "rates": rates})
    return out


def time_sampling(model, plans, count, rounds, labels, seed):
    out = []
    g = torch.Generator().manual_seed(seed)
    for plan in plans:
        run_cascade(model, plan, min(count, 2), labels[:2] if labels else None, generator=g)  # warm-up
        rates, nfe = [], 0
        for _ in range(rounds):
            start = time.perf_counter()
            _, nfe = run_cascade(model, plan, count, labels, generator=g)
            rates.append(count / (time.perf_counter() - start))
        out.append({"plan": plan["name"], "count": count, "nfe": nfe, "imagesPerSec": statistics.median(rates), "rates": rates})
    return out


# ----------------------------------------------------------------------------------------------
# report


def blas_library():
    """The BLAS this process loaded (torch's matmuls go through it on Debian's build)."""
    torch.ones(8, 8) @ torch.ones(8, 8)
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
    except OSError:
        return None
    return sorted(libs)[0] if libs else None


def table(ours, mine):
    lines = []
    th = ours["settings"]["threads"]
    blas = os.path.basename(os.path.dirname(mine["blas"])) if mine.get("blas") else "?"
    rt = f"tfjs-{ours['backend']}" if ours["runtime"] == "tfjs" else f"{ours['runtime']} (tensors on tfjs-{ours['backend']})"
    lines.append(f"ours: {rt}, PyTorch {torch.__version__} "
                 f"({torch.get_num_threads()} thread{'s' if torch.get_num_threads() != 1 else ''}, BLAS {blas}); --threads {th}")
    if ours.get("load") and mine.get("load"):
        lines.append(f"1-minute load average (start, end): ours {ours['load'][0]:.1f}, {ours['load'][1]:.1f}; "
                     f"PyTorch {mine['load'][0]:.1f}, {mine['load'][1]:.1f} (on {os.cpu_count()} cores)")
    lines.append("")
    lines.append("| forward pass | ours images/s | PyTorch images/s | ours / PyTorch |")
    lines.append("|---|---|---|---|")
    for o, m in zip(ours["forward"], mine["forward"]):
        lines.append(f"| {o['resolution']}x{o['resolution']}, batch {o['batch']} | {o['imagesPerSec']:,.1f} | "
                     f"{m['imagesPerSec']:,.1f} | {o['imagesPerSec'] / m['imagesPerSec']:.2f}x |")
    if ours.get("sampling"):
        lines.append("")
        g = ours["settings"].get("guidance")
        lines.append(f"| sampling (count {ours['settings']['count']}, guidance {g}) | NFE | ours images/s | PyTorch images/s | ours / PyTorch |")
        lines.append("|---|---|---|---|---|")
        for o, m in zip(ours["sampling"], mine["sampling"]):
            lines.append(f"| {o['plan']} | {o['nfe']:g} | {o['imagesPerSec']:.2f} | {m['imagesPerSec']:.2f} | "
                         f"{o['imagesPerSec'] / m['imagesPerSec']:.2f}x |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--ours", required=True, help="the folder ours.ts --out wrote")
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: ours.json's)")
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--min-time", type=float, default=None)
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--json", help="write PyTorch's results here")
    ap.add_argument("--check-only", action="store_true", help="parity check only, no timing")
    args = ap.parse_args()

    with open(os.path.join(args.ours, "ours.json")) as f:
        ours = json.load(f)
    settings = ours["settings"]
    threads = args.threads or settings["threads"]
    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    repeats = args.repeats or settings["repeats"]
    min_time = args.min_time if args.min_time is not None else settings["minTime"]
    rounds = args.rounds or settings["rounds"]

    model = PeerUNet(args.checkpoint, use="ema")
    fixtures, _ = read_safetensors(os.path.join(args.ours, "fixtures.safetensors"))
    blas = blas_library()
    result = {"torch": torch.__version__, "threads": torch.get_num_threads(), "weights": model.weights_from, "blas": blas,
              "load": [os.getloadavg()[0]]}
    if blas and "/blas/libblas" in blas:
        print(f"peer_unet.py: warning: PyTorch's matmuls run on the reference BLAS ({blas}), several times slower than "
              "OpenBLAS; `apt-get install -y libopenblas0-openmp` makes it the default (see tools/peer/README.md)", file=sys.stderr)
    with torch.inference_mode():
        rows, samples, failed = check_parity(model, fixtures, ours)
        worst = max(rows, key=lambda r: r["maxRel"])
        result["parity"] = {
            "forward": rows, "samples": samples,
            "worstForwardRel": worst["maxRel"], "worstForwardAbs": max(r["maxAbs"] for r in rows),
            "worstF_Rel": max(r["F_maxRel"] for r in rows),
            "worstSampleRel": max((s["maxRel"] for s in samples), default=None),
        }
        print(f"parity, forward ({len(rows)} cases: r 8/16/32, with/without condition and labels, sigma 0.002..80): "
              f"max abs {result['parity']['worstForwardAbs']:.2e}, max rel {worst['maxRel']:.2e} ({worst['case']}); "
              f"network output F max rel {result['parity']['worstF_Rel']:.2e}", file=sys.stderr)
        for s in samples:
            print(f"parity, whole samples {s['case']}: max abs {s['maxAbs']:.2e}, max rel {s['maxRel']:.2e}", file=sys.stderr)
        if failed:
            for row in failed:
                print(f"PARITY FAILURE: {json.dumps(row)}", file=sys.stderr)
            print(f"peer_unet.py: PyTorch does NOT reproduce ours (tolerances: forward {FORWARD_TOLERANCE} relative, "
                  f"whole samples {SAMPLE_TOLERANCE}); the timings would compare different networks.", file=sys.stderr)
            if args.json:
                with open(args.json, "w") as f:
                    json.dump(result, f, indent=1)
            sys.exit(3)
        if not args.check_only:
            result["forward"] = time_forward(model, settings["forwardSizes"], repeats, min_time, settings["seed"])
            if ours.get("sampling"):
                result["sampling"] = time_sampling(model, ours["plans"], settings["count"], rounds, settings.get("labels"), settings["seed"])
    result["load"].append(os.getloadavg()[0])
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    if not args.check_only:
        print(table(ours, result))


if __name__ == "__main__":
    main()
