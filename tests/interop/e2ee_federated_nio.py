#!/usr/bin/python3
"""End-to-end encryption across two homeservers: matrix-nio clients with olm
stores, one on each of two federating chatd servers.

Usage: e2ee_federated_nio.py <path to chatd>

Starts two chatd on free loopback ports, named 127.0.0.1:<port> and
federating over plain HTTP (federation.allow_insecure_http), then alice (on
the first) and bob (on the second) share an encrypted room and an encrypted
DM and exchange messages both ways, each decrypting the other's; then bob
logs in on a second device, which decrypts alice's next message. Every step
of the key exchange crosses servers: /keys/query and /keys/claim over
federation, the olm-encrypted room keys as m.direct_to_device EDUs, and the
messages as PDUs, the new device as an m.device_list_update EDU. Exits 0 on success; prints both chatd logs on failure.
"""

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import json

from nio import RoomCreateResponse

from e2ee_nio import (ENCRYPTION, encrypted_client, register, send, settle,
                      wait_for_text)

READY_SECONDS = 30


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_chatd(binary, workdir, port):
    """chatd named 127.0.0.1:<port> in workdir; returns (process, name)."""
    os.makedirs(workdir)
    ready = os.path.join(workdir, "ready.json")
    config = os.path.join(workdir, "chatd.yaml")
    name = f"127.0.0.1:{port}"
    with open(config, "w") as f:
        f.write(f'server_name: "{name}"\n'
                "bind_address: 127.0.0.1\n"
                f"port: {port}\n"
                f"data_dir: {os.path.join(workdir, 'data')}\n"
                f"ready_file: {ready}\n"
                "log_level: debug\n"
                "federation:\n"
                "  allow_insecure_http: true\n")
    log = open(os.path.join(workdir, "chatd.log"), "w")
    proc = subprocess.Popen([binary, "--config", config], cwd=workdir,
                            stdout=log, stderr=subprocess.STDOUT)
    log.close()
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"chatd {name} exited before it was ready")
        try:
            with open(ready) as f:
                if json.load(f)["port"] == port:
                    return proc, name
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"chatd {name} was not ready within {READY_SECONDS} s")


async def join_when_invited(client, others, room_id):
    """Joins a room of another server once the invite has arrived."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        await settle(client, *others, rounds=1)
        if room_id in client.invited_rooms:
            joined = await client.join(room_id)
            if hasattr(joined, "status_code"):
                raise RuntimeError(f"join {room_id}: {joined}")
            return
    raise RuntimeError(f"{client.user_id} never saw the invite to {room_id}")


async def scenario(url_a, name_a, url_b, name_b, workdir):
    await register(url_a, "alice")
    await register(url_b, "bob")
    alice = await encrypted_client(url_a, f"@alice:{name_a}", os.path.join(workdir, "alice"))
    bob = await encrypted_client(url_b, f"@bob:{name_b}", os.path.join(workdir, "bob"))
    clients = [alice, bob]
    try:
        await settle(alice, bob, rounds=1)
        # Invites to another server's users go through /invite, which has
        # the invitee's server countersign them (federation invite v2).
        room = await alice.room_create(name="secret", initial_state=[ENCRYPTION])
        dm = await alice.room_create(is_direct=True, preset=None, initial_state=[ENCRYPTION])
        for r in (room, dm):
            if not isinstance(r, RoomCreateResponse):
                raise RuntimeError(f"createRoom: {r}")
            invited = await alice.room_invite(r.room_id, bob.user_id)
            if hasattr(invited, "status_code"):
                raise RuntimeError(f"invite: {invited}")
        for r in (room, dm):
            await join_when_invited(bob, [alice], r.room_id)
        await settle(alice, bob)

        for r, label in ((room, "room"), (dm, "dm")):
            if not alice.rooms[r.room_id].encrypted:
                raise RuntimeError(f"{label} is not encrypted for alice")
            await send(alice, r.room_id, f"hello bob in the {label}")
            await wait_for_text(bob, r.room_id, f"hello bob in the {label}")
            await send(bob, r.room_id, f"hello alice in the {label}")
            await wait_for_text(alice, r.room_id, f"hello alice in the {label}")
            print(f"ok: {label} messages decrypted both ways across servers")

        # Bob's new device reaches alice's server as m.device_list_update;
        # alice's client then shares the room key with it too.
        bob2 = await encrypted_client(url_b, f"@bob:{name_b}", os.path.join(workdir, "bob2"))
        clients.append(bob2)
        await settle(bob2, alice, bob)
        await send(alice, room.room_id, "hello both of bob's devices")
        await wait_for_text(bob2, room.room_id, "hello both of bob's devices")
        print("ok: a later device on the other server decrypts new messages")
    finally:
        for c in clients:
            await c.close()


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    workdir = tempfile.mkdtemp(prefix="chatd-e2ee-fed-nio-")
    procs = []
    ok = False
    try:
        servers = []
        for label in ("a", "b"):
            proc, name = start_chatd(binary, os.path.join(workdir, label), free_port())
            procs.append(proc)
            servers.append((f"http://{name}", name))
        (url_a, name_a), (url_b, name_b) = servers
        asyncio.run(scenario(url_a, name_a, url_b, name_b, workdir))
        ok = True
    except Exception as error:  # the report is the point of this script
        print(f"FAILED: {error!r}", file=sys.stderr)
    finally:
        for proc in procs:
            stop(proc)
        if not ok:
            for label in ("a", "b"):
                try:
                    with open(os.path.join(workdir, label, "chatd.log")) as f:
                        print(f"---- chatd {label} log (tail) ----", file=sys.stderr)
                        print("".join(f.readlines()[-80:]), file=sys.stderr)
                except OSError:
                    pass
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
