"""Agent scorecard figures."""

from __future__ import annotations

import math

from qa.scorecards import agent_scorecard, period_adherence


def test_scorecard_means_and_aht() -> None:
    card = agent_scorecard("agent01", [80.0, 0.0, None, 100.0], [100.0, None, 200.0],
                           fatal_failures=1, adherence=0.9)
    assert card.evaluations == 3 and card.qa_score == 60.0
    assert card.handled == 3 and card.aht_seconds == 150.0  # known handle times only
    assert card.adherence == 0.9 and card.fatal_failures == 1
    empty = agent_scorecard("agent02", [], [])
    assert empty.qa_score is None and empty.handled == 0 and math.isnan(empty.aht_seconds)


def test_period_adherence_weighs_by_scheduled_time() -> None:
    # day 1: 8 h scheduled, 1 h out; day 2: 2 h scheduled, 1 h out -> 8 of 10 h
    assert period_adherence([(8 * 3600, 3600), (2 * 3600, 3600)]) == 0.8
    assert period_adherence([]) is None and period_adherence([(0, 0)]) is None
