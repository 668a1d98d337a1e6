# JVM options for mrf on Java 17, shared by bin/mrf and jobs/*.sh (source this file).
# shellcheck shell=bash
# Spark and ND4J reach into JDK internals; without these opens they fail at start-up.
MRF_JAVA17_OPENS="--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED"
# The heap holds a whole dictionary on the driver for matching; override with MRF_HEAP.
: "${MRF_HOME:?set MRF_HOME to the mrf installation}"
MRF_JAVA_OPTS="-Xmx${MRF_HEAP:-8g} -Djava.awt.headless=true -Dlog4j2.configurationFile=${MRF_HOME}/conf/log4j2.properties ${MRF_JAVA17_OPENS}"
export MRF_JAVA17_OPENS MRF_JAVA_OPTS
