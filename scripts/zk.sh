#!/usr/bin/env bash
# A real ZooKeeper (Debian's `zookeeper` package) for development, tests and CI.
#   scripts/zk.sh start [--port N] [--dir DIR]   start a standalone server, wait until it answers
#   scripts/zk.sh stop  [--dir DIR]              stop it
#   scripts/zk.sh status [--port N]              exit 0 when a server answers on the port
# Data lives under DIR (default: .state/zk-PORT), which may be on tmpfs.
set -euo pipefail
cmd=${1:-}; shift || true
port=2181; dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "zk.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${dir:-$root/.state/zk-$port}

ensure_installed() {
  [ -f /usr/share/java/zookeeper.jar ] && return 0
  echo "zk.sh: installing Debian's zookeeper package" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq zookeeper >/dev/null
}

answers() { # a server that replies to the "srvr" four-letter word is up
  local out
  out=$( { exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'srvr' >&3 && timeout 2 cat <&3; } 2>/dev/null ) || true
  [[ "$out" == *"Mode:"* ]]
}

case "$cmd" in
  start)
    ensure_installed
    if answers "$port"; then echo "zk.sh: ZooKeeper already answering on 127.0.0.1:$port"; exit 0; fi
    mkdir -p "$dir/data"
    cat > "$dir/zoo.cfg" <<CFG
tickTime=500
initLimit=10
syncLimit=5
dataDir=$dir/data
clientPort=$port
clientPortAddress=127.0.0.1
forceSync=no
maxClientCnxns=0
minSessionTimeout=1000
maxSessionTimeout=60000
admin.enableServer=false
4lw.commands.whitelist=srvr,ruok,mntr,stat
autopurge.purgeInterval=1
CFG
    cp /etc/zookeeper/conf/log4j.properties "$dir/" 2>/dev/null || true
    nohup java -Xmx512m -Dzookeeper.log.dir="$dir" -Dzookeeper.root.logger=WARN,CONSOLE \
      -cp "/usr/share/java/*:$dir" org.apache.zookeeper.server.ZooKeeperServerMain "$dir/zoo.cfg" \
      >"$dir/server.log" 2>&1 &
    echo $! > "$dir/pid"
    for _ in $(seq 1 120); do
      if answers "$port"; then echo "zk.sh: ZooKeeper up on 127.0.0.1:$port (data $dir)"; exit 0; fi
      kill -0 "$(cat "$dir/pid")" 2>/dev/null || { echo "zk.sh: ZooKeeper exited; see $dir/server.log" >&2; tail -20 "$dir/server.log" >&2; exit 1; }
      sleep 0.25
    done
    echo "zk.sh: ZooKeeper did not answer on port $port within 30 s; see $dir/server.log" >&2; exit 1 ;;
  stop)
    if [ -f "$dir/pid" ]; then
      pid=$(cat "$dir/pid"); kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -9 "$pid" 2>/dev/null || true; rm -f "$dir/pid"
    fi ;;
  status) answers "$port" ;;
  *) echo "usage: zk.sh start|stop|status [--port N] [--dir DIR]" >&2; exit 2 ;;
esac
