"""A text progress bar on stderr (no dependency), for long seeds such as 4,000,000 customers."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """Callable as ``progress(stage, done, total)``; redraws at most every ``interval_seconds``.

    ``stage`` names what is being written (``customers``, ``history``, ...); each stage gets
    its own line, finished with a newline when ``done == total``.
    """

    def __init__(self, stream: TextIO | None = None, width: int = 30,
                 interval_seconds: float = 0.2) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.interval_seconds = interval_seconds
        self._stage: str | None = None
        self._started = 0.0
        self._last_draw = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage != self._stage:
            self._stage, self._started, self._last_draw = stage, now, 0.0
        finished = done >= total
        if not finished and now - self._last_draw < self.interval_seconds:
            return
        self._last_draw = now
        fraction = 1.0 if total <= 0 else min(done / total, 1.0)
        filled = round(fraction * self.width)
        elapsed = max(now - self._started, 1e-9)
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(
            f"\r{stage:<16} [{bar}] {fraction:6.1%} {done:>12,}/{total:,} "
            f"{done / elapsed:>10,.0f}/s {elapsed:6.1f}s"
        )
        if finished:
            self.stream.write("\n")
        self.stream.flush()
