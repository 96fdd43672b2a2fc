"""Adherence on a scripted day whose answer was worked out by hand (times: minutes → seconds)."""

from __future__ import annotations

import pytest

from routing.events import AgentStateChanged
from wfm.adherence import (
    Activity,
    ScheduledShift,
    adherent,
    measure_adherence,
    next_activity,
)


def m(hhmm: str) -> float:
    h, mm = hhmm.split(":")
    return (int(h) * 60 + int(mm)) * 60.0


def ch(agent: str, at: str, state: str, reason: str | None = None) -> AgentStateChanged:
    return AgentStateChanged(at=m(at), agent_id=agent, state=state, reason=reason)


# Agent A: 09:00-18:00, break 10:30-10:45, lunch 12:00-13:00. Agent B: 09:00-13:00, absent.
SHIFTS = [
    ScheduledShift(
        "A",
        m("09:00"),
        m("18:00"),
        (Activity("break", m("10:30"), m("10:45")), Activity("lunch", m("12:00"), m("13:00"))),
    ),
    ScheduledShift("B", m("09:00"), m("13:00")),
]
EVENTS = [
    ch("A", "08:58", "not_ready", "login"),  # logged in 2 min early, ready 2 min late: 4 min
    ch("A", "09:02", "ready"),
    ch("A", "09:10", "reserved"),
    ch("A", "09:10", "talking"),
    ch("A", "09:20", "wrap_up"),
    ch("A", "09:22", "ready"),
    ch("A", "10:30", "not_ready", "break"),
    ch("A", "10:50", "ready"),  # 5 min late back: within the tolerance
    ch("A", "12:00", "not_ready", "lunch"),
    ch("A", "13:20", "ready"),  # 20 min late back from lunch: counted
    ch("A", "17:50", "logged_out"),  # 10 min early home: counted
]
TEAMS = {"A": "t1", "B": "t1"}


def test_day_report_by_hand() -> None:
    r = measure_adherence(
        SHIFTS, EVENTS, start=0.0, end=m("24:00"), tolerance_seconds=300, teams=TEAMS
    )
    a, b = r.agents
    # A: scheduled 540 min, out 20 (13:00-13:20) + 10 (17:50-18:00) = 30 -> 510/540
    assert a.scheduled_seconds == 540 * 60
    assert a.out_seconds == 30 * 60
    assert a.adherence == pytest.approx(510 / 540)
    # worked: 09:02-10:30 (88) + 10:50-12:00 (70) + 13:20-17:50 (270) = 428 of 540-15-60 = 465
    assert a.worked_seconds == 428 * 60
    assert a.scheduled_work_seconds == 465 * 60
    assert a.conformance == pytest.approx(428 / 465)
    assert [(s.start, s.end, s.scheduled, s.actual) for s in a.spells] == [
        (m("13:00"), m("13:20"), "work", "not_ready:lunch"),
        (m("17:50"), m("18:00"), "work", "logged_out"),
    ]
    # B never logged in: 0 %, one spell over the whole shift
    assert b.adherence == 0.0 and b.conformance == 0.0
    assert [(s.start, s.end, s.actual) for s in b.spells] == [
        (m("09:00"), m("13:00"), "logged_out")
    ]
    (team,) = r.teams
    assert team.agents == 2
    assert team.adherence == pytest.approx(510 / 780)
    assert team.conformance == pytest.approx(428 / 705)
    assert r.out_now() == []


def test_live_view_reports_open_spell_with_its_start() -> None:
    r = measure_adherence(
        SHIFTS, EVENTS, start=0.0, end=m("24:00"), now=m("13:10"), tolerance_seconds=300
    )
    a, b = r.agents
    # A so far: 09:00-13:10 = 250 min scheduled, 10 min out (since 13:00, still at lunch)
    assert a.scheduled_seconds == 250 * 60
    assert a.adherence == pytest.approx(240 / 250)
    assert a.conformance == pytest.approx(158 / 175)
    assert a.current is not None and a.current.start == m("13:00") and a.current.end is None
    assert a.current.actual == "not_ready:lunch" and a.current.scheduled == "work"
    assert b.current is None  # B's shift is over: not out of adherence now
    assert [s.agent for s in r.out_now()] == ["A"]


def test_open_spell_within_tolerance_is_not_reported_yet() -> None:
    r = measure_adherence(SHIFTS, EVENTS, start=0.0, end=m("24:00"), now=m("13:03"))
    a = r.agents[0]
    assert a.current is None
    assert a.adherence == 1.0  # 243 min scheduled, nothing counted out


def test_tolerance_zero_counts_every_minute() -> None:
    r = measure_adherence(SHIFTS, EVENTS, start=0.0, end=m("24:00"), tolerance_seconds=0)
    a = r.agents[0]
    # in shift: 09:00-09:02 (2) + 10:45-10:50 (5) + 13:00-13:20 (20) + 17:50-18:00 (10) = 37
    assert a.out_seconds == 37 * 60
    assert a.spells[0].start == m("08:58") and a.spells[0].scheduled == "off"


def test_state_before_the_window_carries_in() -> None:
    # logged in and ready since yesterday 23:00: the window starting at 00:00 sees it
    events = [AgentStateChanged(at=-3600.0, agent_id="C", state="ready")]
    r = measure_adherence([], events, start=0.0, end=m("01:00"), tolerance_seconds=0)
    (c,) = r.agents
    assert c.scheduled_seconds == 0 and c.adherence is None
    assert c.worked_seconds == 3600 and c.conformance is None
    assert [(s.start, s.scheduled, s.actual) for s in c.spells] == [(0.0, "off", "ready")]


def test_mapping() -> None:
    assert adherent("work", "talking", None)
    assert adherent("work", "not_ready", "after_call_work")
    assert not adherent("work", "not_ready", "break")
    assert adherent("lunch", "not_ready", "lunch")
    assert not adherent("lunch", "not_ready", "break")
    assert not adherent("lunch", "ready", None)
    assert adherent("off", "logged_out", None)
    assert not adherent("off", "not_ready", "break")


def test_next_break() -> None:
    nxt = next_activity(SHIFTS, "A", m("11:00"), kinds=("break", "lunch"))
    assert nxt == Activity("lunch", m("12:00"), m("13:00"))
    assert next_activity(SHIFTS, "A", m("12:30")) == Activity("lunch", m("12:00"), m("13:00"))
    assert next_activity(SHIFTS, "A", m("13:00")) is None
    assert next_activity(SHIFTS, "B", m("08:00")) is None


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"start": 10.0, "end": 10.0}, "end must be after start"),
        ({"start": 0.0, "end": 10.0, "tolerance_seconds": -1}, "tolerance_seconds"),
        ({"start": 0.0, "end": 10.0, "now": 0.0}, "now must be after start"),
    ],
)
def test_bad_arguments(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        measure_adherence([], [], **kwargs)


def test_activity_outside_its_shift_is_refused() -> None:
    with pytest.raises(ValueError, match="inside the shift"):
        ScheduledShift("A", 0.0, 60.0, (Activity("break", 50.0, 70.0),))


def test_states_are_the_routing_engines() -> None:
    from routing.agent_state import AgentState
    from wfm.adherence import LOGGED_OUT, NOT_READY, WORK_STATES

    values = {s.value for s in AgentState}
    assert WORK_STATES | {LOGGED_OUT, NOT_READY} == values


def test_spell_from_before_midnight_keeps_its_start() -> None:
    # night shift 22:00-06:00 from the day before; the agent logged out at 23:40
    night = [ScheduledShift("N", m("22:00") - 86400, m("06:00"))]
    events = [
        ch("N", "21:58", "not_ready", "login"),
        ch("N", "22:00", "ready"),
        ch("N", "23:40", "logged_out"),
    ]
    events = [
        AgentStateChanged(at=e.at - 86400, agent_id="N", state=e.state, reason=e.reason)
        for e in events
    ]
    live = measure_adherence(
        night, events, start=0.0, end=m("24:00"), now=m("01:00"), trace_from=-12 * 3600.0
    )
    (n,) = live.agents
    assert n.current is not None and n.current.start == m("23:40") - 86400
    assert n.scheduled_seconds == 3600 and n.out_seconds == 3600 and n.adherence == 0.0
    # without tracing back the spell starts at the window's start
    plain = measure_adherence(night, events, start=0.0, end=m("24:00"), now=m("01:00"))
    assert plain.agents[0].current is not None and plain.agents[0].current.start == 0.0
    # a spell over before the window is not listed; a short one that crosses it is forgiven whole
    short = [
        AgentStateChanged(at=-120.0, agent_id="N", state="not_ready", reason="break"),
        AgentStateChanged(at=120.0, agent_id="N", state="ready"),
    ]
    r = measure_adherence(
        night,
        [events[1], *short],
        start=0.0,
        end=m("24:00"),
        now=m("01:00"),
        trace_from=-12 * 3600.0,
    )
    assert r.agents[0].spells == () and r.agents[0].adherence == 1.0
