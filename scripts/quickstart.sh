#!/usr/bin/env bash
# The main job on one machine: sets everything up, starts a local ZooKeeper, then a builder and a
# launcher on config-examples/quickstart.config.ts with the fake cloud. Shows the image being built
# with nodepool-image-create and uploaded, and the min-ready nodes booting from it; then stops the
# daemons (KEEP_RUNNING=1 leaves them and ZooKeeper up; logs are in .state/quickstart/).
# With --openstack the same runs on a real OpenStack on this machine (scripts/openstack.sh, which
# takes about 3 minutes the first time): config-examples/quickstart-openstack.config.ts, the image
# uploaded to Glance and the nodes booted by Nova with floating IPs.
set -euo pipefail
cd "$(dirname "$0")/.."
config=config-examples/quickstart.config.ts
cloud="the fake cloud"
case "${1:-}" in
  "") ;;
  --openstack) config=config-examples/quickstart-openstack.config.ts cloud="Glance" ;;
  *) echo "usage: scripts/quickstart.sh [--openstack]" >&2; exit 2 ;;
esac
bash scripts/setup.sh
bash scripts/zk.sh start --port 2181
if [ "$config" = config-examples/quickstart-openstack.config.ts ]; then
  bash scripts/openstack.sh start
  export OS_CLIENT_CONFIG_FILE=${NODEPOOL_OPENSTACK_DIR:-/var/tmp/nodepool-openstack}/clouds.yaml
fi
chroot=$(node -e 'console.log(require("yaml").parse(require("fs").readFileSync(process.argv[1], "utf8"))["zookeeper-servers"][0].chroot)' "${config%.config.ts}.yaml")
logs=.state/quickstart
mkdir -p "$logs"
np() { bin/nodepool -c "$config" "$@"; }

echo "== config-validate $config"
np config-validate --no-typecheck

echo "== starting from a clean slate: ZooKeeper chroot $chroot, .state/images"
/usr/share/zookeeper/bin/zkCli.sh -server 127.0.0.1:2181 deleteall "$chroot" >/dev/null 2>&1 || true
rm -rf .state/images .state/build-logs

pids=()
stop() {
  [ "${KEEP_RUNNING:-}" = 1 ] && { echo "daemons left running: pids ${pids[*]}"; return; }
  for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop EXIT
bin/nodepool-builder -c "$config" --fake -f >"$logs/builder.log" 2>&1 & pids+=($!)
bin/nodepool-launcher -c "$config" -f >"$logs/launcher.log" 2>&1 & pids+=($!)
echo "== builder (pid ${pids[0]}) and launcher (pid ${pids[1]}) started; logs in $logs/"

# Counts the rows of a `--json` listing whose state is ready.
ready_count() { np "$1" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).filter(r=>r.state==="ready").length))'; }
wait_for() { # what, listing, count, seconds
  local deadline=$((SECONDS + $4)) n=0
  while [ $SECONDS -lt $deadline ]; do
    n=$(ready_count "$2" 2>/dev/null || echo 0)
    [ "$n" -ge "$3" ] && { echo "== $1: $n ready after ${SECONDS}s"; return 0; }
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "a daemon exited; see $logs/" >&2; tail -20 "$logs"/*.log >&2; return 1; }; done
    sleep 0.5
  done
  echo "timed out waiting for $1 ($n ready); see $logs/" >&2; tail -20 "$logs"/*.log >&2; return 1
}
wait_for "image built" dib-image-list 1 180
wait_for "image uploaded to $cloud" image-list 1 120
wait_for "min-ready nodes" list 3 120

echo; echo "== nodepool dib-image-list"; np dib-image-list
echo; echo "== nodepool image-list"; np image-list
echo; echo "== nodepool list"; np list
echo; echo "== the launcher's web API: GET http://127.0.0.1:8005/label-list"
node -e 'fetch("http://127.0.0.1:8005/label-list").then((r) => r.text()).then(console.log)'
echo; echo "== nodepool plan"; np plan || [ $? = 3 ]
