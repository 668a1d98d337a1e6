#!/usr/bin/env bash
# Simulate a cohort (single JVM: the acquisition model uses all local cores). Usage:
#   jobs/simulate-cohort.sh --out /data/cohort --subjects 6 --matrix 256
set -euo pipefail
exec "$(dirname "$0")/../bin/mrf" simulate-cohort "$@"
