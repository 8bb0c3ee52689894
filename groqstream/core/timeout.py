"""``within``: a timeout for one await that behaves the same on every supported Python (3.9+)."""

from __future__ import annotations

import asyncio
from typing import Awaitable, Optional, TypeVar

__all__ = ["within"]

_T = TypeVar("_T")


async def within(awaitable: Awaitable[_T], timeout: Optional[float]) -> _T:
    """Await *awaitable*, raising ``asyncio.TimeoutError`` after *timeout* seconds (``None``: no limit).

    Not ``asyncio.wait_for``: that runs the awaitable in a task of its own (a task per read of a stream),
    and before Python 3.12 a cancellation that arrives as the inner task fails can be lost. This cancels
    the current task when time is up and turns that one cancellation into the timeout, as
    ``asyncio.timeout()`` (3.11+) does.
    """
    if timeout is None:
        return await awaitable
    task = asyncio.current_task()
    assert task is not None
    expired = False

    def expire() -> None:
        nonlocal expired
        expired = True
        task.cancel()

    handle = asyncio.get_running_loop().call_later(timeout, expire)
    try:
        return await awaitable
    except asyncio.CancelledError:
        if not expired:
            raise
        uncancel = getattr(task, "uncancel", None)  # 3.11+: count this cancellation as ours, not the caller's
        if uncancel is not None and uncancel() > 0:
            raise  # the caller cancelled too: that wins
        raise asyncio.TimeoutError(f"no answer within {timeout} s") from None
    finally:
        handle.cancel()
