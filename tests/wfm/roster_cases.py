"""Small roster problems with answers known by hand, shared by the scheduling tests."""

from __future__ import annotations

import copy
from typing import Any

# Agent A starts 08:00 with its break at 10:00 (works 08-10, 11-13); agent B starts 09:00
# with its break at 12:00 (works 09-12, 13-14). Their coverage, every day:
DAY = [0] * 8 + [1, 2, 1, 2, 1, 1] + [0] * 10
assert len(DAY) == 24


def tiny(**changes: Any) -> dict[str, Any]:
    """5 days from Monday 2027-01-04, hourly intervals, 2 agents who can cover DAY exactly."""
    problem: dict[str, Any] = {
        "start": "2027-01-04",
        "days": 5,
        "interval_minutes": 60,
        "required": {"general": DAY * 5},
        "shift_types": [
            {
                "name": "D5",
                "earliest_start": "08:00",
                "latest_start": "10:00",
                "start_step_minutes": 60,
                "length_minutes": 300,
                "activities": [
                    {
                        "kind": "break",
                        "length_minutes": 60,
                        "earliest_offset_minutes": 120,
                        "latest_offset_minutes": 180,
                        "paid": False,
                    }
                ],
            }
        ],
        "agents": [
            {"id": "A", "skills": ["general"], "shift_types": ["D5"], "days_per_week": 5},
            {"id": "B", "skills": ["general"], "shift_types": ["D5"], "days_per_week": 5},
        ],
        "rules": {"min_rest_hours": 11, "max_consecutive_days": 5},
        "time_limit_seconds": 20,
        "num_workers": 1,
    }
    out = copy.deepcopy(problem)
    out.update(changes)
    return out


def shift(
    agent: str, day: int, start: str, brk: str, end: str, *, brk_end: str | None = None
) -> dict[str, Any]:
    date = f"2027-01-{4 + day:02d}"
    return {
        "agent": agent,
        "shift_type": "D5",
        "start": f"{date}T{start}",
        "end": f"{date}T{end}",
        "activities": [
            {
                "kind": "break",
                "start": f"{date}T{brk}",
                "end": f"{date}T{brk_end or _plus_hour(brk)}",
            }
        ],
    }


def _plus_hour(clock: str) -> str:
    h, m = clock.split(":")
    return f"{int(h) + 1:02d}:{m}"


def exact_roster() -> list[dict[str, Any]]:
    """The roster that covers DAY exactly on all 5 days."""
    out = []
    for day in range(5):
        out.append(shift("A", day, "08:00", "10:00", "13:00"))
        out.append(shift("B", day, "09:00", "12:00", "14:00"))
    return out
