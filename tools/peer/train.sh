#!/usr/bin/env bash
# Training throughput, ours against PyTorch on the same network, in one command: our trainer's
# benchmark (packages/trainer/bench/train-bench.ts, 1 and 2 workers) and tools/peer/peer_train.py
# (the same UNet, EDM loss and Adam step in PyTorch, 1 and 2 threads), then the ratio table.
#
#   bash tools/peer/train.sh [--batch 64] [--rounds 5] [--out out/peer]
#       [--checkpoint apps/pixel/checkpoints/fmnist-lowdiff.safetensors]
#
# Exit codes: 0 done; 2 PyTorch missing or bad arguments.
# PEER_PYTHON picks the interpreter (default /usr/bin/python3, which sees Debian's python3-torch).
set -euo pipefail
SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
source "$(dirname "$SELF")/env.sh"
BATCH=64
ROUNDS=5
while [ $# -gt 0 ]; do
  case "$1" in
    --out|--checkpoint|--batch|--rounds)
      [ $# -ge 2 ] || { echo "train.sh: $1 needs a value" >&2; exit 2; }
      case "$1" in --out) OUT="$2" ;; --checkpoint) CHECKPOINT="$2" ;; --batch) BATCH="$2" ;; --rounds) ROUNDS="$2" ;; esac
      shift 2 ;;
    -h|--help) sed -n '2,11p' "$SELF" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "train.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if ! "$PY" -c 'import torch' 2>/dev/null; then
  echo "train.sh: PyTorch is not importable from $PY; apt-get install -y python3-torch python3-numpy libopenblas0-openmp" >&2
  exit 2
fi
mkdir -p "$OUT"
echo "== ours: npm run bench -w @lowdiff/trainer -- --engines tfjs,ort --batch $BATCH --rounds $ROUNDS --workers 1,2" >&2
"$ROOT/node_modules/.bin/tsx" --conditions=@lowdiff/source packages/trainer/bench/train-bench.ts \
  --engines tfjs,ort --batch "$BATCH" --rounds "$ROUNDS" --workers 1,2 --json > "$OUT/train-ours.json"
echo "== PyTorch ($PY)" >&2
"$PY" tools/peer/peer_train.py --checkpoint "$CHECKPOINT" --batch "$BATCH" --rounds "$ROUNDS" --threads 1,2 \
  --json "$OUT/train-torch.json" --ours "$OUT/train-ours.json"
