"""Shift types: start window, length and the non-work activities (breaks, lunch) inside.

A shift type allows starts ``earliest_start, earliest_start + step, ..., latest_start``
(minutes from local midnight; a shift may run past midnight). Each activity has a length and
a window for its offset, counted from the shift's start, and is placed on a grid of
``step_minutes`` (default: the shift type's start step). A *placement* gives one offset per
activity; activities keep their listed order and never overlap. Time in a shift outside its
activities is work.

Limits (so that the number of columns the scheduler builds stays bounded):
:data:`MAX_STARTS` starts and :data:`MAX_PLACEMENTS` placements per shift type,
:data:`MAX_ACTIVITIES` activities, shifts of at most :data:`MAX_SHIFT_MINUTES`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

MAX_STARTS = 96  # one start every 15 minutes around the clock
MAX_PLACEMENTS = 600  # activity offset combinations per shift type
MAX_ACTIVITIES = 6
MAX_SHIFT_MINUTES = 16 * 60
MINUTES_PER_DAY = 1440


@dataclass(frozen=True, slots=True)
class Activity:
    """A non-work activity of a shift; ``paid=False`` minutes do not count as paid time."""

    kind: str
    length_minutes: int
    earliest_offset_minutes: int
    latest_offset_minutes: int
    paid: bool = True
    step_minutes: int = 15

    def offsets(self) -> range:
        return range(
            self.earliest_offset_minutes, self.latest_offset_minutes + 1, self.step_minutes
        )


@dataclass(frozen=True)
class ShiftType:
    name: str
    earliest_start_minutes: int
    latest_start_minutes: int
    start_step_minutes: int
    length_minutes: int
    activities: tuple[Activity, ...] = ()

    def starts(self) -> range:
        """Allowed start times, minutes from local midnight of the shift's date."""
        return range(
            self.earliest_start_minutes, self.latest_start_minutes + 1, self.start_step_minutes
        )

    @cached_property
    def placements(self) -> tuple[tuple[int, ...], ...]:
        """Every allowed tuple of activity offsets (listed order, no overlap, inside the shift)."""
        return tuple(
            combo
            for combo in itertools.product(*(a.offsets() for a in self.activities))
            if self.placement_error(combo) is None
        )

    def placement_error(self, offsets: Sequence[int]) -> str | None:
        """Why ``offsets`` (one per activity, in listed order) is not a placement, or None."""
        end_of_previous = 0
        for activity, offset in zip(self.activities, offsets, strict=True):
            if not activity.earliest_offset_minutes <= offset <= activity.latest_offset_minutes:
                return (
                    f"{activity.kind} at offset {offset} min is outside its window "
                    f"{activity.earliest_offset_minutes}-{activity.latest_offset_minutes} min"
                )
            if offset < end_of_previous:
                return f"{activity.kind} overlaps the activity before it"
            end_of_previous = offset + activity.length_minutes
        if end_of_previous > self.length_minutes:
            return "an activity runs past the end of the shift"
        return None

    @cached_property
    def parts(self) -> tuple[tuple[tuple[int, ...], tuple[tuple[int, ...], ...]], ...]:
        """Activities in independent parts, each with its offset choices.

        When each activity's window ends (latest offset + length) at or before the next one's
        earliest offset, and the last one's inside the shift, every combination of offsets is
        a placement: each activity is its own part and the choices multiply (Aykin's implicit
        break model, 1996). Otherwise all activities form one part whose choices are the
        placements. Returns ``((activity indexes), (offset tuples, ...))`` per part."""
        acts = self.activities
        separable = all(
            a.latest_offset_minutes + a.length_minutes <= b.earliest_offset_minutes
            for a, b in itertools.pairwise(acts)
        ) and (
            not acts
            or acts[-1].latest_offset_minutes + acts[-1].length_minutes <= self.length_minutes
        )
        if not separable:
            return ((tuple(range(len(acts))), self.placements),) if acts else ()
        return tuple(((j,), tuple((o,) for o in a.offsets())) for j, a in enumerate(acts))

    def activity_segments(
        self, start: int, indexes: Sequence[int], offsets: Sequence[int]
    ) -> list[tuple[int, int]]:
        """Periods ``[from, to)`` of the activities ``indexes`` at ``offsets``."""
        return [
            (start + o, start + o + self.activities[j].length_minutes)
            for j, o in zip(indexes, offsets, strict=True)
        ]

    @property
    def paid_minutes(self) -> int:
        return self.length_minutes - sum(a.length_minutes for a in self.activities if not a.paid)

    @property
    def work_minutes(self) -> int:
        return self.length_minutes - sum(a.length_minutes for a in self.activities)

    def work_segments(self, start: int, offsets: Sequence[int]) -> list[tuple[int, int]]:
        """Work periods ``[from, to)`` in minutes, for a shift starting at minute ``start``."""
        segments = []
        cursor = start
        for activity, offset in zip(self.activities, offsets, strict=True):
            if start + offset > cursor:
                segments.append((cursor, start + offset))
            cursor = start + offset + activity.length_minutes
        if start + self.length_minutes > cursor:
            segments.append((cursor, start + self.length_minutes))
        return segments


def minutes_by_interval(
    segments: Sequence[tuple[int, int]], interval_minutes: int, n_intervals: int
) -> dict[int, int]:
    """Minutes of work in each interval touched by ``segments`` (minutes from the horizon start).

    Minutes outside ``[0, n_intervals * interval_minutes)`` are dropped (no requirement there).
    """
    out: dict[int, int] = {}
    horizon = n_intervals * interval_minutes
    for lo, hi in segments:
        lo, hi = max(lo, 0), min(hi, horizon)
        while lo < hi:
            i = lo // interval_minutes
            top = min(hi, (i + 1) * interval_minutes)
            out[i] = out.get(i, 0) + top - lo
            lo = top
    return out


def coverage_minutes(
    segments: Sequence[tuple[int, int]], interval_minutes: int, n_intervals: int
) -> np.ndarray:
    """Agent-minutes of work per interval for many segments at once (difference array)."""
    horizon = n_intervals * interval_minutes
    diff = np.zeros(horizon + 1, dtype=np.int64)
    for lo, hi in segments:
        lo, hi = max(lo, 0), min(hi, horizon)
        if lo < hi:
            diff[lo] += 1
            diff[hi] -= 1
    per_minute = np.cumsum(diff[:horizon])
    out: np.ndarray = per_minute.reshape(n_intervals, interval_minutes).sum(axis=1)
    return out
