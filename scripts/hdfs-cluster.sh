#!/usr/bin/env bash
# A real HDFS on loopback for the tests: Hadoop 3.4's MiniDFSCluster (one NameNode, one DataNode)
# in one JVM (tsflink.hdfs.MiniHdfs, hdfs-cluster/), on free ports.
#
#   scripts/hdfs-cluster.sh start    # prints hdfs://127.0.0.1:<rpc> and http://127.0.0.1:<http>
#   scripts/hdfs-cluster.sh status   # prints the addresses and GETFILESTATUS of /
#   scripts/hdfs-cluster.sh stop     # stops exactly the JVM it started, removes its data and temp files
#
# Jars come from scripts/install-hdfs-deps.sh (hdfs-cluster/target/lib and
# hdfs-cluster/target/tsflink-hdfs-cluster.jar; `start` runs it when they are missing). State
# (pid file, addresses, logs, the name and data directories, the JVM's temp dir) lives in
# $TSFLINK_HDFS_CLUSTER_DIR (default hdfs-cluster/target/hdfs-cluster). Permissions are off (any
# user.name may write), replication is 1, the smallest block size 4096 bytes, and the DataNode
# advertises 127.0.0.1 (WebHDFS's redirects go there). `start` waits until the cluster is out of
# safe mode and WebHDFS answers GET /webhdfs/v1/?op=GETFILESTATUS, at most 120 s; it writes the
# addresses to namenode-rpc and namenode-http in the state dir too.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
MODULE="$ROOT/hdfs-cluster"
LIB="$MODULE/target/lib"
JAR="$MODULE/target/tsflink-hdfs-cluster.jar"
STATE="$(realpath -m -- "${TSFLINK_HDFS_CLUSTER_DIR:-$MODULE/target/hdfs-cluster}")"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
PIDFILE="$STATE/namenode.pid"

die() { echo "hdfs-cluster: $*" >&2; exit 1; }

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# Is the pid in the pid file alive and our JVM (not a reused pid)?
alive() {
  local pid
  [[ -f "$PIDFILE" ]] || return 1
  pid="$(cat "$PIDFILE")"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "-Djava.io.tmpdir=$STATE/tmp" || return 1
}

root_status() {
  curl -fsS --max-time 5 "$(cat "$STATE/namenode-http")/webhdfs/v1/?op=GETFILESTATUS&user.name=tsflink" 2>/dev/null
}

start() {
  [[ $# -eq 0 ]] || die "start takes no options"
  if alive; then die "a cluster is already running at $(cat "$STATE/namenode-rpc") (stop it first)"; fi
  if [[ ! -f "$LIB/.complete" || ! -f "$JAR" ]]; then bash "$ROOT/scripts/install-hdfs-deps.sh" >&2; fi
  rm -rf "$STATE"
  mkdir -p "$STATE/log" "$STATE/tmp" "$STATE/data"
  local rpc http
  rpc="$(free_port)"
  http="$(free_port)"
  while [[ "$http" == "$rpc" ]]; do http="$(free_port)"; done
  echo "hdfs://127.0.0.1:$rpc" >"$STATE/namenode-rpc"
  echo "http://127.0.0.1:$http" >"$STATE/namenode-http"
  # java.io.tmpdir in the state dir (Jetty's web app folders go there) and -XX:-UsePerfData keeps
  # hsperfdata out of /tmp: `stop` removes both. The working directory is the state dir too.
  (cd "$STATE" || exit 1
  nohup "$JAVA" -Xms64m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData \
    -Djava.io.tmpdir="$STATE/tmp" -Djava.net.preferIPv4Stack=true -Dhdfs.log.file="$STATE/log/hdfs.log" \
    -cp "$LIB/*:$JAR" tsflink.hdfs.MiniHdfs "$STATE/data" "$rpc" "$http" "$STATE/ready" \
    >"$STATE/log/hdfs.out" 2>&1 </dev/null &
    echo $! >"$PIDFILE")

  # Until the forked shell has exec'd the JVM, its cmdline is this script's: only a pid that is gone,
  # or still not our JVM after 10 s, counts as an exit.
  local pid deadline=$((SECONDS + 120)) grace=$((SECONDS + 10))
  pid="$(cat "$PIDFILE")"
  while ((SECONDS < deadline)); do
    { kill -0 "$pid" 2>/dev/null && { alive || ((SECONDS < grace)); }; } || {
      tail -20 "$STATE/log/hdfs.out" >&2
      grep -E 'ERROR|Exception' "$STATE/log/hdfs.log" 2>/dev/null | tail -5 >&2 || true
      stop >/dev/null
      die "the HDFS JVM exited (logs in $STATE/log)"
    }
    if [[ -f "$STATE/ready" ]] && root_status >/dev/null; then
      echo "HDFS up: 1 NameNode, 1 DataNode (pid $(cat "$PIDFILE")); RPC and HTTP (WebHDFS) addresses:" >&2
      cat "$STATE/namenode-rpc" "$STATE/namenode-http"
      return 0
    fi
    sleep 0.5
  done
  stop >/dev/null
  die "HDFS did not come up within 120 s (logs in $STATE/log)"
}

stop() {
  local pid stopped=0
  if alive; then
    pid="$(cat "$PIDFILE")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 300); do alive || break; sleep 0.1; done
    if alive; then kill -KILL "$pid" 2>/dev/null || true; fi
    for _ in $(seq 1 50); do alive || break; sleep 0.1; done
    stopped=1
  fi
  rm -f "$PIDFILE"
  # The stopped JVM's name and data directories, temp files, and addresses (logs stay).
  rm -rf "$STATE/data" "$STATE/tmp" "$STATE/ready" "$STATE/namenode-rpc" "$STATE/namenode-http"
  echo "hdfs-cluster: stopped $stopped process(es)"
}

status() {
  if ! alive; then echo "no cluster running"; return 1; fi
  echo "namenode: running (pid $(cat "$PIDFILE"))"
  echo "RPC address: $(cat "$STATE/namenode-rpc")"
  echo "HTTP address: $(cat "$STATE/namenode-http")"
  root_status && echo
}

cmd="${1:-}"
shift || true
case "$cmd" in
  start) start "$@" ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: hdfs-cluster.sh start | stop | status" ;;
esac
