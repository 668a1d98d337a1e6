#!/usr/bin/env bash
# Lays out the runtime tree of an mrf image from a finished Maven build (Dockerfile builder stage).
#   docker/stage-runtime.sh SRC STAGE PREFIX [M2_REPO]
# SRC     the built source tree (has modules/cli/target/mrf-cli.jar and classpath.txt)
# STAGE   an empty directory that will be copied to PREFIX in the runtime image
# PREFIX  where STAGE ends up in the image (e.g. /opt/mrf, the image's MRF_HOME)
# M2_REPO the local Maven repository the build used (default ~/.m2/repository)
# Every jar of modules/cli/target/classpath.txt is copied: Maven-repository jars keep their
# repository layout under STAGE/lib (so jobs/submit.sh still tells Spark's and Scala's jars apart
# by their /org/apache/spark/ and /org/scala-lang/ path parts), module jars keep their place under
# STAGE/modules. classpath.txt is rewritten, in the same order, to the paths under PREFIX.
set -euo pipefail
if (($# < 3 || $# > 4)); then
  echo "usage: $0 SRC STAGE PREFIX [M2_REPO]" >&2
  exit 2
fi
src=$(cd "$1" && pwd)
stage=$2
prefix=${3%/}
m2=${4:-$HOME/.m2/repository}
m2=$(cd "$m2" && pwd)
cp_file="$src/modules/cli/target/classpath.txt"
app="$src/modules/cli/target/mrf-cli.jar"
for f in "$cp_file" "$app"; do
  [[ -f $f ]] || { echo "stage-runtime: missing $f (run mvn -DskipTests package first)" >&2; exit 1; }
done
mkdir -p "$stage/modules/cli/target" "$stage/lib"
cp "$app" "$stage/modules/cli/target/mrf-cli.jar"
entries=()
# classpath.txt has no trailing newline: read it through a here-string so read succeeds.
classpath=$(<"$cp_file")
IFS=':' read -r -a jars <<<"$classpath"
for jar in "${jars[@]}"; do
  [[ -n $jar ]] || continue
  case $jar in
    "$m2"/*) rel="lib/${jar#"$m2"/}" ;;
    "$src"/*) rel="${jar#"$src"/}" ;;
    *) echo "stage-runtime: $jar is neither in $m2 nor in $src" >&2; exit 1 ;;
  esac
  [[ -f $jar ]] || { echo "stage-runtime: $jar does not exist" >&2; exit 1; }
  mkdir -p "$stage/$(dirname "$rel")"
  cp "$jar" "$stage/$rel"
  entries+=("$prefix/$rel")
done
((${#entries[@]})) || { echo "stage-runtime: $cp_file is empty" >&2; exit 1; }
(IFS=':'; printf '%s' "${entries[*]}") >"$stage/modules/cli/target/classpath.txt"
echo "stage-runtime: ${#entries[@]} jars staged for $prefix" >&2
