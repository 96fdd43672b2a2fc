"""Schedule simulation: ROSTER.json shifts and a forecast as a simulator scenario."""

from __future__ import annotations

from datetime import date

import pytest

from simulations.replications import run_replications
from simulations.roster_scenario import (
    MAX_DAYS,
    Rehearsal,
    WhatIf,
    interval_bands,
    roster_entries,
    roster_scenario,
)
from simulations.scenario import parse_scenario

DAY = date(2027, 1, 4)


def shift(agent: str, start: str, end: str, *acts: tuple[str, str, str]) -> dict[str, object]:
    return {
        "agent": agent,
        "shift_type": "FT",
        "start": start,
        "end": end,
        "activities": [{"kind": k, "start": s, "end": e} for k, s, e in acts],
    }


def day_roster(n: int, *, lunch: bool = True) -> list[dict[str, object]]:
    acts = [("lunch", "2027-01-04T12:00", "2027-01-04T13:00")] if lunch else []
    return [shift(f"A{i:03d}", "2027-01-04T09:00", "2027-01-04T17:00", *acts) for i in range(n)]


def rehearsal(calls: float = 100.0) -> Rehearsal:
    per_hour = [calls if 9 <= h < 17 else 0.0 for h in range(24)]
    return Rehearsal(DAY, 1, 60, tuple(per_hour), aht_seconds=240.0, patience_mean_seconds=120.0)


def test_shifts_become_minutes_from_the_first_day() -> None:
    shifts = [
        shift(
            "A",
            "2027-01-04T09:00",
            "2027-01-04T18:00",
            ("break", "2027-01-04T10:30", "2027-01-04T10:45"),
        ),
        shift("A", "2027-01-05T22:00", "2027-01-06T06:00"),  # night shift on day 1
        shift(
            "B",
            "2027-01-03T22:00",
            "2027-01-04T06:00",
            ("break", "2027-01-03T23:00", "2027-01-03T23:15"),
        ),
        shift("C", "2027-01-09T09:00", "2027-01-09T17:00"),  # after a 2-day horizon
    ]
    entries = roster_entries(shifts, DAY, 2 * 1440)
    assert entries == [
        {
            "agent_id": "A",
            "shifts": [
                {
                    "day": 0,
                    "start": 540.0,
                    "end": 1080.0,
                    "breaks": [{"start": 630.0, "end": 645.0}],
                },
                {"day": 0, "start": 2760.0, "end": 3240.0, "breaks": []},
            ],
        },
        {"agent_id": "B", "shifts": [{"day": 0, "start": 0.0, "end": 360.0, "breaks": []}]},
    ]
    parse_scenario(roster_scenario(shifts[:3], Rehearsal(DAY, 2, 60, (10.0,) * 48, 200.0)))


def test_what_if_changes_volume_and_agents_in_its_window() -> None:
    s = roster_scenario(
        day_roster(2),
        rehearsal(),
        WhatIf(
            volume_change_percent=50, extra_agents=3, window_start_minute=600, window_end_minute=720
        ),
    )
    calls = s["queues"][0]["calls_per_interval"]
    assert calls[9] == 100 and calls[10] == 150 and calls[11] == 150 and calls[12] == 100
    (group,) = s["agent_groups"]
    assert group["agents_per_interval"][9:13] == [0, 3, 3, 0]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"volume_change_percent": -101}, "volume_change_percent"),
        ({"extra_agents": -1}, "extra_agents"),
        ({"window_start_minute": 60, "window_end_minute": 60}, "window_end_minute"),
    ],
)
def test_bad_what_if(kwargs: dict[str, int], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        WhatIf(**kwargs)


def test_bad_rehearsal_and_roster() -> None:
    with pytest.raises(ValueError, match="days must be in"):
        Rehearsal(DAY, MAX_DAYS + 1, 60, (1.0,) * 24 * (MAX_DAYS + 1), 200.0)
    with pytest.raises(ValueError, match="must have 24 entries"):
        Rehearsal(DAY, 1, 60, (1.0,) * 23, 200.0)
    with pytest.raises(ValueError, match=r"shifts\[0\].start must be an ISO local time"):
        roster_entries([shift("A", "9am", "2027-01-04T17:00")], DAY, 1440)
    with pytest.raises(ValueError, match="no UTC offset"):
        roster_entries([shift("A", "2027-01-04T09:00+09:00", "2027-01-04T17:00")], DAY, 1440)


def test_more_agents_serve_better_and_a_spike_worse() -> None:
    def sl(what_if: WhatIf | None = None, n: int = 8) -> float:
        doc, _ = run_replications(
            parse_scenario(roster_scenario(day_roster(n), rehearsal(), what_if)),
            4,
            seed=3,
            workers=1,
        )
        return float(doc["summary"]["service_level"])

    base = sl()
    assert sl(WhatIf(extra_agents=3)) > base + 0.05
    assert sl(WhatIf(volume_change_percent=40)) < base - 0.05
    assert sl(n=11) > base + 0.05  # another roster with more agents


def test_lunch_hour_shows_in_its_interval() -> None:
    doc, _ = run_replications(
        parse_scenario(roster_scenario(day_roster(8), rehearsal())), 4, seed=5, workers=1
    )
    bands = interval_bands(doc)
    assert len(bands) == 24
    noon, morning = bands[12], bands[10]
    assert noon["service_level"]["mean"] < morning["service_level"]["mean"]  # everybody at lunch
    low, high = morning["service_level"]["low"], morning["service_level"]["high"]
    assert low is not None and high is not None and low <= morning["service_level"]["mean"] <= high
    assert bands[3]["asa_seconds"]["mean"] is None  # no calls at 03:00


def test_a_roster_outside_the_horizon_is_an_error_unless_agents_are_added() -> None:
    late = [shift("A", "2027-01-09T09:00", "2027-01-09T17:00")]
    with pytest.raises(ValueError, match="no shift of the roster falls in the 1-day horizon"):
        roster_scenario(late, rehearsal())
    s = roster_scenario(late, rehearsal(), WhatIf(extra_agents=2))
    assert "roster" not in s and s["agent_groups"][0]["agents_per_interval"][10] == 2
