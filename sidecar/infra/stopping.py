"""Stopping on time: every long-lived task and every open stream ends when asked, in a bound.

A task asked to stop (``Task.cancel``) does not always see its ``CancelledError``: Python
3.11's ``asyncio.wait_for``, which redis-py runs around every command it sends, returns the
result instead when the result and the cancel arrive together. The request is still
counted (``Task.cancelling()``), so each loop that runs for the life of the process calls
:func:`check_stop` on every turn, reads pub/sub with :func:`messages` (a poll, not a read
that blocks until the next message), and whoever stops tasks waits a bounded time
(:func:`cancel_and_wait`) and names what did not stop, with where it is stuck.

Open event streams end when the server starts shutting down: the app's ``STOPPING``
event is set by its ``on_shutdown`` hook, and each stream waits on it beside its read.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any

from aiohttp import web
from redis.asyncio.client import PubSub

logger = logging.getLogger(__name__)
RECANCEL_EVERY_S = 1.0  # a cancel swallowed once is asked for again
POLL_S = 1.0  # longest a pub/sub reader goes without looking whether it should stop

STOPPING: web.AppKey[asyncio.Event] = web.AppKey("stopping", asyncio.Event)


def stop_requested() -> bool:
    """Was this task asked to stop (even if the ``CancelledError`` got lost on the way)?"""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def check_stop() -> None:
    """Raise the ``CancelledError`` a library swallowed, if this task was asked to stop."""
    if stop_requested():
        raise asyncio.CancelledError


async def messages(pubsub: PubSub, poll_s: float = POLL_S) -> AsyncIterator[Any]:
    """The subscribed channels' messages, looking every ``poll_s`` whether to stop."""
    while True:
        check_stop()
        message = await pubsub.get_message(timeout=poll_s)
        if message is not None:
            yield message


def stuck_at(task: asyncio.Task[Any]) -> str:
    """Where a task waits, innermost last (``function file:line`` each)."""
    frames = task.get_stack()
    return " > ".join(f"{f.f_code.co_name} {f.f_code.co_filename}:{f.f_lineno}"
                      for f in frames) or "(no frame)"


async def cancel_and_wait(tasks: Iterable[asyncio.Task[Any]], timeout: float, what: str
                          ) -> set[asyncio.Task[Any]]:
    """Cancel ``tasks`` and wait up to ``timeout`` seconds for them to end, cancelling again
    every second; what still runs then is logged with where it is stuck, and returned.
    Errors the tasks ended with are taken (the caller is stopping them, not using them)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    tasks = list(tasks)
    pending = {t for t in tasks if not t.done()}
    while pending:
        for task in pending:
            task.cancel()
        left = deadline - loop.time()
        if left <= 0:
            break
        _, pending = await asyncio.wait(pending, timeout=min(RECANCEL_EVERY_S, left))
    for task in tasks:
        if task.done() and not task.cancelled():
            task.exception()  # retrieved: no "exception was never retrieved" at exit
    for task in pending:
        logger.error("%s: task %s did not stop within %s s; it waits at %s", what,
                     task.get_name(), timeout, stuck_at(task))
    return pending
