#!/usr/bin/env bash
# A real ZooKeeper (Debian's `zookeeper` package) for development, tests and CI.
#   scripts/zk.sh start [--port N] [--dir DIR]   start a standalone server, wait until it answers
#   scripts/zk.sh stop  [--dir DIR]              stop it
#   scripts/zk.sh status [--port N]              exit 0 when a server answers on the port
#   scripts/zk.sh ensemble-start [--port N] [--dir DIR]  a three-server ensemble on loopback: client
#                                                ports N, N+1, N+2 (default 22281..22283); starts the
#                                                members that are not running, waits for a quorum
#   scripts/zk.sh ensemble-stop [--port N] [--dir DIR]   stop all three members
#   scripts/zk.sh ensemble-status [--port N]     print each member's mode; exit 0 when all answer
# Data lives under DIR (default: .state/zk-PORT, or .state/zk-ensemble-PORT with members in
# DIR/1, DIR/2, DIR/3), which may be on tmpfs. Failover tests stop one member with
# `scripts/zk.sh stop --dir DIR/2` and bring it back with `ensemble-start`.
set -euo pipefail
cmd=${1:-}; shift || true
case "$cmd" in ensemble-*) port=22281 ;; *) port=2181 ;; esac
dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "zk.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
case "$cmd" in
  ensemble-*) dir=${dir:-$root/.state/zk-ensemble-$port} ;;
  *) dir=${dir:-$root/.state/zk-$port} ;;
esac

ensure_installed() {
  [ -f /usr/share/java/zookeeper.jar ] && return 0
  echo "zk.sh: installing Debian's zookeeper package" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq zookeeper >/dev/null
}

srvr() { # the server's reply to the "srvr" four-letter word, empty when it does not answer
  { exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'srvr' >&3 && timeout 2 cat <&3; } 2>/dev/null || true
}
answers() { # a server that replies to "srvr" with its mode is serving
  [[ "$(srvr "$1")" == *"Mode:"* ]]
}

launch() { # launch DIR [MAIN]: start the server configured in DIR/zoo.cfg in the background
  cp /etc/zookeeper/conf/log4j.properties "$1/" 2>/dev/null || true
  (
    # Close what the caller's process left open (a test's ZooKeeper sockets, which the npm
    # addon does not mark close-on-exec): a server holding them would keep them alive.
    for fd in /proc/self/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-" 2>/dev/null; done
    # NODEPOOL_ZK_JVM_FLAGS: extra JVM options. The JVM's defaults suit a long-running server
    # (C2-compiled, as in production); on a small machine a short-lived one spends much of its CPU
    # warming up, which "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC" avoids.
    # shellcheck disable=SC2086
    exec nohup java "-Xmx${heap:-512m}" ${NODEPOOL_ZK_JVM_FLAGS:-} -Dzookeeper.log.dir="$1" -Dzookeeper.root.logger=WARN,CONSOLE \
      -cp "/usr/share/java/*:$1" "${2:-org.apache.zookeeper.server.ZooKeeperServerMain}" "$1/zoo.cfg" \
      >"$1/server.log" 2>&1
  ) &
  echo $! > "$1/pid"
}

stop_dir() { # stop_dir DIR: stop the server whose pid is in DIR/pid
  if [ -f "$1/pid" ]; then
    local pid; pid=$(cat "$1/pid"); kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true; rm -f "$1/pid"
  fi
}

common_cfg() { # settings every server here shares: fast ticks, no fsync, tmpfs-friendly
  cat <<CFG
tickTime=500
initLimit=10
syncLimit=5
forceSync=no
maxClientCnxns=0
minSessionTimeout=1000
maxSessionTimeout=60000
admin.enableServer=false
4lw.commands.whitelist=srvr,ruok,mntr,stat
autopurge.purgeInterval=1
CFG
}

case "$cmd" in
  start)
    ensure_installed
    if answers "$port"; then echo "zk.sh: ZooKeeper already answering on 127.0.0.1:$port"; exit 0; fi
    mkdir -p "$dir/data"
    { common_cfg; printf 'dataDir=%s\nclientPort=%s\nclientPortAddress=127.0.0.1\n' "$dir/data" "$port"; } > "$dir/zoo.cfg"
    launch "$dir"
    for _ in $(seq 1 120); do
      if answers "$port"; then echo "zk.sh: ZooKeeper up on 127.0.0.1:$port (data $dir)"; exit 0; fi
      kill -0 "$(cat "$dir/pid")" 2>/dev/null || { echo "zk.sh: ZooKeeper exited; see $dir/server.log" >&2; tail -20 "$dir/server.log" >&2; exit 1; }
      sleep 0.25
    done
    echo "zk.sh: ZooKeeper did not answer on port $port within 30 s; see $dir/server.log" >&2; exit 1 ;;
  stop) stop_dir "$dir" ;;
  status) answers "$port" ;;
  ensemble-start)
    # Member i (1..3): client port N+i-1, quorum port N+100+i-1, election port N+200+i-1.
    ensure_installed
    heap=256m
    for i in 1 2 3; do
      member="$dir/$i"; client=$((port + i - 1))
      if answers "$client" || { [ -f "$member/pid" ] && kill -0 "$(cat "$member/pid")" 2>/dev/null; }; then continue; fi
      mkdir -p "$member/data"
      echo "$i" > "$member/data/myid"
      {
        common_cfg
        printf 'dataDir=%s\nclientPort=%s\nclientPortAddress=127.0.0.1\n' "$member/data" "$client"
        for j in 1 2 3; do printf 'server.%s=127.0.0.1:%s:%s\n' "$j" $((port + 100 + j - 1)) $((port + 200 + j - 1)); done
      } > "$member/zoo.cfg"
      launch "$member" org.apache.zookeeper.server.quorum.QuorumPeerMain
    done
    for _ in $(seq 1 240); do
      up=0
      for i in 1 2 3; do answers $((port + i - 1)) && up=$((up + 1)); done
      if [ "$up" -eq 3 ]; then
        echo "zk.sh: ensemble up on 127.0.0.1:$port,127.0.0.1:$((port + 1)),127.0.0.1:$((port + 2)) (data $dir)"; exit 0
      fi
      sleep 0.25
    done
    echo "zk.sh: the ensemble did not form within 60 s; see $dir/*/server.log" >&2; exit 1 ;;
  ensemble-stop) for i in 1 2 3; do stop_dir "$dir/$i"; done ;;
  ensemble-status)
    ok=0
    for i in 1 2 3; do
      mode=$(srvr $((port + i - 1)) | sed -n 's/^Mode: //p')
      echo "127.0.0.1:$((port + i - 1)) ${mode:-down}"
      [ -n "$mode" ] || ok=1
    done
    exit $ok ;;
  *) echo "usage: zk.sh start|stop|status|ensemble-start|ensemble-stop|ensemble-status [--port N] [--dir DIR]" >&2; exit 2 ;;
esac
