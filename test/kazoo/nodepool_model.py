"""The record parsers of Nodepool 3.x's zk.py and the node-key rule of Zuul 3.x, reduced to
what decides whether a record written by our TypeScript code is readable by them.

parse(kind, data) returns the attributes Nodepool would hold after fromDict, or raises as
Nodepool would (an unknown or null state raises TypeError; a non-list where Nodepool iterates
raises too).
"""
import json

NODE_STATES = {"init", "building", "testing", "ready", "in-use", "used", "hold", "deleting",
               "deleted", "failed", "aborted"}
REQUEST_STATES = {"requested", "pending", "fulfilled", "failed"}
BUILD_STATES = {"building", "ready", "deleting", "failed"}
UPLOAD_STATES = {"uploading", "ready", "deleting", "failed"}
ZUUL_RESERVED = {"name", "label", "id", "lock", "source_context", "start_mark"}


def _state(d, valid):
    # BaseModel.state setter: only valid states are accepted, None included in the refusal.
    if d.get("state") not in valid:
        raise TypeError("'%s' is not a valid state" % d.get("state"))
    if not isinstance(d.get("state_time"), (int, float)):
        raise TypeError("state_time must be a number")
    return {"state": d["state"], "state_time": d["state_time"]}


def node(d):
    o = _state(d, NODE_STATES)
    o["cloud"] = d.get("cloud")
    o["provider"] = d.get("provider")
    o["pool"] = d.get("pool")
    o["type"] = [d["type"]] if isinstance(d.get("type"), str) else d.get("type", [])
    o["allocated_to"] = d.get("allocated_to")
    for key in ("az", "region", "public_ipv4", "private_ipv4", "public_ipv6", "host_id",
                "interface_ip", "image_id", "launcher", "created_time", "external_id",
                "hostname", "comment", "hold_job", "connection_type", "resources", "attributes"):
        o[key] = d.get(key)
    o["connection_port"] = d.get("connection_port", d.get("ssh_port", 22))
    o["username"] = d.get("username", "zuul")
    o["host_keys"] = d.get("host_keys", [])
    hold = d.get("hold_expiration")
    if hold is not None:
        try:
            hold = int(hold)
        except ValueError:
            hold = 0
    o["hold_expiration"] = hold
    # What Nodepool and Zuul do with it: iterate labels and host keys, test membership.
    assert "x" not in o["type"] and len(list(o["host_keys"])) >= 0
    # Zuul turns every key into an attribute of its node object.
    clash = sorted(k for k in d if k in ZUUL_RESERVED or k.startswith("_"))
    if clash:
        raise KeyError("keys that corrupt Zuul's node object: %s" % clash)
    return o


def request(d):
    o = _state(d, REQUEST_STATES)
    o["declined_by"] = d.get("declined_by", [])
    o["node_types"] = d.get("node_types", [])
    o["nodes"] = d.get("nodes", [])
    o["reuse"] = d.get("reuse", True)
    o["requestor"] = d.get("requestor")
    o["provider"] = d.get("provider")
    o["relative_priority"] = d.get("relative_priority", 0)
    assert "x" not in o["declined_by"] and "x" not in o["nodes"]
    return o


def build(d):
    o = _state(d, BUILD_STATES)
    o["builder"] = d.get("builder")
    o["builder_id"] = d.get("builder_id")
    o["username"] = d.get("username", "zuul")
    f = d.get("formats", "")
    o["formats"] = f.split(",") if f else []
    return o


def upload(d):
    o = _state(d, UPLOAD_STATES)
    for key in ("external_id", "external_name", "format"):
        o[key] = d.get(key)
    o["username"] = d.get("username", "zuul")
    return o


def launcher(d):
    return {"id": d.get("id"), "provider_name": d.get("provider_name", "unknown"),
            "supported_labels": list(d.get("supported_labels", []))}


PARSERS = {"node": node, "request": request, "build": build, "upload": upload, "launcher": launcher}


def parse(kind, data):
    return PARSERS[kind](json.loads(data.decode("utf8")))
