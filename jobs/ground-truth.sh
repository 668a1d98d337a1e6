#!/usr/bin/env bash
# spark-submit 'mrf ground-truth'. Usage (options as for 'bin/mrf ground-truth --help'):
#   SPARK_HOME=/opt/spark MASTER=spark://host:7077 jobs/ground-truth.sh [options]
# Without MASTER it runs on local[*]. Extra spark-submit options go in SPARK_SUBMIT_OPTS_EXTRA.
set -euo pipefail
exec "$(dirname "$0")/submit.sh" ground-truth "$@"
