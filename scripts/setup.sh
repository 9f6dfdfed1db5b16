#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian machine with Node.js 20: Debian packages,
# the locked npm dependencies, and the built commands. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
[ -f /usr/share/java/zookeeper.jar ] || need+=(zookeeper)
/usr/bin/python3 -c 'import kazoo' 2>/dev/null || need+=(python3-kazoo)  # Debian's python, where the tests run kazoo
command -v qemu-img >/dev/null || need+=(qemu-utils)
command -v mkfs.ext4 >/dev/null || need+=(e2fsprogs)
command -v ssh-keygen >/dev/null || need+=(openssh-client)
[ -x /usr/bin/chromium ] || need+=(chromium)  # the status page's browser test drives Debian's chromium
[ -x /usr/sbin/sshd ] || need+=(openssh-server)  # the static driver's tests run real sshd instances on loopback
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Waits for another apt run on the machine rather than failing at once.
  apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "${need[@]}" >/dev/null
fi
# The zookeeper addon builds ZooKeeper's C client; with SOCK_CLOEXEC its sockets are not inherited by
# child processes (an image build), which would otherwise stall the client when it reconnects.
export CPPFLAGS="${CPPFLAGS:-} -DSOCK_CLOEXEC_ENABLED=1"
marker=node_modules/.nodepool-setup-v3
patches=(patches/zookeeper-*.patch)
stale=$([ -f "$marker" ] && find package-lock.json "${patches[@]}" -newer "$marker" | head -1 || echo missing)
if [ -n "$stale" ]; then
  echo "setup: installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  # The addon lacks the C client's multi-op transactions (zoo_amulti) and re-resolves the server
  # names after every answer unless told a resolution delay: the patches add a_multi and the
  # delay, then the addon is compiled again. Without the old build and with --build-from-source,
  # node-gyp-build cannot settle for an existing unpatched binary.
  for patch in "${patches[@]}"; do
    echo "setup: patching the zookeeper addon ($patch)"
    if ! git apply --directory=node_modules/zookeeper "$patch"; then
      echo "setup: $patch does not apply to the installed zookeeper package" \
        "($(node -p 'require("./node_modules/zookeeper/package.json").version'); the patches were made for 7.3.0): regenerate it against that package" >&2
      exit 1
    fi
  done
  rm -rf node_modules/zookeeper/build
  npm rebuild zookeeper --build-from-source --no-audit --no-fund --loglevel=error
  if ! node -e 'process.exit(typeof require("node-gyp-build")("node_modules/zookeeper").ZooKeeper.prototype.a_multi === "function" ? 0 : 1)'; then
    echo "setup: the rebuilt zookeeper addon has no a_multi; see npm's log above" >&2
    exit 1
  fi
  touch "$marker"
fi
npm run --silent build
