"""Run a call in a child process with a time limit, so that a test of "bounded work" fails
(instead of hanging the run) when the work is unbounded, and leaves nothing running.

The limit is generous (seconds where the bounded code takes milliseconds): the tests check
that work ends, never how fast it is (speed lives in ``benchmarks/``).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any


def _child(
    conn: Any, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    try:
        conn.send(("ok", fn(*args, **kwargs)))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent as it is
        conn.send(("raised", exc))


def within(seconds: float, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` in a forked child; its result, or its exception re-raised here.

    AssertionError (and the child killed) when it has not finished within ``seconds``.
    """
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(child, fn, args, kwargs), daemon=True)
    process.start()
    child.close()
    try:
        if not parent.poll(seconds):
            raise AssertionError(f"{getattr(fn, '__name__', fn)} still running after {seconds} s")
        kind, value = parent.recv()
    finally:
        process.kill()
        process.join(5)
        parent.close()
    if kind == "raised":
        raise value
    return value
