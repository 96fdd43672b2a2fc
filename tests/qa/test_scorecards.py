"""Agent scorecard figures."""

from __future__ import annotations

import math

from qa.scorecards import agent_scorecard


def test_scorecard_means_and_aht() -> None:
    card = agent_scorecard("agent01", [80.0, 0.0, None, 100.0], [100.0, None, 200.0],
                           fatal_failures=1, adherence=0.9)
    assert card.evaluations == 3 and card.qa_score == 60.0
    assert card.handled == 3 and card.aht_seconds == 150.0  # known handle times only
    assert card.adherence == 0.9 and card.fatal_failures == 1
    empty = agent_scorecard("agent02", [], [])
    assert empty.qa_score is None and empty.handled == 0 and math.isnan(empty.aht_seconds)
