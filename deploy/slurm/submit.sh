#!/bin/bash
# The array, then the merge once all of it succeeded:  bash deploy/slurm/submit.sh
set -euo pipefail
mkdir -p logs
array=$(sbatch --parsable deploy/slurm/eval-array.sbatch)
sbatch --dependency=afterok:"${array}" deploy/slurm/merge.sbatch
