"""Outbound dials by result: counts, groups, weights, connect rate, dialler abandon rate."""

from __future__ import annotations

import math

import pytest

from qa.dials import DIAL_RESULTS, DialCounts, connect_rate, count_dials, dialler_abandon_rate
from routing.policy import CALLBACK_DIAL_FAILURES


def test_results_count_in_their_columns_and_anything_else_as_other() -> None:
    results = ["connected", "connected", "no_answer", "busy", "machine", "invalid",
               "abandoned", "dialing", ""]
    (c,) = count_dials(results)
    assert c == DialCounts(dials=9, connected=2, no_answer=1, busy=1, machine=1, invalid=1,
                           abandoned=1, other=2)
    assert connect_rate(c) == pytest.approx(2 / 9)
    assert dialler_abandon_rate(c) == pytest.approx(1 / 3)


def test_groups_and_weights() -> None:
    """A row per distinct (group, result) with its count, as a database histogram gives."""
    got = count_dials(["connected", "no_answer", "connected", "busy"], [0, 0, 1, -1], 2,
                      [45, 55, 3, 1000])
    assert got == [DialCounts(100, connected=45, no_answer=55), DialCounts(3, connected=3)]
    assert got[0] + got[1] == DialCounts(103, connected=48, no_answer=55)
    assert connect_rate(got[0]) == 0.45


def test_empty_and_bad_arguments() -> None:
    assert count_dials([], n_groups=2) == [DialCounts(), DialCounts()]
    assert math.isnan(connect_rate(DialCounts())) and math.isnan(dialler_abandon_rate(DialCounts()))
    with pytest.raises(ValueError, match="one value per result"):
        count_dials(["busy"], [0, 0])
    with pytest.raises(ValueError, match="group_index must be < n_groups = 1"):
        count_dials(["busy"], [1])


def test_the_results_are_the_engines() -> None:
    assert set(CALLBACK_DIAL_FAILURES) <= set(DIAL_RESULTS)
    assert [f for f in DialCounts.__dataclass_fields__][1:-1] == list(DIAL_RESULTS)
