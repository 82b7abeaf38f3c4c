"""What every check shares: the server's URL, fresh users, sync helpers.

A check is `async def check(ctx: Context) -> None` that raises CheckFailed (or
anything else) to fail. Checks do not rely on one another: each creates the
rooms it needs, and users come from new_user() or the shared pair(), which is
made once and, if making it failed, fails every check that asks for it with
the same reason instead of retrying.
"""

import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable, Optional
from urllib.parse import quote

from nio import AsyncClient, AsyncClientConfig, ErrorResponse, SyncResponse

SERVER_NAME = "localhost"
PASSWORD = "interop-password-1"
SYNC_POLL_MS = 1000


class CheckFailed(Exception):
    pass


def require(response: Any, what: str) -> Any:
    """Returns `response` unless nio turned the server's answer into an error."""
    if isinstance(response, ErrorResponse):
        raise CheckFailed(f"{what}: {response.status_code} {response.message}")
    return response


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass
class Pair:
    """Two registered users with a private room both have joined."""

    alice: AsyncClient
    bob: AsyncClient
    room_id: str


class Context:
    def __init__(self, homeserver: str, store_root: Path):
        self.homeserver = homeserver
        self.store_root = store_root
        self._clients: list[AsyncClient] = []
        self._pair: Optional[Pair] = None
        self._pair_error: Optional[str] = None

    def client(self, user: str = "", encryption: bool = False) -> AsyncClient:
        """A client that is not logged in. With `encryption`, it gets its own
        olm store directory; without, nio's E2EE machinery stays off."""
        store = ""
        if encryption:
            store_dir = self.store_root / unique("store")
            store_dir.mkdir(parents=True)
            store = str(store_dir)
        # A request that cannot connect or times out is retried twice, not
        # forever (nio's default); a 429 is returned rather than waited out.
        config = AsyncClientConfig(
            max_limit_exceeded=0,
            max_timeouts=2,
            request_timeout=20,
            encryption_enabled=encryption,
            store_sync_tokens=False,
        )
        client = AsyncClient(self.homeserver, user, store_path=store, config=config)
        self._clients.append(client)
        return client

    async def new_user(self, prefix: str = "user", encryption: bool = False) -> AsyncClient:
        """Registers a fresh user (m.login.dummy) and returns its logged-in client."""
        client = self.client(encryption=encryption)
        name = unique(prefix)
        require(await client.register(name, PASSWORD, device_name="interop"), "register")
        expect(bool(client.access_token), "register: no access token")
        return client

    async def pair(self) -> Pair:
        if self._pair is not None:
            return self._pair
        if self._pair_error is not None:
            raise CheckFailed(f"shared users: {self._pair_error}")
        try:
            alice = await self.new_user("alice")
            bob = await self.new_user("bob")
            room_id = await shared_room(alice, bob)
            # Start both sync streams now, so later checks see only what is new.
            require(await alice.sync(timeout=0), "alice's first sync")
            require(await bob.sync(timeout=0), "bob's first sync")
        except BaseException as error:
            self._pair_error = str(error) or type(error).__name__
            raise
        self._pair = Pair(alice, bob, room_id)
        return self._pair

    async def close(self) -> None:
        for client in self._clients:
            await client.close()


async def shared_room(alice: AsyncClient, bob: AsyncClient, **create_args) -> str:
    """A new room created by alice, with bob invited and joined."""
    created = require(
        await alice.room_create(invite=[bob.user_id], **create_args), "createRoom"
    )
    require(await bob.join(created.room_id), "bob joins")
    return created.room_id


async def sync_until(
    client: AsyncClient,
    found: Callable[[SyncResponse], Any],
    within_s: float = 10.0,
    what: str = "the expected sync data",
) -> Any:
    """Long-polls /sync from the client's last token until found(response)
    returns something truthy, and returns that."""
    deadline = time.monotonic() + within_s
    while True:
        response = require(await client.sync(timeout=SYNC_POLL_MS), "sync")
        result = found(response)
        if result:
            return result
        if time.monotonic() >= deadline:
            raise CheckFailed(f"sync did not show {what} within {within_s:.0f} s")


def timeline_events(response: SyncResponse, room_id: str) -> list:
    room = response.rooms.join.get(room_id)
    return list(room.timeline.events) if room else []


def find_event(response: SyncResponse, room_id: str, match: Callable[[Any], bool]):
    for event in timeline_events(response, room_id):
        if match(event):
            return event
    return None


def source_content(event: Any) -> dict:
    """The event's content as the server sent it (nio keeps the raw JSON)."""
    return event.source.get("content", {}) if hasattr(event, "source") else {}


async def send_text(client: AsyncClient, room_id: str, body: str, **extra) -> str:
    content = {"msgtype": "m.text", "body": body, **extra}
    sent = require(
        await client.room_send(room_id, "m.room.message", content), "send message"
    )
    return sent.event_id


async def raw(
    client: AsyncClient, method: str, path: str, body: Optional[dict] = None
) -> tuple[int, Any]:
    """One Client-Server API request that nio 0.20 has no method for.
    `path` starts after /_matrix/client; returns (status, parsed JSON or None)."""
    headers = {
        "Authorization": f"Bearer {client.access_token}",
        "Content-Type": "application/json",
    }
    data = json.dumps(body) if body is not None else None
    response = await client.send(method, "/_matrix/client" + path, data, headers)
    text = await response.text()
    try:
        return response.status, json.loads(text)
    except ValueError:
        return response.status, None


def q(part: str) -> str:
    """Percent-encodes one path segment (room ids contain '!' and ':')."""
    return quote(part, safe="")


def raw_error(status: int, body: Any, what: str) -> CheckFailed:
    code = body.get("errcode", "") if isinstance(body, dict) else ""
    return CheckFailed(f"{what}: HTTP {status} {code}".rstrip())


Check = Callable[[Context], Awaitable[None]]
