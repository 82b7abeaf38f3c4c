#!/usr/bin/python3
"""End-to-end encryption interop: matrix-nio clients with olm stores against chatd.

Usage: e2ee_nio.py <path to chatd>

Starts chatd on a free loopback port (port 0, read back from its ready
file) in a temporary directory, then:
  1. alice and bob (nio, encryption on) create an encrypted room and an
     encrypted DM, exchange messages both ways and decrypt them;
  2. bob logs in on a second device; alice's next message in the room is
     decrypted there too (the new device got the room key).
Exits 0 on success; prints the chatd log on failure. Needs only Debian's
python3-matrix-nio and python3-olm (scripts/setup.sh installs them).
"""

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from nio import (AsyncClient, AsyncClientConfig, LoginResponse, MegolmEvent,
                 RegisterResponse, RoomCreateResponse, RoomMessageText,
                 RoomSendResponse)

PASSWORD = "interop password 11"
ENCRYPTION = {"type": "m.room.encryption", "state_key": "",
              "content": {"algorithm": "m.megolm.v1.aes-sha2"}}
DEADLINE_SECONDS = 30


def start_chatd(binary, workdir):
    ready = os.path.join(workdir, "ready.json")
    config = os.path.join(workdir, "chatd.yaml")
    with open(config, "w") as f:
        f.write("server_name: localhost\n"
                "bind_address: 127.0.0.1\n"
                "port: 0\n"
                f"data_dir: {os.path.join(workdir, 'data')}\n"
                f"ready_file: {ready}\n"
                "log_level: debug\n")
    log = open(os.path.join(workdir, "chatd.log"), "w")
    proc = subprocess.Popen([binary, "--config", config], cwd=workdir,
                            stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("chatd exited before it was ready")
        try:
            with open(ready) as f:
                return proc, json.load(f)["port"]
        except (OSError, ValueError, KeyError):
            time.sleep(0.05)
    raise RuntimeError("chatd was not ready within 15 s")


async def register(url, name):
    client = AsyncClient(url, name)
    response = await client.register(name, PASSWORD)
    await client.close()
    if not isinstance(response, RegisterResponse):
        raise RuntimeError(f"register {name}: {response}")


async def encrypted_client(url, user, store_dir):
    os.makedirs(store_dir, exist_ok=True)
    config = AsyncClientConfig(encryption_enabled=True, store_sync_tokens=True)
    client = AsyncClient(url, user, store_path=store_dir, config=config)
    response = await client.login(PASSWORD)
    if not isinstance(response, LoginResponse):
        raise RuntimeError(f"login {user}: {response}")
    return client


async def sync_once(client):
    """One sync plus the key upkeep a nio client does around it."""
    await client.sync(timeout=500, full_state=client.next_batch is None)
    if client.should_upload_keys:
        await client.keys_upload()
    if client.should_query_keys:
        await client.keys_query()
    if client.should_claim_keys:
        await client.keys_claim(client.get_users_for_key_claiming())


async def settle(*clients, rounds=3):
    for _ in range(rounds):
        for c in clients:
            await sync_once(c)


async def send(client, room_id, text):
    response = await client.room_send(
        room_id, "m.room.message", {"msgtype": "m.text", "body": text},
        ignore_unverified_devices=True)
    if not isinstance(response, RoomSendResponse):
        raise RuntimeError(f"send in {room_id}: {response}")


async def wait_for_text(client, room_id, text):
    """Syncs until `text` arrives decrypted in `room_id`."""
    seen = []

    def on_text(room, event):
        if room.room_id == room_id:
            seen.append(event.body)

    def on_undecrypted(room, event):
        if room.room_id == room_id:
            seen.append(("undecryptable", event.session_id))

    client.add_event_callback(on_text, RoomMessageText)
    client.add_event_callback(on_undecrypted, MegolmEvent)
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline:
            await sync_once(client)
            if text in seen:
                return
        raise RuntimeError(f"{client.user_id}/{client.device_id} never decrypted "
                           f"{text!r} in {room_id}; saw {seen}")
    finally:
        client.event_callbacks = [cb for cb in client.event_callbacks
                                  if cb.func not in (on_text, on_undecrypted)]


async def scenario(url, workdir):
    await register(url, "alice")
    await register(url, "bob")
    alice = await encrypted_client(url, "@alice:localhost", os.path.join(workdir, "alice"))
    bob = await encrypted_client(url, "@bob:localhost", os.path.join(workdir, "bob"))
    bob2 = None
    try:
        await settle(alice, bob, rounds=1)

        room = await alice.room_create(name="secret", invite=[bob.user_id],
                                       initial_state=[ENCRYPTION])
        dm = await alice.room_create(is_direct=True, invite=[bob.user_id],
                                     preset=None, initial_state=[ENCRYPTION])
        for r in (room, dm):
            if not isinstance(r, RoomCreateResponse):
                raise RuntimeError(f"createRoom: {r}")
        await settle(alice, bob, rounds=1)
        for r in (room, dm):
            joined = await bob.join(r.room_id)
            if hasattr(joined, "status_code"):
                raise RuntimeError(f"join: {joined}")
        await settle(alice, bob)

        for r, label in ((room, "room"), (dm, "dm")):
            if not alice.rooms[r.room_id].encrypted:
                raise RuntimeError(f"{label} is not encrypted for alice")
            await send(alice, r.room_id, f"hello bob in the {label}")
            await wait_for_text(bob, r.room_id, f"hello bob in the {label}")
            await send(bob, r.room_id, f"hello alice in the {label}")
            await wait_for_text(alice, r.room_id, f"hello alice in the {label}")
            print(f"ok: {label} messages decrypted both ways")

        # A device added later gets the keys for new messages.
        bob2 = await encrypted_client(url, "@bob:localhost", os.path.join(workdir, "bob2"))
        await settle(bob2, alice, bob)
        await send(alice, room.room_id, "hello both of bob's devices")
        await wait_for_text(bob2, room.room_id, "hello both of bob's devices")
        await wait_for_text(bob, room.room_id, "hello both of bob's devices")
        print("ok: a later device decrypts new messages")
    finally:
        for c in (alice, bob, bob2):
            if c is not None:
                await c.close()


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    workdir = tempfile.mkdtemp(prefix="chatd-e2ee-nio-")
    proc = None
    ok = False
    try:
        proc, port = start_chatd(os.path.abspath(sys.argv[1]), workdir)
        asyncio.run(scenario(f"http://127.0.0.1:{port}", workdir))
        ok = True
    except Exception as error:  # the report is the point of this script
        print(f"FAILED: {error!r}", file=sys.stderr)
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if not ok:
            try:
                with open(os.path.join(workdir, "chatd.log")) as f:
                    print("---- chatd log (tail) ----", file=sys.stderr)
                    print("".join(f.readlines()[-80:]), file=sys.stderr)
            except OSError:
                pass
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
