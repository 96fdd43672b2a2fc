"""One cross-sell / up-sell / positive-response definition: the wallboard's live sales panel
(:mod:`qa.sales` through :class:`dashboards.sales.SalesPanel`) gives the very figures of the
batch KPIs (:func:`qa.outcomes.outcomes_from_events`, :func:`qa.outcomes.outcome_figures`)
on the same events, counting once per contact (redials, repeated answers and repeated
acceptances included)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dashboards.sales import SalesPanel
from dashboards.wallboard import WallboardState
from qa.outcomes import OutcomeCounts, outcome_figures, outcomes_from_events
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

START = 1796331600.0
KINDS = ("cross_sell", "up_sell", "retention")
RESULTS = ("made", "accepted", "declined", "follow_up")


def _stream(seed: int) -> list[Event]:
    rng = np.random.default_rng(seed)
    timed: list[tuple[float, int, Event]] = []
    n = 0
    for i, at in enumerate(np.sort(rng.uniform(START, START + 8 * 3600, 700))):
        at = float(at)
        cid = f"c{i}"
        story: list[Event]
        if rng.random() < 0.65:  # inbound
            story = [ContactArrived(at, cid, "deposits", tier="vip" if i % 4 == 0 else "")]
            if rng.random() < 0.15:
                story.append(ContactAbandoned(at + 30, cid, "deposits"))
            else:
                story.append(ContactAnswered(at + 10, cid, "kim", "deposits"))
                for j in range(int(rng.integers(0, 4))):
                    kind = KINDS[int(rng.integers(0, 3))]
                    result = RESULTS[int(rng.integers(0, 4))]
                    story.append(OfferRecorded(at + 60 + j, cid, "kim", f"p{j}", kind,  # type: ignore[arg-type]
                                               result))  # type: ignore[arg-type]
                story.append(ContactEnded(at + 400, cid, "kim", "deposits"))
        else:  # outbound: up to three dials, the last may connect
            t = at
            dials = int(rng.integers(1, 4))
            connected = rng.random() < 0.5
            story = []
            for d in range(dials):
                last = d == dials - 1
                result = "connected" if (last and connected) else "no_answer"
                story += [DialAttempted(t, cid, "cards", agent_id="park"),
                          DialResult(t + 20, cid, "cards", result, agent_id="park",  # type: ignore[arg-type]
                                     attempt=d)]
                t += 60
            if connected:
                story.append(ContactArrived(t - 40, cid, "cards", direction="outbound"))
                for j in range(int(rng.integers(0, 3))):
                    result = RESULTS[int(rng.integers(0, 4))]
                    story.append(OfferRecorded(t + j, cid, "park", f"o{j}",
                                               KINDS[int(rng.integers(0, 3))],  # type: ignore[arg-type]
                                               result))  # type: ignore[arg-type]
                story.append(ContactEnded(t + 300, cid, "park", "cards"))
        for event in story:
            timed.append((event.at, n, event))
            n += 1
    return [e for _, _, e in sorted(timed, key=lambda x: (x[0], x[1]))]


@pytest.mark.parametrize("seed", [3, 17])
def test_the_wallboard_sales_figures_equal_the_batch_kpis(seed: int) -> None:
    events = _stream(seed)
    wallboard = WallboardState()
    panel = SalesPanel()
    wallboard.listeners.append(panel.apply)
    wallboard.panels["sales"] = panel
    for seq, event in enumerate(events, start=1):
        wallboard.apply(seq, event)
    live = wallboard.snapshot(events[-1].at + 1)["panels"]["sales"]

    total = OutcomeCounts()
    for counts in outcomes_from_events(events).values():
        total = total + counts
    batch = outcome_figures(total)

    assert live["inbound_calls"] == total.answered
    assert live["cross_sells"] == total.cross_sell_sales
    assert live["up_sells"] == total.up_sell_sales
    assert live["offers_made"] == total.offers_made
    assert live["outbound_reached"] == total.connected
    assert live["outbound_positive"] == total.outbound_positive
    for live_name, batch_name in (("cross_sell_per_call", "cross_sell_per_call"),
                                  ("up_sell_per_call", "up_sell_per_call"),
                                  ("positive_response_ratio", "outbound_positive_ratio")):
        assert live[live_name] == pytest.approx(batch[batch_name], rel=0, abs=0), live_name
    # a real stream: redials (more dials than reached contacts), sales of both kinds
    assert live["outbound_dials"] > live["outbound_reached"] > live["outbound_positive"] > 10
    assert live["cross_sells"] > 20 and live["up_sells"] > 20
    assert not math.isnan(batch["outbound_positive_ratio"])
