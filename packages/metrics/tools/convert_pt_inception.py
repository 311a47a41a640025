#!/usr/bin/env python3
"""Convert the FID Inception-v3 weights of pytorch-fid to safetensors for @lowdiff/metrics.

The weights are not shipped with LowDiff-TS; download them yourself (about 91 MB) from the
pytorch-fid releases:

  https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/pt_inception-2015-12-05-6726825d.pth

They are the TensorFlow `inception-2015-12-05` graph that the original FID code uses, ported to
PyTorch (torchvision's Inception3 layout, 1008-class `fc`, no AuxLogits). Then:

  python3 convert_pt_inception.py pt_inception-2015-12-05-6726825d.pth inception-v3-fid.safetensors
  python3 convert_pt_inception.py pt_inception-2015-12-05-6726825d.pth inception-v3-fid-f16.safetensors --dtype f16

and in TypeScript: `await loadInceptionV3('inception-v3-fid.safetensors')`.

Needs `torch` (only to unpickle the .pth) and `numpy`. Uses the `safetensors` package when it is
installed and otherwise writes the (simple) format itself. Tensors keep their PyTorch names and
layout (conv [out, in, kh, kw], fc [out, in]); the TypeScript loader transposes them and folds
BatchNorm. BatchNorm `num_batches_tracked` counters are dropped (unused at inference).
"""

import argparse
import hashlib
import json
import os
import sys

import numpy as np

SOURCE_NAME = "pt_inception-2015-12-05-6726825d.pth"
SOURCE_URL = "https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/" + SOURCE_NAME
# torch.hub convention: the 8 hex digits in the file name start the file's SHA-256.
SOURCE_SHA256_PREFIX = "6726825d"
EXPECTED_TENSORS = 94 * 5 + 2  # 94 BasicConv2d (conv weight + 4 BatchNorm tensors) + fc weight and bias
FORMAT = "lowdiff-inception-v3/1"


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_state_dict(path):
    """The .pth as {name: float32 numpy array}, without num_batches_tracked."""
    try:
        import torch
    except ImportError:
        sys.exit("error: reading a .pth needs PyTorch (pip install torch); nothing else here does")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except TypeError:  # torch < 1.13 has no weights_only
        state = torch.load(path, map_location="cpu")
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    out = {}
    for name, tensor in state.items():
        if name.endswith(".num_batches_tracked"):
            continue
        out[name] = tensor.detach().cpu().numpy().astype(np.float32)
    return out


def check(arrays):
    problems = []
    if len(arrays) != EXPECTED_TENSORS:
        problems.append(f"{len(arrays)} tensors, expected {EXPECTED_TENSORS}")
    fc = arrays.get("fc.weight")
    if fc is None or fc.shape != (1008, 2048):
        problems.append(f"fc.weight is {None if fc is None else fc.shape}, expected (1008, 2048)")
    if any(name.startswith("AuxLogits.") for name in arrays):
        problems.append("has AuxLogits: this is torchvision's ImageNet Inception, not the FID one")
    bad = [name for name, a in arrays.items() if not np.isfinite(a).all()]
    if bad:
        problems.append("non-finite values in " + ", ".join(bad[:5]))
    if problems:
        sys.exit("error: not the FID Inception weights: " + "; ".join(problems))


def write_safetensors(path, arrays, metadata):
    """Writes safetensors: the `safetensors` package if installed, else the format by hand."""
    tmp = path + ".tmp"
    try:
        from safetensors.numpy import save_file

        save_file({k: np.ascontiguousarray(v) for k, v in arrays.items()}, tmp, metadata=metadata)
    except ImportError:
        # 8-byte little-endian header length, JSON header, then the tensors' bytes (little-endian,
        # C order) back to back; the header is space-padded so the data starts 8-byte aligned.
        names = sorted(arrays)
        header = {"__metadata__": metadata}
        offset = 0
        for name in names:
            a = arrays[name]
            dtype = {np.dtype("float32"): "F32", np.dtype("float16"): "F16"}[a.dtype]
            header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
            offset += a.nbytes
        blob = json.dumps(header, separators=(",", ":")).encode("utf-8")
        blob += b" " * ((8 - (8 + len(blob)) % 8) % 8)
        with open(tmp, "wb") as f:
            f.write(len(blob).to_bytes(8, "little"))
            f.write(blob)
            for name in names:
                f.write(np.ascontiguousarray(arrays[name]).astype(arrays[name].dtype.newbyteorder("<"), copy=False).tobytes())
            f.flush()
            os.fsync(f.fileno())
    os.replace(tmp, path)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog="Download: " + SOURCE_URL)
    p.add_argument("pth", help="pt_inception-2015-12-05-6726825d.pth, downloaded from " + SOURCE_URL)
    p.add_argument("out", help="output .safetensors")
    p.add_argument("--dtype", choices=["f32", "f16"], default="f32", help="f16 halves the file; features move by ~1e-3 relative (default f32)")
    p.add_argument("--allow-other-hash", action="store_true", help="convert even if the file's SHA-256 does not start with " + SOURCE_SHA256_PREFIX)
    args = p.parse_args(argv)

    digest = sha256_of(args.pth)
    if not digest.startswith(SOURCE_SHA256_PREFIX) and not args.allow_other_hash:
        sys.exit(f"error: {args.pth} has SHA-256 {digest}, not {SOURCE_SHA256_PREFIX}...: not {SOURCE_NAME} (or damaged); re-download it or pass --allow-other-hash")
    arrays = load_state_dict(args.pth)
    check(arrays)
    if args.dtype == "f16":
        arrays = {k: v.astype(np.float16) for k, v in arrays.items()}
    metadata = {
        "format": FORMAT,
        "source": os.path.basename(args.pth),
        "source_sha256": digest,
        "source_url": SOURCE_URL,
        "dtype": args.dtype.upper(),
    }
    write_safetensors(args.out, arrays, metadata)
    print(f"wrote {args.out}: {len(arrays)} tensors, {args.dtype.upper()}, from {os.path.basename(args.pth)} (sha256 {digest[:16]}...)")


if __name__ == "__main__":
    main()
