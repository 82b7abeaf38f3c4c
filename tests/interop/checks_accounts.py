"""Accounts: login flows, registration, login, whoami, profile, logout."""

from nio import LoginInfoResponse

from harness import PASSWORD, SERVER_NAME, CheckFailed, Context, expect, raw, require, unique


async def login_flows(ctx: Context) -> None:
    info = require(await ctx.client().login_info(), "GET /login")
    expect(isinstance(info, LoginInfoResponse), "GET /login: unexpected answer")
    expect("m.login.password" in info.flows, f"no m.login.password in {info.flows}")


async def register(ctx: Context) -> None:
    client = ctx.client()
    name = unique("reg")
    registered = require(await client.register(name, PASSWORD), "register")
    expect(registered.user_id == f"@{name}:{SERVER_NAME}", f"user id {registered.user_id}")
    expect(bool(registered.access_token), "no access token")
    expect(bool(registered.device_id), "no device id")
    # The same name again is refused with M_USER_IN_USE.
    again = await ctx.client().register(name, PASSWORD)
    expect(getattr(again, "status_code", None) == "M_USER_IN_USE",
           f"second registration answered {getattr(again, 'status_code', again)}")


async def login(ctx: Context) -> None:
    first = await ctx.new_user("login")
    second = ctx.client(first.user_id)
    logged_in = require(await second.login(PASSWORD, device_name="second"), "login")
    expect(logged_in.user_id == first.user_id, f"logged in as {logged_in.user_id}")
    expect(logged_in.device_id != first.device_id, "login reused the registration's device")
    wrong = await ctx.client(first.user_id).login("not-the-password")
    expect(getattr(wrong, "status_code", None) == "M_FORBIDDEN",
           f"wrong password answered {getattr(wrong, 'status_code', wrong)}")


async def whoami(ctx: Context) -> None:
    client = await ctx.new_user("whoami")
    me = require(await client.whoami(), "whoami")
    expect(me.user_id == client.user_id, f"whoami says {me.user_id}")
    # nio 0.20 drops device_id from its WhoamiResponse; read it from the JSON.
    status, body = await raw(client, "GET", "/v3/account/whoami")
    expect(status == 200, f"GET /v3/account/whoami: HTTP {status}")
    expect(body.get("device_id") == client.device_id, f"whoami device {body.get('device_id')}")


async def profile_displayname(ctx: Context) -> None:
    client = await ctx.new_user("profile")
    name = unique("Display")
    require(await client.set_displayname(name), "set displayname")
    other = await ctx.new_user("viewer")
    seen = require(await other.get_displayname(client.user_id), "get displayname")
    expect(seen.displayname == name, f"displayname {seen.displayname!r}")


async def logout(ctx: Context) -> None:
    kept = await ctx.new_user("logout")
    leaving = ctx.client(kept.user_id)
    require(await leaving.login(PASSWORD, device_name="leaving"), "login")
    token = leaving.access_token
    require(await leaving.logout(), "logout")
    # The old token is dead; the other device's token still works.
    stale = ctx.client(kept.user_id)
    stale.restore_login(kept.user_id, "stale", token)
    answer = await stale.whoami()
    code = getattr(answer, "status_code", None)
    if code != "M_UNKNOWN_TOKEN":
        raise CheckFailed(f"whoami with a logged-out token answered {code or answer}")
    require(await kept.whoami(), "whoami on the other device")


CHECKS = [
    ("login_flows", login_flows),
    ("register", register),
    ("login", login),
    ("whoami", whoami),
    ("profile_displayname", profile_displayname),
    ("logout", logout),
]
