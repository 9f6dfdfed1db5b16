"""A kazoo client driven line by line over stdin/stdout, so tests can play Zuul or the Python
Nodepool against our TypeScript code on the same ZooKeeper tree.

Usage: driver.py HOSTS   (HOSTS includes the test's chroot)
Each input line is a JSON command {"id": N, "op": ..., ...}; each command runs in its own
thread (a blocking lock must not stall the others) and answers one line
{"id": N, "ok": true, "result": ...} or {"id": N, "ok": false, "error": "<exception class>", "message": ...}.
Locks and elections are named by the caller ("name") so later commands can refer to them.
"""
import os

# The npm zookeeper addon's sockets are not close-on-exec, so this process inherits the test
# process's ZooKeeper connections; holding them would keep the test's closed sockets alive in
# its event loop's epoll set. Close them before anything else.
os.closerange(3, os.sysconf("SC_OPEN_MAX"))

import json  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402

from kazoo.client import KazooClient  # noqa: E402
from kazoo.exceptions import LockTimeout  # noqa: E402

import nodepool_model  # noqa: E402

hosts = sys.argv[1]
client = KazooClient(hosts=hosts, timeout=10.0)
client.start(timeout=10)
locks = {}
out_lock = threading.Lock()


def reply(message):
    with out_lock:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()


def run(cmd):
    op = cmd["op"]
    if op == "lock":
        lock = locks.get(cmd["name"]) or client.Lock(cmd["path"])
        locks[cmd["name"]] = lock
        return lock.acquire(blocking=cmd.get("blocking", True), timeout=cmd.get("timeout"))
    if op == "release":
        return locks[cmd["name"]].release()
    if op == "cancel":
        return locks[cmd["name"]].cancel()
    if op == "contenders":
        return client.Lock(cmd["path"]).contenders()
    if op == "elect":
        # kazoo's Election is the Lock recipe with the identifier as contender data.
        election = client.Election(cmd["path"], cmd["identifier"])
        locks[cmd["name"]] = election
        leading = threading.Event()
        threading.Thread(target=election.run, args=(leading.wait,), daemon=True).start()
        return None
    if op == "create":
        data = cmd.get("data")
        path = client.create(cmd["path"], b"" if data is None else json.dumps(data).encode("utf8"),
                             ephemeral=cmd.get("ephemeral", False), sequence=cmd.get("sequence", False),
                             makepath=True)
        return path
    if op == "get":
        data, stat = client.get(cmd["path"])
        return {"data": data.decode("utf8"), "ephemeralOwner": "%x" % stat.ephemeralOwner}
    if op == "set":
        return client.set(cmd["path"], json.dumps(cmd["data"]).encode("utf8")).version
    if op == "delete":
        return client.delete(cmd["path"], recursive=cmd.get("recursive", False))
    if op == "children":
        return sorted(client.get_children(cmd["path"]))
    if op == "parse":
        # Read a record as Nodepool's zk.py would (test/kazoo/nodepool_model.py).
        data, _ = client.get(cmd["path"])
        return nodepool_model.parse(cmd["kind"], data)
    if op == "session":
        return "%x" % client.client_id[0]
    if op == "stop":
        client.stop()
        client.close()
        return None
    raise ValueError("unknown op %s" % op)


def handle(cmd):
    try:
        reply({"id": cmd["id"], "ok": True, "result": run(cmd)})
    except LockTimeout as error:
        reply({"id": cmd["id"], "ok": False, "error": "LockTimeout", "message": str(error)})
    except Exception as error:  # reported to the test, which decides
        reply({"id": cmd["id"], "ok": False, "error": type(error).__name__, "message": str(error)})


reply({"id": 0, "ok": True, "result": "ready"})
for line in sys.stdin:
    if line.strip():
        threading.Thread(target=handle, args=(json.loads(line),), daemon=True).start()
