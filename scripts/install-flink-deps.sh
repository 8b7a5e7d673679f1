#!/usr/bin/env bash
# Installs what the Flink target needs (idempotent): Flink 1.20 and its dependencies from Maven
# Central into flink-runner/target/flink-dist/lib, and the plan binder's jar
# flink-runner/target/tsflink-flink-runner.jar. Does nothing when both are there and the jar is
# newer than the binder's sources, pom and the shared test vectors. Building runs the Java tests. Maven works offline when its local repository
# (~/.m2) already holds everything, and falls back to the network otherwise.
# `--skip-tests` builds without the Java tests (what `tsflink flink install` does in an installed
# package, which holds the binder's sources but not its tests).
set -euo pipefail
SKIP_TESTS=()
[[ "${1:-}" == "--skip-tests" ]] && SKIP_TESTS=(-Dmaven.test.skip=true)
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
MODULE="$ROOT/flink-runner"
LIB="$MODULE/target/flink-dist/lib"
JAR="$MODULE/target/tsflink-flink-runner.jar"

command -v java >/dev/null || { echo "install-flink-deps: java (17) is needed" >&2; exit 1; }
command -v mvn >/dev/null || { echo "install-flink-deps: mvn is needed" >&2; exit 1; }

mvn_() {
  # Offline first (no network when the local repository has it all), then online.
  # Maven's output goes to stderr: this script's stdout stays clean for whoever runs it.
  (cd "$MODULE" && { mvn -B -q -o "$@" 2>/dev/null || mvn -B -q "$@"; }) >&2
}

if [[ ! -f "$LIB/.complete" || "$MODULE/pom.xml" -nt "$LIB/.complete" ]]; then
  rm -rf "$LIB"
  mvn_ dependency:copy-dependencies -DincludeScope=provided -DoutputDirectory="$LIB"
  touch "$LIB/.complete"
  echo "install-flink-deps: Flink jars in $LIB" >&2
fi

stale=0
[[ -f "$JAR" ]] || stale=1
VECTORS=()
[[ -d "$ROOT/test/vectors" ]] && VECTORS=("$ROOT/test/vectors")
if [[ $stale == 0 && -n "$(find "$MODULE/src" "$MODULE/pom.xml" "${VECTORS[@]}" -newer "$JAR" -print -quit)" ]]; then stale=1; fi
if [[ $stale == 1 ]]; then
  # With the Java tests: the canonical key vectors shared with the TypeScript tests.
  mvn_ package "${SKIP_TESTS[@]}"
  echo "install-flink-deps: built${SKIP_TESTS:+ (tests skipped)} $JAR" >&2
fi
