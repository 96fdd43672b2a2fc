"""dashboards.wallboard: segments by tier, each caller held to its queue/tier goal, AHT, actor."""

from __future__ import annotations

from dashboards.wallboard import WallboardState
from routing.events import (
    AgentStateChanged,
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    Event,
    ServiceLevelGoal,
    ServiceLevelGoals,
    WrapUpEnded,
)


def _served(cid: str, at: float, wait: float, talk: float, wrap: float, queue: str,
            tier: str) -> list[Event]:
    answered = at + wait
    return [ContactArrived(at, cid, queue, tier), ContactAnswered(answered, cid, "a1", queue),
            ContactEnded(answered + talk, cid, "a1", queue),
            WrapUpEnded(answered + talk + wrap, cid, "a1")]


def _board(events: list[Event], goals: ServiceLevelGoals | None = None) -> WallboardState:
    board = WallboardState(goals=goals or ServiceLevelGoals())
    for seq, event in enumerate(events, start=1):
        board.apply(seq, event)
    return board


def test_vip_is_a_matter_of_tier_not_of_queue() -> None:
    events = (_served("v1", 0, 8, 100, 20, "deposits", "platinum")
              + _served("g1", 1, 15, 50, 10, "vip", "core")  # the vip queue, a core caller
              + [ContactArrived(2, "g2", "vip", "gold"), ContactAbandoned(40, "g2", "vip")])
    snap = _board(events).snapshot(500)
    vip, general = snap["totals"]["vip"], snap["totals"]["general"]
    assert (vip["offered"], vip["answered"]) == (1, 1)
    assert (general["offered"], general["answered"], general["abandoned"]) == (2, 1, 1)
    assert vip["aht_seconds"] == 120.0 and general["aht_seconds"] == 60.0  # talk + wrap-up
    assert (vip["threshold_seconds"], vip["service_level_target"]) == (10.0, 0.9)
    assert (general["threshold_seconds"], general["service_level_target"]) == (20.0, 0.8)
    assert vip["service_level"] == 1.0 and general["service_level"] == 0.5
    by_queue = {q["queue"]: q["segments"] for q in snap["queues"]}
    assert by_queue["vip"]["vip"]["offered"] == 0 and by_queue["vip"]["general"]["offered"] == 2


def test_each_caller_is_held_to_its_queues_goal() -> None:
    goals = ServiceLevelGoals({"cards": {t: ServiceLevelGoal(30.0, 0.7)
                                         for t in ("gold", "silver", "core", "inactive")}})
    events = (_served("c1", 0, 25, 60, 0, "cards", "core")  # within 30 s in cards
              + _served("d1", 0, 25, 60, 0, "deposits", "core"))  # not within 20 s
    board = _board(events, goals)
    assert board.counts("general", "cards").answered_within == 1
    assert board.counts("general", "deposits").answered_within == 0
    snap = board.snapshot(100)
    cards = next(q for q in snap["queues"] if q["queue"] == "cards")["segments"]["general"]
    assert (cards["threshold_seconds"], cards["service_level_target"]) == (30.0, 0.7)
    # the totals are shown against the strictest goal of the queues
    assert snap["totals"]["general"]["threshold_seconds"] == 20.0
    # a segment whose tiers have different goals is shown against the strictest
    mixed = _board(events, ServiceLevelGoals({"cards": {"core": ServiceLevelGoal(30.0, 0.7)}}))
    assert mixed.goal("general", "cards") == ServiceLevelGoal(20.0, 0.8)
    assert mixed.counts("general", "cards").answered_within == 1  # core held to its 30 s


def test_aht_waits_for_the_wrap_up_and_agents_show_who_forced_a_state() -> None:
    events: list[Event] = [ContactArrived(0, "c1", "q", "core"),
                           ContactAnswered(5, "c1", "a1", "q"), ContactEnded(65, "c1", "a1", "q"),
                           AgentStateChanged(70, "a2", "not_ready", "ready", "coaching", "sup")]
    board = _board(events)
    assert board.snapshot(80)["totals"]["general"]["aht_seconds"] is None  # not wrapped up yet
    board.apply(len(events) + 1, WrapUpEnded(95, "c1", "a1"))
    snap = board.snapshot(100)
    assert snap["totals"]["general"]["aht_seconds"] == 90.0
    agent = next(a for a in snap["agents"] if a["agent_id"] == "a2")
    assert (agent["reason"], agent["actor"]) == ("coaching", "sup")


def test_the_longest_wait_is_held_to_the_oldest_callers_goal() -> None:
    events: list[Event] = [ContactArrived(0, "p1", "deposits", "platinum"),
                           ContactArrived(5, "c1", "deposits", "core"),
                           ContactArrived(1, "c2", "cards", "core")]
    board = _board(events)
    snap = board.snapshot(30)
    queues = {q["queue"]: q for q in snap["queues"]}
    assert queues["deposits"]["longest_wait_seconds"] == 30
    assert queues["deposits"]["longest_wait_threshold_seconds"] == 10.0  # a VIP caller waits
    assert queues["cards"]["longest_wait_threshold_seconds"] == 20.0
    assert snap["longest_wait_threshold_seconds"] == 10.0
    board.apply(4, ContactAbandoned(31, "p1", "deposits"))
    assert board.longest_wait_threshold_seconds("deposits") == 20.0
    assert board.longest_wait_threshold_seconds("nowhere") == 20.0  # nobody waits
