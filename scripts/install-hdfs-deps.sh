#!/usr/bin/env bash
# Installs what scripts/hdfs-cluster.sh needs (idempotent): Hadoop 3.4's shaded client and
# minicluster jars (and a log binding) from Maven Central into hdfs-cluster/target/lib, and
# hdfs-cluster/target/tsflink-hdfs-cluster.jar (tsflink.hdfs.MiniHdfs). Does nothing when both are
# there and the jar is newer than the module's sources and pom. Maven works offline when its local
# repository (~/.m2) already holds everything, and falls back to the network otherwise.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
MODULE="$ROOT/hdfs-cluster"
LIB="$MODULE/target/lib"
JAR="$MODULE/target/tsflink-hdfs-cluster.jar"

command -v java >/dev/null || { echo "install-hdfs-deps: java (17) is needed" >&2; exit 1; }
command -v mvn >/dev/null || { echo "install-hdfs-deps: mvn is needed" >&2; exit 1; }

mvn_() {
  # Offline first (no network when the local repository has it all), then online.
  # Maven's output goes to stderr: this script's stdout stays clean for whoever runs it.
  (cd "$MODULE" && { mvn -B -q -o "$@" 2>/dev/null || mvn -B -q "$@"; }) >&2
}

if [[ ! -f "$LIB/.complete" || "$MODULE/pom.xml" -nt "$LIB/.complete" ]]; then
  rm -rf "$LIB"
  mvn_ dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIB"
  touch "$LIB/.complete"
  echo "install-hdfs-deps: Hadoop jars in $LIB" >&2
fi

if [[ ! -f "$JAR" || -n "$(find "$MODULE/src" "$MODULE/pom.xml" -newer "$JAR" -print -quit)" ]]; then
  mvn_ package
  echo "install-hdfs-deps: built $JAR" >&2
fi
