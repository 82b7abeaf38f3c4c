"""Rooms: create, invite and join, a direct chat, leave."""

from nio import RoomCreateResponse, RoomMemberEvent, RoomVisibility

from harness import Context, expect, require, sync_until, timeline_events, unique


async def create_room(ctx: Context) -> None:
    client = await ctx.new_user("creator")
    name, topic = unique("Room"), unique("topic")
    created = require(
        await client.room_create(visibility=RoomVisibility.private, name=name, topic=topic),
        "createRoom",
    )
    expect(isinstance(created, RoomCreateResponse), "createRoom: unexpected answer")
    expect(created.room_id.startswith("!"), f"room id {created.room_id}")
    state = require(
        await client.room_get_state_event(created.room_id, "m.room.name"), "GET m.room.name"
    )
    expect(state.content.get("name") == name, f"m.room.name is {state.content}")
    # The creator's first sync has the room with its name and topic in its state.
    def has_room(response):
        room = client.rooms.get(created.room_id)
        return room is not None and room.name == name and room.topic == topic
    await sync_until(client, has_room, what="the new room with its name and topic")


def membership_of(response, room_id: str, user_id: str, membership: str):
    for event in timeline_events(response, room_id):
        if (isinstance(event, RoomMemberEvent) and event.state_key == user_id
                and event.membership == membership):
            return event
    return None


async def invite_join(ctx: Context) -> None:
    alice = await ctx.new_user("alice")
    bob = await ctx.new_user("bob")
    require(await alice.sync(timeout=0), "alice's first sync")
    require(await bob.sync(timeout=0), "bob's first sync")
    room_id = require(await alice.room_create(name=unique("Invite")), "createRoom").room_id
    require(await alice.room_invite(room_id, bob.user_id), "invite")
    await sync_until(bob, lambda r: room_id in r.rooms.invite, what="the invite")
    require(await bob.join(room_id), "join")
    await sync_until(bob, lambda r: room_id in r.rooms.join, what="the joined room")
    await sync_until(alice, lambda r: membership_of(r, room_id, bob.user_id, "join"),
                     what="bob's join in alice's timeline")
    joined = require(await alice.joined_members(room_id), "joined_members")
    members = {member.user_id for member in joined.members}
    expect(members == {alice.user_id, bob.user_id}, f"joined members {sorted(members)}")


async def direct_message(ctx: Context) -> None:
    alice = await ctx.new_user("alice")
    bob = await ctx.new_user("bob")
    require(await bob.sync(timeout=0), "bob's first sync")
    created = require(
        await alice.room_create(is_direct=True, invite=[bob.user_id]), "createRoom is_direct"
    )
    room_id = created.room_id

    def direct_invite(response):
        invite = response.rooms.invite.get(room_id)
        if invite is None:
            return None
        for event in invite.invite_state:
            if getattr(event, "state_key", None) == bob.user_id and \
                    getattr(event, "membership", None) == "invite":
                return event
        return None

    invite = await sync_until(bob, direct_invite, what="the DM invite with bob's member event")
    expect(invite.content.get("is_direct") is True,
           f"bob's invite has no is_direct: {invite.content}")
    require(await bob.join(room_id), "join the DM")
    await sync_until(alice, lambda r: membership_of(r, room_id, bob.user_id, "join"),
                     what="bob joining the DM")


async def leave_room(ctx: Context) -> None:
    pair = await ctx.pair()
    room_id = require(await pair.alice.room_create(invite=[pair.bob.user_id]),
                      "createRoom").room_id
    require(await pair.bob.join(room_id), "join")
    require(await pair.bob.room_leave(room_id), "leave")
    await sync_until(pair.alice, lambda r: membership_of(r, room_id, pair.bob.user_id, "leave"),
                     what="bob's leave in alice's timeline")
    await sync_until(pair.bob, lambda r: room_id in r.rooms.leave, what="the left room")


CHECKS = [
    ("create_room", create_room),
    ("invite_join", invite_join),
    ("direct_message", direct_message),
    ("leave_room", leave_room),
]
