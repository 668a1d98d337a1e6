"""Airflow DAG: scheduled 'mrf reprocess' of a growing cohort through jobs/submit.sh (spark-submit).

Put this file in Airflow's dags folder. Airflow Variables (Admin > Variables) say where things are:
  mrf_home          installation of mrf (jobs/submit.sh), default /opt/mrf
  mrf_spark_home    Spark installation, default /opt/spark
  mrf_master        Spark master, default yarn
  mrf_cohort        cohort folder that scanners / export scripts add subjects to
  mrf_model         model set (MODEL/t1, MODEL/t2) written by 'mrf train'
  mrf_out           reprocessing output (slices/, maps/, _reprocess/manifest.json, runs.jsonl)

One active run at a time (max_active_runs=1): reprocess would refuse a second one anyway (its lock
under mrf_out), but a refused run would show as a failure. Runs with nothing new finish in the
time it takes to hash the cohort and log "nothing to do", so an hourly schedule is cheap.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

DEFAULT_ARGS = {
    "owner": "mrf",
    "retries": 1,
    # A failed run leaves the previous outputs and manifest, so retrying the whole run is safe.
    "retry_delay": timedelta(minutes=10),
}

REPROCESS = (
    "{{ var.value.get('mrf_home', '/opt/mrf') }}/jobs/submit.sh reprocess"
    " --cohort {{ var.value.mrf_cohort }}"
    " --model {{ var.value.mrf_model }}"
    " --out {{ var.value.mrf_out }}"
)

with DAG(
    dag_id="mrf_reprocess",
    description="Ingest and infer new or changed MRF subjects (mrf reprocess)",
    default_args=DEFAULT_ARGS,
    schedule_interval="@hourly",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["mrf"],
) as dag:
    BashOperator(
        task_id="reprocess",
        bash_command=REPROCESS,
        env={
            "SPARK_HOME": "{{ var.value.get('mrf_spark_home', '/opt/spark') }}",
            "MASTER": "{{ var.value.get('mrf_master', 'yarn') }}",
        },
        # Keep the worker's PATH, JAVA_HOME etc.; env= alone would replace them.
        append_env=True,
        # Stuck jobs (e.g. a hung HDFS) must not block the next hour's run forever.
        execution_timeout=timedelta(hours=6),
    )
