# JVM options for mrf on Java 17, shared by bin/mrf and jobs/*.sh (source this file).
# shellcheck shell=bash
# Spark and ND4J reach into JDK internals; without these opens they fail at start-up.
MRF_JAVA17_OPENS="--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED"
# The heap holds a whole dictionary on the driver for matching; override with MRF_HEAP.
# ND4J's arrays live off the heap and are freed only when the heap's garbage collector finds them dead; JavaCPP would
# let the process grow to three times the heap (8 + 16 GB: the kernel killed a demo for it on a 24 GB machine), so the
# off-heap memory (MRF_OFFHEAP) and the whole process (MRF_MAX_RSS) are capped; reaching a cap forces a collection.
: "${MRF_HOME:?set MRF_HOME to the mrf installation}"
mrf_heap="${MRF_HEAP:-8g}" mrf_offheap="${MRF_OFFHEAP:-4g}"
if [[ -z ${MRF_MAX_RSS:-} && $mrf_heap =~ ^[0-9]+[gG]$ && $mrf_offheap =~ ^[0-9]+[gG]$ ]]; then
  MRF_MAX_RSS="$((${mrf_heap%[gG]} + ${mrf_offheap%[gG]} + 2))g"
fi
MRF_JAVA_OPTS="-Xmx${mrf_heap} -Dorg.bytedeco.javacpp.maxbytes=${mrf_offheap}${MRF_MAX_RSS:+ -Dorg.bytedeco.javacpp.maxphysicalbytes=${MRF_MAX_RSS}} -Djava.awt.headless=true -Dlog4j2.configurationFile=${MRF_HOME}/conf/log4j2.properties ${MRF_JAVA17_OPENS}"
export MRF_JAVA17_OPENS MRF_JAVA_OPTS
