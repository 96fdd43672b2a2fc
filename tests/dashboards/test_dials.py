"""The wallboard's dials panel: the period's dials, connects and abandon rate from the
events, as :mod:`qa.dials` counts them in a batch; a day's reset drops the day before."""

from __future__ import annotations

import math

from dashboards.dials import DialsPanel
from dashboards.period import DayReset
from qa.dials import count_dials, dialler_abandon_rate
from routing.events import ContactArrived, DialAttempted, DialResult, Event

# 2026-03-02 00:00 in Seoul is 2026-03-01 15:00 UTC
MIDNIGHT = 1_772_377_200.0


def _dials(start: float, results: list[str]) -> list[Event]:
    out: list[Event] = []
    for i, result in enumerate(results):
        cid = f"d{start}-{i}"
        out.append(DialAttempted(start + i, cid, "camp", str(i), None, "predictive"))
        out.append(DialResult(start + i + 10, cid, "camp", result, None, 1))  # type: ignore[arg-type]
    return out


def test_panel_counts_dials_as_the_batch_does_and_resets_each_day() -> None:
    panel = DialsPanel(period=DayReset(0, "Asia/Seoul"))
    assert panel(MIDNIGHT + 60) is None  # no dial yet: no panel
    yesterday = _dials(MIDNIGHT - 3600, ["connected", "abandoned"])
    results = ["connected"] * 30 + ["abandoned"] * 2 + ["no_answer"] * 10 + ["machine"] * 3
    today = _dials(MIDNIGHT + 3600, results)
    for event in [*yesterday, ContactArrived(MIDNIGHT + 5, "x", "q"), *today]:
        panel.apply(event)
    figures = panel(MIDNIGHT + 7200)
    assert figures is not None
    batch = count_dials(results)[0]
    assert (figures["dials"], figures["ended"], figures["connected"], figures["abandoned"]) == (
        len(results), batch.dials, 30, 2)
    assert math.isclose(figures["abandon_rate"], dialler_abandon_rate(batch))
    assert math.isclose(figures["abandon_rate"], 2 / 32)
    assert figures["abandon_level"] == "alert" and figures["abandon_cap"] == 0.03
    assert math.isclose(figures["connect_rate"], 30 / len(results))
