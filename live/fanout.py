"""Fan-out once per process. Each process subscribes to a class's channel-layer group once,
with a channel of its own, and hands every frame to its local sockets itself: the frame
crosses Redis once per process instead of once per listener, and is serialised once.

Frames that only replace an earlier one of the same kind (poll results) may carry a
`coalesce` key: within COALESCE_SECONDS only the latest is delivered, so a burst of answers
from thousands of listeners becomes a few updates.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref

from channels.layers import get_channel_layer

COALESCE_SECONDS = 0.25
# A room subscribes again when a socket joins it this long after its last subscription. The
# channel layer drops members older than its group expiry (a day by default), and a Redis that
# lost its data forgets them all; without this a long-running process would stop hearing a class
# or its users' sign-outs. (A room nobody joins for a whole day is not renewed.)
RENEW_SECONDS = 300
logger = logging.getLogger(__name__)


async def stop(task: asyncio.Task | None) -> None:
    """Cancel `task` and wait until it has ended. A single cancellation is not enough for a task
    blocked on the Redis channel layer: redis-py may turn one into a TimeoutError, which it then
    retries (and `Room._read` would retry too), so the task would block on Redis for good. The
    cancellation is repeated until the task ends."""
    while task is not None and not task.done():
        task.cancel()
        await asyncio.wait([task], timeout=1)


class Room:
    """The local sockets of one class in this process, and its one subscription."""

    def __init__(self, group: str) -> None:
        self.group = group
        self.sockets: set = set()
        self.layer = get_channel_layer()
        self.channel: str | None = None
        self.reader: asyncio.Task | None = None
        self.subscribed = 0.0
        self.pending: dict[str, dict] = {}

    async def open(self) -> None:
        self.channel = await self.layer.new_channel()
        await self.subscribe()
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def subscribe(self) -> None:
        self.subscribed = time.monotonic()
        await self.layer.group_add(self.group, self.channel)

    async def renew(self) -> None:
        if time.monotonic() - self.subscribed >= RENEW_SECONDS:
            await self.subscribe()

    async def close(self) -> None:
        await stop(self.reader)
        await self.layer.group_discard(self.group, self.channel)

    async def _read(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                # A reader that died would silence the class in this process for good: a
                # channel-layer hiccup (a Redis timeout under load) is logged and retried.
                logger.exception("live room %s: receive failed, retrying", self.group)
                await asyncio.sleep(0.2)
                continue
            key = message.get("coalesce")
            if key:
                first = key not in self.pending
                self.pending[key] = message
                if first:
                    asyncio.get_running_loop().call_later(
                        COALESCE_SECONDS, lambda k=key: asyncio.ensure_future(self._flush(k))
                    )
                continue
            await self.deliver(message)

    async def _flush(self, key: str) -> None:
        message = self.pending.pop(key, None)
        if message is not None:
            await self.deliver(message)

    async def deliver(self, message: dict) -> None:
        """Call each local socket's handler for the message type (e.g. live.frame)."""
        name = message["type"].replace(".", "_")
        for socket in list(self.sockets):
            try:
                await getattr(socket, name)(message)
            except Exception:  # one broken socket must not stop the others
                self.sockets.discard(socket)


# Messages for particular users (sign-out, deactivation) reach every process through this one
# group; each process closes the sockets of that user it holds.
USERS_GROUP = "live.users"


class Users(Room):
    """This process's sockets by user, with one subscription for messages about users."""

    def __init__(self) -> None:
        super().__init__(USERS_GROUP)
        self.by_user: dict[int, set] = {}

    async def deliver(self, message: dict) -> None:
        name = message["type"].replace(".", "_")
        for socket in list(self.by_user.get(message["user"], ())):
            await getattr(socket, name)(message)


class Hub:
    """The rooms of this process. A socket costs the channel layer nothing: only rooms are
    subscribed, one per class and one for users."""

    def __init__(self) -> None:
        self.rooms: dict[str, Room] = {}
        self.users: Users | None = None
        self.lock = asyncio.Lock()

    async def join(self, group: str, socket, user_id: int) -> None:
        async with self.lock:
            room = self.rooms.get(group)
            if room is None:
                room = self.rooms[group] = Room(group)
                await room.open()
            else:
                await room.renew()
            room.sockets.add(socket)
            await self._follow(socket, user_id)

    async def leave(self, group: str, socket, user_id: int) -> None:
        async with self.lock:
            self._forget(socket, user_id)
            room = self.rooms.get(group)
            if room is None:
                return
            room.sockets.discard(socket)
            if not room.sockets:
                del self.rooms[group]
                await room.close()

    async def follow_user(self, socket, user_id: int) -> None:
        """Only the user's messages (sign-out, deactivation) for a socket in no class room."""
        async with self.lock:
            await self._follow(socket, user_id)

    async def forget_user(self, socket, user_id: int) -> None:
        async with self.lock:
            self._forget(socket, user_id)

    async def _follow(self, socket, user_id: int) -> None:
        if self.users is None:
            self.users = Users()
            await self.users.open()
        else:
            await self.users.renew()
        self.users.by_user.setdefault(user_id, set()).add(socket)

    def _forget(self, socket, user_id: int) -> None:
        if self.users is not None:
            sockets = self.users.by_user.get(user_id, set())
            sockets.discard(socket)
            if not sockets:
                self.users.by_user.pop(user_id, None)

    def listeners(self, group: str) -> int:
        room = self.rooms.get(group)
        return len(room.sockets) if room else 0


_hubs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def hub() -> Hub:
    """The hub of the running event loop (one per server process)."""
    loop = asyncio.get_running_loop()
    if loop not in _hubs:
        _hubs[loop] = Hub()
    return _hubs[loop]
