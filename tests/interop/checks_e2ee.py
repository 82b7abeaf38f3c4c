"""End-to-end encryption with nio's olm machine (python3-olm), issue 11.

The server never sees plaintext; what it must do is store and hand out device
and one-time keys (/keys/upload, /keys/query, /keys/claim), pass to-device
messages (the olm-encrypted megolm room key), report device-list changes and
one-time key counts in /sync, and carry m.room.encrypted events like any other.
"""

from nio import MegolmEvent, RoomMessageText

from harness import (CheckFailed, Context, expect, q, raw, require, shared_room, sync_until,
                     timeline_events, unique)

ENCRYPTION_STATE = {
    "type": "m.room.encryption",
    "state_key": "",
    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
}


async def encrypted_user(ctx: Context, prefix: str):
    client = await ctx.new_user(prefix, encryption=True)
    expect(client.olm is not None, "nio has no olm machine (is python3-olm installed?)")
    require(await client.keys_upload(), "POST /keys/upload")
    return client


async def e2ee_keys_upload(ctx: Context) -> None:
    alice = await encrypted_user(ctx, "keys")
    expect(not alice.should_upload_keys, "nio still wants to upload keys after uploading")
    # Another user can read the device keys back, as signed by alice.
    bob = await ctx.new_user("keyreader")
    status, body = await raw(bob, "POST", "/v3/keys/query",
                             {"device_keys": {alice.user_id: []}})
    expect(status == 200, f"POST /keys/query: HTTP {status}")
    device = body.get("device_keys", {}).get(alice.user_id, {}).get(alice.device_id, {})
    ed25519 = device.get("keys", {}).get(f"ed25519:{alice.device_id}")
    expect(ed25519 == alice.olm.account.identity_keys["ed25519"],
           f"queried ed25519 key {ed25519!r} is not alice's")
    # One of alice's one-time keys can be claimed once.
    status, body = await raw(bob, "POST", "/v3/keys/claim", {
        "one_time_keys": {alice.user_id: {alice.device_id: "signed_curve25519"}}})
    expect(status == 200, f"POST /keys/claim: HTTP {status}")
    claimed = body.get("one_time_keys", {}).get(alice.user_id, {}).get(alice.device_id, {})
    expect(len(claimed) == 1, f"claimed {claimed}")


async def wait_encrypted_room(client, room_id: str, members: set) -> None:
    def ready(_):
        room = client.rooms.get(room_id)
        return room is not None and room.encrypted and members <= set(room.users)
    await sync_until(client, ready, what=f"the encrypted room with {sorted(members)}")


async def receive_decrypted(receiver, room_id: str, body: str) -> RoomMessageText:
    """Syncs until `body` arrives decrypted. A megolm event that came before
    its room key is decrypted again after each later sync."""
    undecrypted: list[MegolmEvent] = []

    def decrypted(response):
        undecrypted.extend(e for e in timeline_events(response, room_id)
                           if isinstance(e, MegolmEvent))
        candidates = list(timeline_events(response, room_id))
        for event in list(undecrypted):
            try:
                candidates.append(receiver.decrypt_event(event))
                undecrypted.remove(event)
            except Exception:  # still no key for it
                pass
        for event in candidates:
            if isinstance(event, RoomMessageText) and event.body == body:
                return event
        return None

    try:
        return await sync_until(receiver, decrypted, what="the decrypted message")
    except CheckFailed as failed:
        if undecrypted:
            raise CheckFailed(f"{failed}; {len(undecrypted)} encrypted event(s) "
                              "arrived but their room key did not") from None
        raise


async def e2ee_room_message(ctx: Context) -> None:
    alice = await encrypted_user(ctx, "ealice")
    bob = await encrypted_user(ctx, "ebob")
    room_id = await shared_room(alice, bob, initial_state=[ENCRYPTION_STATE])
    members = {alice.user_id, bob.user_id}
    await wait_encrypted_room(alice, room_id, members)
    await wait_encrypted_room(bob, room_id, members)

    for sender, receiver in ((alice, bob), (bob, alice)):
        if sender.should_query_keys:
            require(await sender.keys_query(), "POST /keys/query")
        body = unique("secret")
        require(await sender.room_send(room_id, "m.room.message",
                                       {"msgtype": "m.text", "body": body},
                                       ignore_unverified_devices=True), "send encrypted")
        # The server stored ciphertext only.
        status, fetched = await raw(receiver, "GET", f"/v3/rooms/{q(room_id)}/messages?dir=b"
                                                     "&limit=1")
        expect(status == 200, f"GET /messages: HTTP {status}")
        newest = (fetched.get("chunk") or [{}])[0]
        expect(newest.get("type") == "m.room.encrypted", f"newest event is {newest.get('type')}")
        seen = await receive_decrypted(receiver, room_id, body)
        expect(seen.sender == sender.user_id, f"decrypted sender {seen.sender}")


CHECKS = [
    ("e2ee_keys_upload", e2ee_keys_upload),
    ("e2ee_room_message", e2ee_room_message),
]
