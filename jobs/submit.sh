#!/usr/bin/env bash
# Common spark-submit wrapper for the mrf jobs: submits the mrf CLI's main class with the
# application jar and its dependencies, Java 17 flags for driver and executors, and conf/.
#   jobs/submit.sh COMMAND [options]      e.g. jobs/submit.sh dictionary --out hdfs:///mrf/dict
# Environment: SPARK_HOME (required unless spark-submit is on PATH), MASTER (default local[*]),
# DEPLOY_MODE (default client), SPARK_SUBMIT_OPTS_EXTRA (more spark-submit options).
set -euo pipefail
MRF_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MRF_HOME
# shellcheck source=bin/java-opts.sh
source "$MRF_HOME/bin/java-opts.sh"
submit="${SPARK_HOME:+$SPARK_HOME/bin/}spark-submit"
app="$MRF_HOME/modules/cli/target/mrf-cli.jar"
cp_file="$MRF_HOME/modules/cli/target/classpath.txt"
if [[ ! -f $app || ! -f $cp_file ]]; then
  (cd "$MRF_HOME" && mvn -q -B -DskipTests package)
fi
# Spark's own jars come from the cluster; ship everything else.
jars=$(tr ':' '\n' <"$cp_file" | grep -vE '/org/apache/spark/|/org/scala-lang/' | paste -sd, -)
# shellcheck disable=SC2086
exec "$submit" --master "${MASTER:-local[*]}" --deploy-mode "${DEPLOY_MODE:-client}" \
  --class org.mrf.scq.cli.Mrf --jars "$jars" \
  --conf "spark.driver.extraJavaOptions=${MRF_JAVA17_OPENS} -Dlog4j2.configurationFile=$MRF_HOME/conf/log4j2.properties" \
  --conf "spark.executor.extraJavaOptions=${MRF_JAVA17_OPENS}" \
  --driver-memory "${DRIVER_MEMORY:-8g}" ${SPARK_SUBMIT_OPTS_EXTRA:-} \
  "$app" "$@"
