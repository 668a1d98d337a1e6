#!/usr/bin/env bash
# spark-submit 'mrf reprocess'. Usage (options as for 'bin/mrf reprocess --help'):
#   SPARK_HOME=/opt/spark MASTER=yarn jobs/reprocess.sh --cohort hdfs:///scans --model hdfs:///mrf/models/current \
#     --out hdfs:///mrf/reprocess
# Without MASTER it runs on local[*]. Extra spark-submit options go in SPARK_SUBMIT_OPTS_EXTRA.
# Meant to be scheduled (jobs/cron/mrf-reprocess.cron, jobs/airflow/mrf_reprocess_dag.py): a run with
# nothing new only hashes the cohort and appends "nothing to do" to OUT/_reprocess/runs.jsonl.
set -euo pipefail
exec "$(dirname "$0")/submit.sh" reprocess "$@"
