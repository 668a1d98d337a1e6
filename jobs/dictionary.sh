#!/usr/bin/env bash
# spark-submit the dictionary job. Usage:
#   SPARK_HOME=/opt/spark MASTER=spark://host:7077 jobs/dictionary.sh --out hdfs:///mrf/dict [mrf dictionary options]
# Without MASTER it runs on local[*]. Extra spark-submit options go in SPARK_SUBMIT_OPTS_EXTRA.
set -euo pipefail
exec "$(dirname "$0")/submit.sh" dictionary "$@"
