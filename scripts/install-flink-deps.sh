#!/usr/bin/env bash
# Installs what the Flink target needs (idempotent): Flink 1.20 and its dependencies from Maven
# Central into flink-runner/target/flink-dist/lib, and the plan binder's jar
# flink-runner/target/tsflink-flink-runner.jar. Does nothing when both are there and the jar is
# newer than the binder's sources, pom and the shared test vectors. Building runs the Java tests. Maven works offline when its local repository
# (~/.m2) already holds everything, and falls back to the network otherwise.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
MODULE="$ROOT/flink-runner"
LIB="$MODULE/target/flink-dist/lib"
JAR="$MODULE/target/tsflink-flink-runner.jar"

command -v java >/dev/null || { echo "install-flink-deps: java (17) is needed" >&2; exit 1; }
command -v mvn >/dev/null || { echo "install-flink-deps: mvn is needed" >&2; exit 1; }

mvn_() {
  # Offline first (no network when the local repository has it all), then online.
  (cd "$MODULE" && { mvn -B -q -o "$@" 2>/dev/null || mvn -B -q "$@"; })
}

if [[ ! -f "$LIB/.complete" || "$MODULE/pom.xml" -nt "$LIB/.complete" ]]; then
  rm -rf "$LIB"
  mvn_ dependency:copy-dependencies -DincludeScope=provided -DoutputDirectory="$LIB"
  touch "$LIB/.complete"
  echo "install-flink-deps: Flink jars in $LIB" >&2
fi

stale=0
[[ -f "$JAR" ]] || stale=1
if [[ $stale == 0 && -n "$(find "$MODULE/src" "$MODULE/pom.xml" "$ROOT/test/vectors" -newer "$JAR" -print -quit)" ]]; then stale=1; fi
if [[ $stale == 1 ]]; then
  # With the Java tests: the canonical key vectors shared with the TypeScript tests.
  mvn_ package
  echo "install-flink-deps: built and tested $JAR" >&2
fi
