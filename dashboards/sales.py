"""The wallboard's sales panel: the period's cross-sell and up-sell per inbound call and the
outbound positive-response ratio, streaming.

:class:`SalesPanel` folds every event the wallboard stores (a listener of
:class:`dashboards.wallboard.WallboardState`) through :class:`qa.sales.SalesTally`, the
fold and formulas :func:`qa.sales.sales_counts` uses in a batch pass, and keeps what each
event adds in buckets of the period's length (:attr:`dashboards.period.Period.bucket_seconds`)
by the event's time, so a day's reset or a sliding window drops whole buckets: the panel at
``now`` equals ``sales_counts(events, start=period.start(now))`` (a test asserts it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from dashboards.period import Forever, Period
from qa.sales import SalesCounts, SalesTally, sales_figures
from routing.events import Event


@dataclass
class SalesPanel:
    """``apply(event)`` as events are stored; ``panel(now)`` (calling it) gives the figures."""

    period: Period = field(default_factory=Forever)
    tally: SalesTally = field(default_factory=SalesTally)
    _buckets: dict[int, SalesCounts] = field(default_factory=dict)

    def apply(self, event: Event) -> None:
        added = self.tally.add(event)
        if added is None or not added:
            return
        k = math.floor(event.at / self.period.bucket_seconds)
        was = self._buckets.get(k)
        self._buckets[k] = added if was is None else was + added

    def counts(self, now: float) -> SalesCounts:
        """The sums of the events from the period's start at ``now`` (older buckets go)."""
        start = self.period.start(now)
        size = self.period.bucket_seconds
        for k in [k for k in self._buckets if (k + 1) * size <= start]:
            del self._buckets[k]
        total = SalesCounts()
        for counts in self._buckets.values():
            total = total + counts
        return total

    def __call__(self, now: float) -> dict[str, Any]:
        """The JSON figures at ``now`` (:func:`qa.sales.sales_figures`)."""
        return sales_figures(self.counts(now))
