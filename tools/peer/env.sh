# Sourced by run.sh and train.sh after they set SELF (their own path): the repository root as the
# working directory and the defaults both share. PEER_PYTHON picks the interpreter.
ROOT="$(cd "$(dirname "$SELF")/../.." && pwd)"
cd "$ROOT"
PY="${PEER_PYTHON:-/usr/bin/python3}"
OUT=out/peer
CHECKPOINT=apps/pixel/checkpoints/fmnist-lowdiff.safetensors
