#!/usr/bin/env bash
# jobs/submit.sh for a driver inside a container of docker-compose.yml (client deploy mode):
# advertises the driver to the executors by the container's IP address, which works for both
# 'docker compose up' and 'docker compose run' containers (the latter get no service-name alias).
#   docker/cluster-submit.sh COMMAND [options]       e.g. docker/cluster-submit.sh demo --out /data/mrf-demo
# SPARK_DRIVER_HOST overrides the advertised address; everything else is as for jobs/submit.sh.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mrf_home="${MRF_HOME:-$(dirname "$here")}"
if [[ -z ${SPARK_DRIVER_HOST:-} ]]; then
  addresses=$(hostname -i)
  SPARK_DRIVER_HOST=${addresses%% *}
fi
export SPARK_SUBMIT_OPTS_EXTRA="--conf spark.driver.host=${SPARK_DRIVER_HOST} --conf spark.driver.bindAddress=0.0.0.0 ${SPARK_SUBMIT_OPTS_EXTRA:-}"
exec "$mrf_home/jobs/submit.sh" "$@"
