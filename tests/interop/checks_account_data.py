"""Global and per-room account data, through GET and /sync."""

from nio import UnknownAccountDataEvent

from harness import Context, expect, q, raw, raw_error, sync_until, unique

EVENT_TYPE = "org.chatd.interop"


async def account_data_global(ctx: Context) -> None:
    pair = await ctx.pair()
    content = {"value": unique("global")}
    path = f"/v3/user/{q(pair.alice.user_id)}/account_data/{EVENT_TYPE}"
    status, body = await raw(pair.alice, "PUT", path, content)
    if status != 200:
        raise raw_error(status, body, "PUT account_data")
    status, body = await raw(pair.alice, "GET", path)
    expect(status == 200 and body == content, f"GET account_data: HTTP {status} {body}")

    def has_it(response):
        return any(isinstance(e, UnknownAccountDataEvent) and e.type == EVENT_TYPE
                   and e.content == content for e in response.account_data_events)

    await sync_until(pair.alice, has_it, what="the global account data")


async def account_data_room(ctx: Context) -> None:
    pair = await ctx.pair()
    content = {"value": unique("room")}
    path = (f"/v3/user/{q(pair.alice.user_id)}/rooms/{q(pair.room_id)}"
            f"/account_data/{EVENT_TYPE}")
    status, body = await raw(pair.alice, "PUT", path, content)
    if status != 200:
        raise raw_error(status, body, "PUT room account_data")
    status, body = await raw(pair.alice, "GET", path)
    expect(status == 200 and body == content, f"GET room account_data: HTTP {status} {body}")

    def has_it(response):
        room = response.rooms.join.get(pair.room_id)
        return room and any(isinstance(e, UnknownAccountDataEvent) and e.type == EVENT_TYPE
                            and e.content == content for e in room.account_data)

    await sync_until(pair.alice, has_it, what="the room account data")
    # Room account data is private: bob's GET of alice's is refused.
    status, _ = await raw(pair.bob, "GET", path)
    expect(status == 403, f"bob reading alice's room account data: HTTP {status}")


CHECKS = [
    ("account_data_global", account_data_global),
    ("account_data_room", account_data_room),
]
