"""Typing notices, read receipts, read markers and presence (issue 5)."""

from nio import FullyReadEvent, ReceiptEvent, TypingNoticeEvent

from harness import Context, expect, require, send_text, sync_until, unique


def ephemeral_events(response, room_id: str) -> list:
    room = response.rooms.join.get(room_id)
    return list(room.ephemeral) if room else []


async def typing(ctx: Context) -> None:
    pair = await ctx.pair()
    require(await pair.alice.room_typing(pair.room_id, True, timeout=30000), "typing on")

    def alice_typing(response):
        return any(isinstance(e, TypingNoticeEvent) and pair.alice.user_id in e.users
                   for e in ephemeral_events(response, pair.room_id))

    await sync_until(pair.bob, alice_typing, what="alice typing")
    require(await pair.alice.room_typing(pair.room_id, False), "typing off")

    def nobody_typing(response):
        return any(isinstance(e, TypingNoticeEvent) and pair.alice.user_id not in e.users
                   for e in ephemeral_events(response, pair.room_id))

    await sync_until(pair.bob, nobody_typing, what="alice no longer typing")


async def receipts(ctx: Context) -> None:
    pair = await ctx.pair()
    event_id = await send_text(pair.alice, pair.room_id, unique("read me"))
    require(await pair.bob.update_receipt_marker(pair.room_id, event_id), "POST receipt m.read")

    def bobs_receipt(response):
        for event in ephemeral_events(response, pair.room_id):
            if isinstance(event, ReceiptEvent):
                for receipt in event.receipts:
                    if (receipt.event_id == event_id and receipt.user_id == pair.bob.user_id
                            and receipt.receipt_type == "m.read"):
                        return receipt
        return None

    receipt = await sync_until(pair.alice, bobs_receipt, what="bob's read receipt")
    expect(receipt.timestamp > 0, f"receipt ts {receipt.timestamp}")


async def read_markers(ctx: Context) -> None:
    pair = await ctx.pair()
    event_id = await send_text(pair.alice, pair.room_id, unique("marker"))
    require(await pair.bob.room_read_markers(pair.room_id, fully_read_event=event_id,
                                             read_event=event_id), "POST read_markers")

    def fully_read(response):
        room = response.rooms.join.get(pair.room_id)
        return room and any(isinstance(e, FullyReadEvent) and e.event_id == event_id
                            for e in room.account_data)

    # m.fully_read is bob's private room account data; m.read reaches alice.
    await sync_until(pair.bob, fully_read, what="bob's m.fully_read marker")

    def read_receipt(response):
        return any(isinstance(e, ReceiptEvent) and any(
            r.event_id == event_id and r.user_id == pair.bob.user_id for r in e.receipts)
            for e in ephemeral_events(response, pair.room_id))

    await sync_until(pair.alice, read_receipt, what="the read receipt set through read_markers")


async def presence(ctx: Context) -> None:
    pair = await ctx.pair()
    status = unique("busy")
    require(await pair.alice.set_presence("online", status_msg=status), "PUT presence")
    seen = require(await pair.bob.get_presence(pair.alice.user_id), "GET presence")
    expect(seen.presence == "online", f"presence {seen.presence}")
    expect(seen.status_msg == status, f"status_msg {seen.status_msg!r}")


async def presence_sync(ctx: Context) -> None:
    pair = await ctx.pair()
    status = unique("away")
    require(await pair.alice.set_presence("unavailable", status_msg=status), "PUT presence")

    def alice_away(response):
        return any(e.user_id == pair.alice.user_id and e.presence == "unavailable"
                   and e.status_msg == status for e in response.presence_events)

    await sync_until(pair.bob, alice_away, what="alice's presence")


CHECKS = [
    ("typing", typing),
    ("receipts", receipts),
    ("read_markers", read_markers),
    ("presence", presence),
    ("presence_sync", presence_sync),
]
