"""Redis connections that pack commands in C and bound a send with a deadline, not a Task.

redis-py bounds every write to the socket with ``asyncio.wait_for`` when a
``socket_timeout`` is set; on Python 3.11 ``wait_for`` wraps the write in a new Task, which
is measurable on every command (a sixth of the CPU of applying an event). The same bound is
kept here with ``asyncio.timeout``, a deadline on the running task: a write the server does
not take within ``socket_timeout`` still fails with redis' TimeoutError and drops the
connection, as before. Reads are unchanged (redis-py already bounds them this way).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from functools import cache
from typing import Any

import redis.asyncio as aioredis
from hiredis import pack_command as c_pack
from redis.asyncio.connection import AbstractConnection
from redis.exceptions import DataError
from redis.exceptions import TimeoutError as RedisTimeoutError


class _DeadlineSend:
    """Mixed in before a redis-py connection class."""

    socket_timeout: float | None

    def pack_command(self, *args: Any) -> list[bytes]:
        head = args[0]  # a command name may carry words ("SCRIPT LOAD"): sent apart
        if isinstance(head, str):
            args = (*head.encode().split(), *args[1:])
        elif b" " in head:
            args = (*head.split(), *args[1:])
        try:
            plain: Any = tuple(bytes(a) if isinstance(a, bytearray | memoryview) else a
                               for a in args)
            return [c_pack(plain)]
        except TypeError as exc:  # None, a bool, a dict: what redis-py refuses too
            raise DataError(str(exc)) from exc

    async def send_packed_command(
        self, command: bytes | str | Iterable[bytes], check_health: bool = True,
    ) -> None:
        bound = self.socket_timeout
        send = super().send_packed_command  # type: ignore[misc]
        if not bound:
            await send(command, check_health)
            return
        self.socket_timeout = None  # the parent writes directly; the deadline bounds it
        try:
            async with asyncio.timeout(bound):
                await send(command, check_health)
        except TimeoutError:  # the parent dropped the connection as the write was cut
            raise RedisTimeoutError("Timeout writing to socket") from None
        finally:
            self.socket_timeout = bound


@cache
def _with_deadline(cls: type[AbstractConnection]) -> type[AbstractConnection]:
    if issubclass(cls, _DeadlineSend):
        return cls
    made: type[AbstractConnection] = type(f"Deadline{cls.__name__}", (_DeadlineSend, cls), {})
    return made


def deadline_sends(client: aioredis.Redis) -> aioredis.Redis:
    """``client`` with connections made from now on sending under a deadline."""
    pool: Any = client.connection_pool
    pool.connection_class = _with_deadline(pool.connection_class)
    return client
