#!/usr/bin/env bash
# Downloads an Apache Spark binary distribution, checks its SHA-512 and unpacks it to DEST.
#   docker/fetch-spark.sh VERSION DEST [SHA512]
# VERSION e.g. 3.5.1 (the Scala 2.12 / Hadoop 3 build, spark-VERSION-bin-hadoop3.tgz)
# SHA512  the expected digest; without it the .sha512 file published next to the archive is used.
# SPARK_MIRROR overrides the download base (default https://archive.apache.org/dist/spark).
set -euo pipefail
if (($# < 2 || $# > 3)); then
  echo "usage: $0 VERSION DEST [SHA512]" >&2
  exit 2
fi
version=$1
dest=$2
expected=${3:-}
mirror=${SPARK_MIRROR:-https://archive.apache.org/dist/spark}
tgz="spark-${version}-bin-hadoop3.tgz"
url="$mirror/spark-${version}/$tgz"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
curl -fsSL --retry 5 -o "$work/$tgz" "$url"
if [[ -z $expected ]]; then
  curl -fsSL --retry 5 -o "$work/$tgz.sha512" "$url.sha512"
  # Both published formats ("HEX  NAME" and gpg's "NAME: HE X ...") reduce to the bare digest.
  expected=$(sed "s/$tgz//" "$work/$tgz.sha512" | tr -d ' \t\r\n:*')
fi
expected=$(printf '%s' "$expected" | tr 'A-F' 'a-f')
if [[ ! $expected =~ ^[0-9a-f]{128}$ ]]; then
  echo "fetch-spark: no usable SHA-512 for $tgz: '$expected'" >&2
  exit 1
fi
actual=$(sha512sum "$work/$tgz" | cut -d' ' -f1)
if [[ $actual != "$expected" ]]; then
  echo "fetch-spark: SHA-512 mismatch for $tgz: got $actual, expected $expected" >&2
  exit 1
fi
mkdir -p "$dest"
tar -xzf "$work/$tgz" -C "$dest" --strip-components=1
# Examples, R and Python bindings are not used by mrf.
rm -rf "$dest/examples" "$dest/R" "$dest/python" "$dest/data"
echo "fetch-spark: Spark $version in $dest" >&2
