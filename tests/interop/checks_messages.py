"""Messages through sync, edits, replies, redactions and pagination."""

import re

from nio import MessageDirection, RedactionEvent, RoomMessageText

from harness import (Context, expect, find_event, q, raw, require, send_text, source_content,
                     sync_until, unique)


def text_with_body(body: str):
    return lambda event: isinstance(event, RoomMessageText) and event.body == body


async def message_alice_to_bob(ctx: Context) -> None:
    pair = await ctx.pair()
    body = unique("hello bob")
    event_id = await send_text(pair.alice, pair.room_id, body)
    event = await sync_until(pair.bob, lambda r: find_event(r, pair.room_id, text_with_body(body)),
                             what="alice's message")
    expect(event.event_id == event_id, f"event id {event.event_id}, sent {event_id}")
    expect(event.sender == pair.alice.user_id, f"sender {event.sender}")


async def message_bob_to_alice(ctx: Context) -> None:
    pair = await ctx.pair()
    body = unique("hello alice")
    event_id = await send_text(pair.bob, pair.room_id, body)
    event = await sync_until(pair.alice,
                             lambda r: find_event(r, pair.room_id, text_with_body(body)),
                             what="bob's message")
    expect(event.event_id == event_id, f"event id {event.event_id}, sent {event_id}")
    expect(event.sender == pair.bob.user_id, f"sender {event.sender}")


async def edit(ctx: Context) -> None:
    pair = await ctx.pair()
    original_id = await send_text(pair.alice, pair.room_id, unique("typo"))
    new_body = unique("fixed")
    edit_id = await send_text(
        pair.alice, pair.room_id, "* " + new_body,
        **{"m.new_content": {"msgtype": "m.text", "body": new_body},
           "m.relates_to": {"rel_type": "m.replace", "event_id": original_id}},
    )
    seen = await sync_until(pair.bob,
                            lambda r: find_event(r, pair.room_id, lambda e: e.event_id == edit_id),
                            what="the edit")
    content = source_content(seen)
    expect(content.get("m.relates_to") == {"rel_type": "m.replace", "event_id": original_id},
           f"edit's m.relates_to is {content.get('m.relates_to')}")
    expect(content.get("m.new_content", {}).get("body") == new_body, "m.new_content lost")
    # The server relates the edit to the original (GET /relations, spec v1.3).
    path = f"/v1/rooms/{q(pair.room_id)}/relations/{q(original_id)}/m.replace"
    status, body = await raw(pair.bob, "GET", path)
    expect(status == 200, f"GET relations: HTTP {status}")
    related = [event.get("event_id") for event in body.get("chunk", [])]
    expect(edit_id in related, f"relations of the original list {related}")


async def reply(ctx: Context) -> None:
    pair = await ctx.pair()
    question_id = await send_text(pair.alice, pair.room_id, unique("question"))
    answer_id = await send_text(pair.bob, pair.room_id, unique("answer"),
                                **{"m.relates_to": {"m.in_reply_to": {"event_id": question_id}}})
    seen = await sync_until(pair.alice,
                            lambda r: find_event(r, pair.room_id,
                                                 lambda e: e.event_id == answer_id),
                            what="bob's reply")
    in_reply_to = source_content(seen).get("m.relates_to", {}).get("m.in_reply_to", {})
    expect(in_reply_to.get("event_id") == question_id, f"m.in_reply_to is {in_reply_to}")


async def redaction(ctx: Context) -> None:
    pair = await ctx.pair()
    body = unique("regret")
    event_id = await send_text(pair.alice, pair.room_id, body)
    await sync_until(pair.bob, lambda r: find_event(r, pair.room_id, text_with_body(body)),
                     what="the message before its redaction")
    require(await pair.alice.room_redact(pair.room_id, event_id, reason="interop"), "redact")
    redacted = await sync_until(
        pair.bob,
        lambda r: find_event(r, pair.room_id,
                             lambda e: isinstance(e, RedactionEvent) and e.redacts == event_id),
        what="the redaction")
    expect(redacted.sender == pair.alice.user_id, f"redaction sender {redacted.sender}")
    fetched = require(await pair.bob.room_get_event(pair.room_id, event_id), "GET event")
    content = source_content(fetched.event)
    expect(content == {}, f"redacted event still has content {content}")


PAGE_SIZE = 5
PAGED_MESSAGES = 12


def paged_index(event, tag: str):
    """The N of a 'tag-N' message, or None for any other event."""
    if not isinstance(event, RoomMessageText):
        return None
    match = re.fullmatch(re.escape(tag) + r"-(\d+)", event.body)
    return int(match.group(1)) if match else None


async def paginate(client, room_id: str, start: str, direction, tag: str) -> list[int]:
    """Pages /messages from `start` until it ends; returns the tagged indexes seen."""
    seen, token = [], start
    for _ in range(PAGED_MESSAGES * 3):  # a bound in case the server never ends
        page = require(await client.room_messages(room_id, token, direction=direction,
                                                  limit=PAGE_SIZE), "GET /messages")
        expect(len(page.chunk) <= PAGE_SIZE, f"a page of {len(page.chunk)} > limit {PAGE_SIZE}")
        seen += [i for i in (paged_index(e, tag) for e in page.chunk) if i is not None]
        if not page.chunk or not page.end or page.end == token:
            return seen
        token = page.end
    raise AssertionError("pagination did not end")


async def paged_room(ctx: Context):
    """A fresh room, the sync token taken just before PAGED_MESSAGES were sent
    into it, and the token after them."""
    pair = await ctx.pair()
    room_id = require(await pair.alice.room_create(name=unique("Pages")), "createRoom").room_id
    before = require(await pair.alice.sync(timeout=0), "sync").next_batch
    tag = unique("page")
    for i in range(PAGED_MESSAGES):
        await send_text(pair.alice, room_id, f"{tag}-{i}")
    last = f"{tag}-{PAGED_MESSAGES - 1}"
    await sync_until(pair.alice, lambda r: find_event(r, room_id, text_with_body(last)),
                     what="the last paged message")
    return pair.alice, room_id, tag, before, pair.alice.next_batch


async def pagination_backward(ctx: Context) -> None:
    client, room_id, tag, _, after = await paged_room(ctx)
    seen = await paginate(client, room_id, after, MessageDirection.back, tag)
    expect(seen == list(reversed(range(PAGED_MESSAGES))), f"backwards saw {seen}")


async def pagination_forward(ctx: Context) -> None:
    client, room_id, tag, before, _ = await paged_room(ctx)
    seen = await paginate(client, room_id, before, MessageDirection.front, tag)
    expect(seen == list(range(PAGED_MESSAGES)), f"forwards saw {seen}")


CHECKS = [
    ("message_alice_to_bob", message_alice_to_bob),
    ("message_bob_to_alice", message_bob_to_alice),
    ("edit", edit),
    ("reply", reply),
    ("redaction", redaction),
    ("pagination_backward", pagination_backward),
    ("pagination_forward", pagination_forward),
]
