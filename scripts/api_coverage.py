#!/usr/bin/env python3
"""Writes docs/api-coverage.md: every Client-Server endpoint of the spec,
marked from the routes chatd registers (daemon/routing/*.cpp).

Usage: /usr/bin/python3 scripts/api_coverage.py SPEC_CHECKOUT > docs/api-coverage.md
where SPEC_CHECKOUT holds matrix-org/matrix-spec (data/api/client-server/*.yaml).
Needs python3-yaml. Partial endpoints and their gaps are listed in PARTIAL.
"""
import glob
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Registered but not complete: what is missing, honestly.
PARTIAL = {
    ("POST", "/_matrix/client/v3/register"):
        "kind=guest refused; m.login.dummy and m.login.registration_token only"
        " (no email/msisdn/recaptcha stages)",
    ("POST", "/_matrix/client/v3/pushers/set"):
        "kind http only (email pushers refused)",
    ("GET", "/_matrix/client/v3/notifications"):
        "profile_tag is always null",
    ("GET", "/_matrix/client/v1/media/download/{serverName}/{mediaId}"):
        "local media only (remote media needs federation, issue 9); timeout_ms not honoured",
    ("GET", "/_matrix/client/v1/media/download/{serverName}/{mediaId}/{fileName}"):
        "local media only (remote media needs federation, issue 9); timeout_ms not honoured",
    ("GET", "/_matrix/client/v1/media/thumbnail/{serverName}/{mediaId}"):
        "local media only; animated=true gives the first frame; timeout_ms not honoured",
    # End-to-end encryption (issue 11): local users only.
    ("POST", "/_matrix/client/v3/keys/query"):
        "remote users' keys (/user/keys/query): not done: needs federation (issue 9)",
    ("POST", "/_matrix/client/v3/keys/claim"):
        "remote users' keys (/user/keys/claim): not done: needs federation (issue 9)",
    ("GET", "/_matrix/client/v3/keys/changes"):
        "remote users' device lists (m.device_list_update, m.signing_key_update EDUs,"
        " /user/devices): not done: needs federation (issue 9)",
    ("POST", "/_matrix/client/v3/keys/signatures/upload"):
        "signatures on remote users' keys: not done: needs federation (issue 9)",
    ("PUT", "/_matrix/client/v3/sendToDevice/{eventType}/{txnId}"):
        "remote recipients (m.direct_to_device EDU): not done: needs federation (issue 9)",
    # Server-Server API.
    ("GET", "/_matrix/federation/v1/query/profile"): "displayname and avatar_url only",
    ("PUT", "/_matrix/federation/v1/send/{txnId}"):
        "EDUs m.typing, m.receipt (m.read), m.presence; others ignored",
    ("PUT", "/_matrix/federation/v2/send_join/{roomId}/{eventId}"):
        "omit_members ignored: always the full state",
}


def spec_endpoints(spec_root, api="client-server"):
    rows = []
    for path in sorted(glob.glob(os.path.join(spec_root, f"data/api/{api}/*.yaml"))):
        doc = yaml.safe_load(open(path))
        if not doc or "paths" not in doc:
            continue
        base = ""
        for server in doc.get("servers", []):
            base = server.get("variables", {}).get("basePath", {}).get("default", base)
        for endpoint, methods in doc["paths"].items():
            for method, op in methods.items():
                if method in ("get", "put", "post", "delete"):
                    rows.append((os.path.basename(path), method.upper(), base + endpoint,
                                 bool(op.get("deprecated", False))))
    return rows


def our_routes():
    routes = set()
    for path in glob.glob(os.path.join(ROOT, "daemon/routing/*.cpp")):
        text = open(path).read()
        for method, pattern in re.findall(r'add_v3\(router,\s*(\w+),\s*"([^"]+)"', text):
            routes.add((method.rstrip("_").upper(), "/_matrix/client/v3" + pattern))
        for method, pattern in re.findall(r'router\.add\(\s*(\w+),\s*"([^"]+)"', text):
            routes.add((method.rstrip("_").upper(), pattern))
        # Loops over literal path lists registered with one handler.
        for block in re.findall(r'for \(auto \w+ : \{([^}]*)\}\)\s*add_v3\(router,\s*(\w+)', text):
            for pattern in re.findall(r'"([^"]+)"', block[0]):
                routes.add((block[1].rstrip("_").upper(), "/_matrix/client/v3" + pattern))
    return routes


def normalise(path):
    return re.sub(r"\{[^}]+\}", "{}", path)


def table(rows, routes):
    counts = {"implemented": 0, "partial": 0, "not yet": 0}
    lines = []
    for source, method, path, deprecated in rows:
        key = (method, normalise(path))
        if key in routes and (method, path) in PARTIAL:
            status, note = "partial", PARTIAL[(method, path)]
        elif key in routes:
            status, note = "implemented", ""
        else:
            status, note = "not yet", ""
        counts[status] += 1
        if deprecated:
            note = (note + "; " if note else "") + "deprecated in the spec"
        lines.append(f"| {method} | `{path}` | {status} | {source} | {note} |")
    return counts, lines


def print_table(counts, lines):
    print(f"Implemented: {counts['implemented']}, partial: {counts['partial']}, "
          f"not yet: {counts['not yet']}.\n")
    print("| Method | Path | Status | Spec file | Notes |")
    print("| --- | --- | --- | --- | --- |")
    for line in lines:
        print(line)


def main():
    routes = {(m, normalise(p)) for m, p in our_routes()}
    print("# API coverage\n")
    print("Every endpoint of the current spec (matrix-org/matrix-spec, `data/api/`), marked from")
    print("the routes chatd registers. Generated by `scripts/api_coverage.py`.\n")
    print("## Client-Server API\n")
    print("`r0` paths are served as aliases of `v3`.\n")
    print_table(*table(spec_endpoints(sys.argv[1]), routes))
    print("\n## Server-Server API (federation)\n")
    print_table(*table(spec_endpoints(sys.argv[1], "server-server"), routes))


if __name__ == "__main__":
    main()
