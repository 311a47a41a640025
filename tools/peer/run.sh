#!/usr/bin/env bash
# The peer benchmark in one command: ours (tools/peer/ours.ts) and the same network in PyTorch
# (tools/peer/peer_unet.py), same checkpoint, threads, batches, count and plans; PyTorch checks its
# outputs against ours first, then both are timed and the ours / PyTorch table is printed.
#
#   bash tools/peer/run.sh [--runtime ort|tfjs] [--threads 1] [--count 16] [--rounds 2]
#       [--repeats 5] [--min-time 0.25] [--plans baseline-heun-18,lowdiff-3] [--guidance 2]
#       [--checkpoint apps/pixel/checkpoints/fmnist-lowdiff.safetensors] [--out out/peer]
#       [--check-only]
#   npm run peer -- --threads 2
#
# Exit codes: 0 done; 2 PyTorch missing or bad arguments; 3 PyTorch does not reproduce ours.
# PEER_PYTHON picks the interpreter (default /usr/bin/python3, which sees Debian's python3-torch;
# a pyenv or venv python on PATH usually does not).
set -euo pipefail
SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
source "$(dirname "$SELF")/env.sh"
OURS_ARGS=()
PY_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --checkpoint) CHECKPOINT="$2"; shift 2 ;;
    --check-only) OURS_ARGS+=("$1"); PY_ARGS+=("$1"); shift ;;
    --runtime|--threads|--count|--rounds|--repeats|--min-time|--plans|--guidance|--seed)
      [ $# -ge 2 ] || { echo "run.sh: $1 needs a value" >&2; exit 2; }
      OURS_ARGS+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,14p' "$SELF" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

if ! "$PY" -c 'import torch, numpy' 2>/dev/null; then
  cat >&2 <<MSG
run.sh: PyTorch is not importable from $PY.
Install Debian's packages (no pip needed):
  apt-get install -y python3-torch python3-numpy libopenblas0-openmp
and run with the system python (/usr/bin/python3, the default; set PEER_PYTHON=... for another).
MSG
  exit 2
fi

mkdir -p "$OUT"
echo "== ours: $CHECKPOINT ${OURS_ARGS[*]:-} -> $OUT" >&2
"$ROOT/node_modules/.bin/tsx" --conditions=@lowdiff/source tools/peer/ours.ts \
  --checkpoint "$CHECKPOINT" --out "$OUT" "${OURS_ARGS[@]}" > "$OUT/ours-summary.json"
echo "== PyTorch ($PY)" >&2
"$PY" tools/peer/peer_unet.py --checkpoint "$CHECKPOINT" --ours "$OUT" --json "$OUT/torch.json" "${PY_ARGS[@]}"
