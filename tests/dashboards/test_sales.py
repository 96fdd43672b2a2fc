"""dashboards.sales: the wallboard's live sales figures equal the batch figures of
:func:`qa.sales.sales_counts` over the same events, for a day that resets mid-stream and for
a sliding window, and they travel in the snapshot and its deltas."""

from __future__ import annotations

import numpy as np
import pytest

from dashboards.deltas import apply_delta, delta
from dashboards.period import DayReset, Period, SlidingWindow
from dashboards.sales import SalesPanel
from dashboards.wallboard import WallboardState
from qa.sales import sales_counts, sales_figures
from routing.events import (
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    DialAttempted,
    DialResult,
    Event,
    OfferRecorded,
)

#: 2026-12-03 21:00 UTC = 06:00 in Seoul on the 4th; the stream runs 30 hours from there
START = 1796331600.0
HOURS = 30


def _stream(rng: np.random.Generator) -> list[Event]:
    """Inbound calls (answered or abandoned) with offers, outbound dials with offers, in
    time order, over :data:`HOURS` hours."""
    timed: list[tuple[float, int, Event]] = []
    n = 0
    for i, at in enumerate(np.sort(rng.uniform(START, START + HOURS * 3600, 900))):
        at = float(at)
        cid = f"c{i}"
        if rng.random() < 0.7:  # inbound
            story: list[Event] = [ContactArrived(at, cid, "deposits")]
            if rng.random() < 0.15:
                story.append(ContactAbandoned(at + 30, cid, "deposits"))
            else:
                story.append(ContactAnswered(at + 10, cid, "kim", "deposits"))
                for j in range(int(rng.integers(0, 3))):
                    kind = ("cross_sell", "up_sell", "retention")[int(rng.integers(0, 3))]
                    result = ("made", "accepted", "declined", "follow_up")[int(rng.integers(0, 4))]
                    story.append(OfferRecorded(at + 60 + j, cid, "kim", f"p{j}", kind, result))  # type: ignore[arg-type]
                story.append(ContactEnded(at + 400, cid, "kim", "deposits"))
        else:  # outbound
            result = "connected" if rng.random() < 0.45 else "no_answer"
            story = [DialAttempted(at, cid, "cards", agent_id="park"),
                     DialResult(at + 20, cid, "cards", result)]  # type: ignore[arg-type]
            if result == "connected":
                story.append(ContactArrived(at + 20, cid, "cards", direction="outbound"))
                if rng.random() < 0.3:
                    story.append(OfferRecorded(at + 200, cid, "park", "card", "cross_sell",
                                               "accepted"))
        for event in story:
            timed.append((event.at, n, event))
            n += 1
    return [e for _, _, e in sorted(timed, key=lambda x: (x[0], x[1]))]


@pytest.mark.parametrize("period", [DayReset(6, "Asia/Seoul"), SlidingWindow(minutes=120)],
                         ids=["day", "window"])
def test_the_live_figures_equal_the_batch_figures(period: Period) -> None:
    events = _stream(np.random.default_rng(11))
    wallboard = WallboardState(period=period)
    panel = SalesPanel(period=period)
    wallboard.listeners.append(panel.apply)
    wallboard.panels["sales"] = panel
    checked = 0
    checkpoints = iter(sorted({int(i) for i in np.linspace(0, len(events) - 1, 25)}))
    next_check = next(checkpoints)
    for seq, event in enumerate(events, start=1):
        wallboard.apply(seq, event)
        if seq - 1 == next_check:
            now = event.at + 1
            live = wallboard.snapshot(now)["panels"]["sales"]
            batch = sales_figures(sales_counts(events[:seq], start=period.start(now)))
            assert live == batch
            checked += 1
            next_check = next(checkpoints, -1)
    assert checked >= 20
    total = sales_counts(events)
    assert total.cross_sells > 20 and total.outbound_positive > 20  # a real stream


def test_the_day_resets_at_its_hour() -> None:
    period = DayReset(6, "Asia/Seoul")
    panel = SalesPanel(period=period)
    for event in [ContactArrived(START - 60, "a", "q"), ContactAnswered(START - 50, "a", "kim"),
                  OfferRecorded(START + 10, "a", "kim", "card", "cross_sell", "accepted")]:
        panel.apply(event)
    figures = panel(START + 20)  # 06:00:20 in Seoul: yesterday's answer is not today's call
    assert (figures["inbound_calls"], figures["cross_sells"]) == (0, 1)
    assert figures["cross_sell_per_call"] is None


def test_the_panels_travel_in_snapshots_and_deltas() -> None:
    wallboard = WallboardState()
    panel = SalesPanel()
    wallboard.listeners.append(panel.apply)
    wallboard.panels["sales"] = panel
    wallboard.apply(1, ContactArrived(START, "a", "q"))
    wallboard.apply(2, ContactAnswered(START + 5, "a", "kim", "q"))
    old = {**wallboard.snapshot(START + 6), "version": 1}
    wallboard.apply(3, OfferRecorded(START + 9, "a", "kim", "card", "up_sell", "accepted"))
    new = {**wallboard.snapshot(START + 10), "version": 2}
    change = delta(old, new)
    assert change["set"]["panels"]["sales"]["up_sell_per_call"] == 1.0
    assert apply_delta(old, change) == new
    assert not wallboard.apply(3, OfferRecorded(START + 9, "a", "kim", "x", "up_sell",
                                                "accepted"))  # a seq already folded: once only
    assert wallboard.snapshot(START + 11)["panels"]["sales"]["up_sells"] == 1
