#!/usr/bin/env bash
# spark-submit 'mrf train'. Usage (options as for 'bin/mrf train --help'):
#   SPARK_HOME=/opt/spark MASTER=spark://host:7077 jobs/train.sh [options]
# Without MASTER it runs on local[*]. Extra spark-submit options go in SPARK_SUBMIT_OPTS_EXTRA.
# Checkpoints are written on the driver (MODEL.checkpoints or --checkpoints DIR): use client deploy mode
# or a --checkpoints directory the driver host keeps, so --resume finds them.
set -euo pipefail
exec "$(dirname "$0")/submit.sh" train "$@"
