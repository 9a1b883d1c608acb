"""When a test runs out of time (pytest-timeout, ``timeout`` in pyproject.toml), say where
its coroutines wait, not only its threads: for an async test the main thread's stack shows
the event loop's ``select`` and nothing of the task that is stuck.

Just before the time-out fires, every task of the test's event loop is printed with its
stack to stderr; pytest-timeout then prints every thread's stack and ends the run."""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import Any

import pytest

LOOP = pytest.StashKey[asyncio.AbstractEventLoop]()
TIMER = pytest.StashKey[threading.Timer]()
AHEAD_S = 1.0  # how long before the time-out the tasks are printed


@pytest.fixture(autouse=True)
async def _remember_the_loop(request: pytest.FixtureRequest) -> None:
    """The event loop the test runs in, for the report."""
    request.node.stash[LOOP] = asyncio.get_running_loop()


def _print_tasks(item: pytest.Item) -> None:
    loop = item.stash.get(LOOP, None)
    if loop is None:
        return
    out = sys.__stderr__
    assert out is not None
    print(f"\n+++ {item.nodeid}: the tasks of its event loop, about to time out +++",
          file=out)
    for task in asyncio.all_tasks(loop):
        print(f"--- task {task.get_name()} ({task.get_coro()!r})", file=out)
        task.print_stack(file=out)
    out.flush()


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_set_timer(item: pytest.Item, settings: Any) -> None:
    if settings.timeout and settings.timeout > AHEAD_S:
        timer = threading.Timer(settings.timeout - AHEAD_S, _print_tasks, (item,))
        timer.daemon = True
        item.stash[TIMER] = timer
        timer.start()
    # None: pytest-timeout's own timer is set up as well


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_cancel_timer(item: pytest.Item) -> None:
    timer = item.stash.get(TIMER, None)
    if timer is not None:
        timer.cancel()
