"""Scheduled agents per interval from shifts, and the shortfall."""

from __future__ import annotations

import numpy as np
import pytest

from wfm.intraday import scheduled_agents, shortfall, work_spans


def test_work_spans_remove_activities() -> None:
    assert work_spans(540, 1080, [(720, 780), (630, 645)]) == [(540, 630), (645, 720), (780, 1080)]
    assert work_spans(0, 60, []) == [(0, 60)]
    assert work_spans(0, 60, [(0, 60)]) == []


def test_scheduled_agents_count_shares_of_intervals() -> None:
    # 30-minute intervals from 09:00: one agent 09:00-10:00 with a 10-minute break at 09:10,
    # another 09:20-10:00
    spans = work_spans(0, 60, [(10, 20)]) + [(20, 60)]
    got = scheduled_agents(spans, 30, 3)
    assert got == pytest.approx([20 / 30 + 10 / 30, 2.0, 0.0])


def test_outside_the_view_is_ignored_and_bounds() -> None:
    assert scheduled_agents([(-30, 15), (45, 120)], 30, 2) == pytest.approx([0.5, 0.5])
    with pytest.raises(ValueError, match="n_intervals"):
        scheduled_agents([], 30, 0)
    with pytest.raises(ValueError, match="interval_minutes"):
        scheduled_agents([], 0, 3)


def test_shortfall() -> None:
    assert shortfall([3, 5, 2], [4, 3.5, 2]).tolist() == [0.0, 1.5, 0.0]
    with pytest.raises(ValueError, match="differ in length"):
        shortfall([1, 2], [1])
    assert np.all(shortfall([0.0], [1.0]) == 0)
