#!/usr/bin/env bash
# The main job on one machine: sets everything up, starts a local ZooKeeper and validates
# the example configurations.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/zk.sh start --port "${NODEPOOL_ZK_PORT:-2181}"
for f in config-examples/*.yaml; do
  [ -e "$f" ] || continue
  bin/nodepool config-validate -c "$f"
done
