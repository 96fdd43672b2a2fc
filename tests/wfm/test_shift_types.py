"""Shift types: starts, placements, independent parts, work segments and minutes per interval."""

from __future__ import annotations

import numpy as np

from wfm.shift_types import Activity, ShiftType, coverage_minutes, minutes_by_interval

BREAK = Activity("break", 15, 90, 150, paid=True, step_minutes=15)
LUNCH = Activity("lunch", 60, 180, 300, paid=False, step_minutes=15)
FT9 = ShiftType("FT9", 7 * 60, 13 * 60, 15, 540, (BREAK, LUNCH))


def test_starts_and_placements_of_the_issue_example() -> None:
    assert len(FT9.starts()) == 25 and FT9.starts()[0] == 420 and FT9.starts()[-1] == 780
    assert len(FT9.placements) == 5 * 9  # windows never overlap: every pair is a placement
    assert FT9.paid_minutes == 480 and FT9.work_minutes == 465


def test_disjoint_windows_are_independent_parts() -> None:
    assert [indexes for indexes, _ in FT9.parts] == [(0,), (1,)]
    assert [len(choices) for _, choices in FT9.parts] == [5, 9]


def test_overlapping_windows_form_one_part_of_placements() -> None:
    a = Activity("break", 30, 0, 60, step_minutes=30)
    b = Activity("lunch", 30, 30, 90, step_minutes=30)
    st = ShiftType("S", 0, 0, 15, 120, (a, b))
    # a at 0/30/60 and b at 30/60/90, in order and without overlap
    assert st.placements == ((0, 30), (0, 60), (0, 90), (30, 60), (30, 90), (60, 90))
    assert st.parts == (((0, 1), st.placements),)
    assert st.placement_error((30, 30)) == "lunch overlaps the activity before it"


def test_work_segments_and_minutes_by_interval() -> None:
    segments = FT9.work_segments(420, (90, 180))  # 07:00, break 08:30, lunch 10:00
    assert segments == [(420, 510), (525, 600), (660, 960)]
    minutes = minutes_by_interval(segments, 60, 24)
    assert minutes[8] == 30 + 15 and minutes[7] == 60 and 10 not in minutes
    assert sum(minutes.values()) == FT9.work_minutes


def test_coverage_minutes_counts_partial_intervals() -> None:
    cov = coverage_minutes([(10, 50), (30, 60), (-5, 5)], 30, 2)
    assert cov.tolist() == [20 + 5, 20 + 30]
    assert np.array_equal(coverage_minutes([], 15, 3), np.zeros(3))
