#!/usr/bin/env bash
# spark-submit 'mrf evaluate'. Usage (options as for 'bin/mrf evaluate --help'):
#   SPARK_HOME=/opt/spark MASTER=spark://host:7077 jobs/evaluate.sh [options]
# Without MASTER it runs on local[*]. Extra spark-submit options go in SPARK_SUBMIT_OPTS_EXTRA.
set -euo pipefail
exec "$(dirname "$0")/submit.sh" evaluate "$@"
