"""The wallboard's dials panel: the period's outbound dials, connects and the dialler's
abandon rate against the cap, streaming.

:class:`DialsPanel` folds every event the wallboard stores (a listener of
:class:`dashboards.wallboard.WallboardState`): a ``DialAttempted`` is a dial placed, a
``DialResult`` a dial ended with its result (:class:`qa.dials.DialCounts`, the counts every
dial report reads), kept in buckets of the period's length by the event's time, so a day's
reset or a sliding window drops whole buckets. The formulas are :mod:`qa.dials`'.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from dashboards.period import Forever, Period
from qa.dials import DialCounts, connect_rate, count_dials, dialler_abandon_rate
from routing.events import DialAttempted, DialResult, Event

#: the abandon rate a predictive dialler must keep under (Ofcom's 3 %; the pacer's default)
ABANDON_CAP = 0.03


@dataclass
class DialsPanel:
    """``apply(event)`` as events are stored; calling it at ``now`` gives the figures."""

    period: Period = field(default_factory=Forever)
    abandon_cap: float = ABANDON_CAP
    _placed: dict[int, int] = field(default_factory=dict)
    _ended: dict[int, DialCounts] = field(default_factory=dict)

    def apply(self, event: Event) -> None:
        kind = type(event)
        if kind is not DialAttempted and kind is not DialResult:
            return
        k = math.floor(event.at / self.period.bucket_seconds)
        if kind is DialAttempted:
            self._placed[k] = self._placed.get(k, 0) + 1
            return
        added = count_dials([event.result])[0]  # type: ignore[attr-defined]
        was = self._ended.get(k)
        self._ended[k] = added if was is None else was + added

    def counts(self, now: float) -> tuple[int, DialCounts]:
        """Dials placed, and dials ended by result, from the period's start at ``now``."""
        start = self.period.start(now)
        size = self.period.bucket_seconds
        for buckets in (self._placed, self._ended):
            for k in [k for k in buckets if (k + 1) * size <= start]:
                del buckets[k]
        ended = DialCounts()
        for counts in self._ended.values():
            ended = ended + counts
        return sum(self._placed.values()), ended

    def __call__(self, now: float) -> dict[str, Any] | None:
        placed, ended = self.counts(now)
        if not placed and not ended.dials:
            return None  # no outbound dialling in the period: no panel
        rate = dialler_abandon_rate(ended)
        return {
            "dials": placed, "ended": ended.dials, "connected": ended.connected,
            "abandoned": ended.abandoned,
            "connect_rate": None if math.isnan(connect_rate(ended)) else connect_rate(ended),
            "abandon_rate": None if math.isnan(rate) else rate,
            "abandon_cap": self.abandon_cap,
            "abandon_level": None if math.isnan(rate) else (
                "alert" if rate > self.abandon_cap else "ok"),
        }
