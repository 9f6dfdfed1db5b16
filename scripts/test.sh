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
if [ "${NODEPOOL_TEST_OPENSTACK:-}" != none ] && printf '%s\n' "${files[@]}" | grep -q openstack; then
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
if [ -n "$openstack" ] && ! wait "$openstack"; then
  echo "test.sh: the OpenStack test cloud did not start (see above); NODEPOOL_TEST_OPENSTACK=none skips its tests" >&2
  exit 1
fi
# A hung test fails after 3 minutes instead of holding the run until CI gives up.
node --import tsx --test --test-concurrency="${NODEPOOL_TEST_CONCURRENCY:-3}" --test-timeout=180000 --test-reporter=spec "${files[@]}"
