#!/usr/bin/env bash
# A standalone Flink 1.20 cluster on loopback, built from Maven artifacts (no Flink tarball):
# one JobManager and N TaskManagers, each a JVM of its own, on free ports.
#
#   scripts/flink-cluster.sh start [--taskmanagers N] [--slots S]   # prints the REST address host:port
#   scripts/flink-cluster.sh status                                 # prints the address and /overview
#   scripts/flink-cluster.sh stop                                   # stops exactly the JVMs it started
#
# Jars come from scripts/install-flink-deps.sh (flink-runner/target/flink-dist/lib). State (config,
# pid files, logs) lives in $TSFLINK_FLINK_CLUSTER_DIR (default flink-runner/target/flink-cluster).
# `start` waits until every TaskManager's slots are registered (GET /overview), at most 120 s.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
LIB="$ROOT/flink-runner/target/flink-dist/lib"
STATE="${TSFLINK_FLINK_CLUSTER_DIR:-$ROOT/flink-runner/target/flink-cluster}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
OPENS=(
  --add-exports=java.base/sun.net.util=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)
JM_CLASS=org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
TM_CLASS=org.apache.flink.runtime.taskexecutor.TaskManagerRunner

die() { echo "flink-cluster: $*" >&2; exit 1; }

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# Is the pid in this file alive and one of our JVMs (not a reused pid)?
alive() {
  local pidfile="$1" pid
  [[ -f "$pidfile" ]] || return 1
  pid="$(cat "$pidfile")"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$STATE/conf" || return 1
}

# BashJavaUtils prints the JVM options and the -D settings Flink's own scripts would use.
java_utils() {
  "$JAVA" -cp "$LIB/*" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$STATE/conf" 2>>"$STATE/log/bash-java-utils.log" \
    | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p'
}

overview() {
  curl -fsS --max-time 5 "http://$(cat "$STATE/rest-address")/overview" 2>/dev/null
}

start() {
  local tms=2 slots=2
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --taskmanagers) tms="$2"; shift 2 ;;
      --slots) slots="$2"; shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  [[ "$tms" =~ ^[1-9][0-9]*$ ]] || die "--taskmanagers needs a positive number"
  [[ -d "$LIB" ]] || die "no Flink jars in $LIB: run scripts/install-flink-deps.sh"
  if alive "$STATE/jobmanager.pid"; then die "a cluster is already running at $(cat "$STATE/rest-address") (stop it first)"; fi
  rm -rf "$STATE"
  mkdir -p "$STATE/conf" "$STATE/log" "$STATE/tmp"
  local rpc rest
  rpc="$(free_port)"
  rest="$(free_port)"
  cat >"$STATE/conf/config.yaml" <<YAML
jobmanager.rpc.address: 127.0.0.1
jobmanager.rpc.port: $rpc
jobmanager.bind-host: 127.0.0.1
jobmanager.memory.process.size: 1024m
rest.address: 127.0.0.1
rest.bind-address: 127.0.0.1
rest.port: $rest
taskmanager.host: 127.0.0.1
taskmanager.bind-host: 127.0.0.1
taskmanager.rpc.port: 0
taskmanager.data.port: 0
taskmanager.numberOfTaskSlots: $slots
taskmanager.memory.process.size: 1536m
# Every tsflink task sends its side records (results, printed lines) to the job's collect(): that
# union reads from every task, and needs more network buffers than Flink's 10 % default leaves.
# collect() results come back inside Flink's RPC messages (10 MB at most by default).
pekko.framesize: 268435456b
taskmanager.memory.network.min: 256m
taskmanager.memory.network.max: 256m
parallelism.default: 1
blob.server.port: 0
io.tmp.dirs: $STATE/tmp
heartbeat.interval: 1000
heartbeat.timeout: 10000
YAML
  echo "127.0.0.1:$rest" >"$STATE/rest-address"
  echo "$tms" >"$STATE/taskmanagers"

  local jm_jvm jm_dyn
  mapfile -t jm < <(java_utils GET_JM_RESOURCE_PARAMS)
  [[ ${#jm[@]} -ge 1 ]] || die "BashJavaUtils gave no JobManager memory settings (see $STATE/log/bash-java-utils.log)"
  jm_jvm="${jm[0]}"; jm_dyn="${jm[1]:-}"
  # java.io.tmpdir in the state folder too: Flink's web upload folder, lz4's native library and
  # what else defaults to it go with `stop`, and -XX:-UsePerfData keeps hsperfdata out of /tmp
  # (a TaskManager killed by a test would leave them there).
  # shellcheck disable=SC2086
  nohup "$JAVA" "${OPENS[@]}" $jm_jvm -Djava.io.tmpdir="$STATE/tmp" -XX:-UsePerfData -Dlog.file="$STATE/log/jobmanager.log" \
    -Dlog4j2.configurationFile="$ROOT/flink-runner/conf/log4j-cluster.properties" \
    -cp "$LIB/*" "$JM_CLASS" --configDir "$STATE/conf" $jm_dyn \
    >"$STATE/log/jobmanager.out" 2>&1 </dev/null &
  echo $! >"$STATE/jobmanager.pid"

  mapfile -t tm < <(java_utils GET_TM_RESOURCE_PARAMS)
  [[ ${#tm[@]} -ge 2 ]] || die "BashJavaUtils gave no TaskManager memory settings (see $STATE/log/bash-java-utils.log)"
  for ((i = 1; i <= tms; i++)); do
    mkdir -p "$STATE/tmp/tm-$i"
    # shellcheck disable=SC2086
    nohup "$JAVA" "${OPENS[@]}" ${tm[0]} -Djava.io.tmpdir="$STATE/tmp/tm-$i" -XX:-UsePerfData -Dlog.file="$STATE/log/taskmanager-$i.log" \
      -Dlog4j2.configurationFile="$ROOT/flink-runner/conf/log4j-cluster.properties" \
      -cp "$LIB/*" "$TM_CLASS" --configDir "$STATE/conf" ${tm[1]} \
      -D taskmanager.resource-id="tm-$i" -D io.tmp.dirs="$STATE/tmp/tm-$i" \
      >"$STATE/log/taskmanager-$i.out" 2>&1 </dev/null &
    echo $! >"$STATE/taskmanager-$i.pid"
  done

  local want=$((tms * slots)) deadline=$((SECONDS + 120)) body
  while ((SECONDS < deadline)); do
    alive "$STATE/jobmanager.pid" || {
      tail -20 "$STATE/log/jobmanager.out" >&2
      grep -E 'ERROR|Exception' "$STATE/log/jobmanager.log" 2>/dev/null | tail -5 >&2 || true
      stop >/dev/null
      die "the JobManager exited (logs in $STATE/log)"
    }
    if body="$(overview)" && [[ "$(echo "$body" | node -e "const o=JSON.parse(require('fs').readFileSync(0,'utf8'));console.log(o.taskmanagers+' '+o['slots-total'])")" == "$tms $want" ]]; then
      echo "Flink cluster up: 1 JobManager, $tms TaskManagers, $want slots; REST address:" >&2
      cat "$STATE/rest-address"
      return 0
    fi
    sleep 1
  done
  stop >/dev/null
  die "the cluster did not register $want slots within 120 s (logs in $STATE/log)"
}

stop() {
  local pidfile pid stopped=0
  shopt -s nullglob
  local files=("$STATE"/taskmanager-*.pid "$STATE"/jobmanager.pid)
  for pidfile in "${files[@]}"; do
    if alive "$pidfile"; then
      pid="$(cat "$pidfile")"
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do alive "$pidfile" || break; sleep 0.1; done
      if alive "$pidfile"; then kill -KILL "$pid" 2>/dev/null || true; fi
      stopped=$((stopped + 1))
    fi
    rm -f "$pidfile"
  done
  # The stopped processes' temp files (io.tmp.dirs: blobs, the distributed cache, shipped code).
  rm -rf "$STATE/tmp"
  echo "flink-cluster: stopped $stopped process(es)"
}

status() {
  local pidfile any=0
  shopt -s nullglob
  for pidfile in "$STATE"/jobmanager.pid "$STATE"/taskmanager-*.pid; do
    if alive "$pidfile"; then echo "$(basename "$pidfile" .pid): running (pid $(cat "$pidfile"))"; any=1
    else echo "$(basename "$pidfile" .pid): not running"; fi
  done
  [[ $any == 1 ]] || { echo "no cluster running"; return 1; }
  echo "REST address: $(cat "$STATE/rest-address")"
  overview && echo
}

cmd="${1:-}"
shift || true
case "$cmd" in
  start) start "$@" ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: flink-cluster.sh start [--taskmanagers N] [--slots S] | stop | status" ;;
esac
