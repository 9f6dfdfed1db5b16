#!/usr/bin/env bash
# The whole test suite: sets up, starts a ZooKeeper for the run, runs every test/**/*.test.ts.
# Each test isolates itself in its own ZooKeeper chroot. Pass test files to run only those.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ $# -gt 0 ]; then files=("$@"); else mapfile -t files < <(find test -name '*.test.ts' | sort); fi
# The OpenStack tests run against a real cloud on this machine (scripts/openstack.sh; about 3 minutes
# the first time), started beside ZooKeeper. NODEPOOL_TEST_OPENSTACK=none skips them, saying so.
openstack=""
if [ "${NODEPOOL_TEST_OPENSTACK:-}" != none ] && printf '%s\n' "${files[@]}" | grep -q /openstack/; then
  bash scripts/openstack.sh start &
  openstack=$!
fi
port=${NODEPOOL_TEST_ZK_PORT:-22181}
zkdir=""
cleanup() { if [ -n "$zkdir" ]; then bash scripts/zk.sh stop --dir "$zkdir"; rm -rf "$zkdir"; fi; }
trap cleanup EXIT
if [ -z "${NODEPOOL_TEST_ZK:-}" ]; then
  if ! bash scripts/zk.sh status --port "$port"; then
    zkdir=$(mktemp -d /tmp/nodepool-test-zk.XXXXXX)
    bash scripts/zk.sh start --port "$port" --dir "$zkdir"
  fi
  export NODEPOOL_TEST_ZK="127.0.0.1:$port"
fi
# A hung test fails after 3 minutes instead of holding the run until CI gives up.
runner=(node --import tsx --test --test-reporter=spec)
others=() clouds=()
for f in "${files[@]}"; do case "$f" in */openstack/*) clouds+=("$f") ;; *) others+=("$f") ;; esac; done
if [ ${#others[@]} -gt 0 ]; then
  "${runner[@]}" --test-concurrency="${NODEPOOL_TEST_CONCURRENCY:-3}" --test-timeout=180000 "${others[@]}"
fi
# The OpenStack tests share one cloud whose every boot takes the same few processes: one file at a
# time, each given longer, is faster and steadier than three at once.
if [ ${#clouds[@]} -gt 0 ]; then
  if [ -n "$openstack" ] && ! wait "$openstack"; then
    echo "test.sh: the OpenStack test cloud did not start (see above); NODEPOOL_TEST_OPENSTACK=none skips its tests" >&2
    exit 1
  fi
  "${runner[@]}" --test-concurrency=1 --test-timeout=300000 "${clouds[@]}"
fi
