"""Routing options on the general path: caller sites and overflow, minimum proficiency and
skill expansion, preferred agents. Each must change what the engine does."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from qa.counts import count_contacts
from qa.kpis import abandonment_rate, service_level
from routing.events import ContactAnswered, ContactArrived, Event
from simulations.callers import ScriptedContact
from simulations.center import CenterRun, simulate_center
from simulations.scenario import parse_scenario
from tests.simulations.test_scenario_checks import SITES, SKILLS


def run(data: dict[str, Any], seed: int = 0, **kwargs: Any) -> CenterRun:
    return simulate_center(parse_scenario(data), np.random.default_rng(seed), True, **kwargs)


def answers(events: list[Event]) -> list[tuple[ContactArrived, ContactAnswered]]:
    """(arrival, first answer) of every answered contact."""
    arrived = {e.contact_id: e for e in events if isinstance(e, ContactArrived)}
    first: dict[str, ContactAnswered] = {}
    for e in events:
        if isinstance(e, ContactAnswered):
            first.setdefault(e.contact_id, e)
    return [(arrived[c], a) for c, a in first.items()]


def with_overflow(after: float | None) -> dict[str, Any]:
    data = copy.deepcopy(SITES)
    data["routing"] = {"policy": {"overflow_after_seconds": after}}
    return data


# --- sites and overflow ---------------------------------------------------------------------


def test_callers_get_sites_from_the_mix() -> None:
    events = run(with_overflow(30)).events
    sites = [e.site for e in events if isinstance(e, ContactArrived)]
    assert set(sites) == {"seoul", "busan"}
    assert 0.4 < sites.count("busan") / len(sites) < 0.6


def test_overflow_serves_callers_at_other_sites_only_after_the_wait() -> None:
    overflowed = 0
    for arrival, answer in answers(run(with_overflow(30)).events):
        site = "busan" if answer.agent_id.startswith("b-") else "seoul"
        if site != arrival.site:
            assert answer.at - arrival.at >= 30 - 1e-9, (arrival, answer)
            overflowed += 1
    assert overflowed > 20
    for arrival, answer in answers(run(with_overflow(None)).events):
        assert answer.agent_id.startswith("b-") == (arrival.site == "busan")


def test_overflow_time_changes_the_result_with_the_same_callers() -> None:
    """ov_0 / ov_600 / ov_null used to give identical results. Now, with 20 agents in Seoul
    and 10 in Busan for half and half of the callers, overflow at once pools them."""
    sl, gone = {}, {}
    for after in (0.0, 60.0, None):
        t = run(with_overflow(after), seed=3).table
        c = count_contacts(t, 20.0)
        sl[after], gone[after] = service_level(c), abandonment_rate(c)
        assert len(t) == len(run(with_overflow(0.0), seed=3).table)  # the same callers
    assert sl[0.0] > sl[None] + 0.1, sl  # pooled at once
    assert gone[0.0] < gone[60.0] < gone[None] - 0.02, gone  # Busan callers overflow after 60 s


# --- minimum proficiency and skill expansion ------------------------------------------------------


def test_expansion_lets_backup_agents_in_after_the_step_only() -> None:
    """cards needs proficiency 3 (the card group has 4); general agents (general 3) join
    after 20 s of waiting; agents with cards below 3 never take it."""
    data = copy.deepcopy(SKILLS)
    data["agent_groups"].append({"name": "weak", "skills": {"cards": 2, "loans": 1},
                                 "agents_per_interval": [3]})
    data["queues"].append({"name": "loans", "calls_per_interval": [0], "aht_seconds": 60})
    helped = 0
    for arrival, answer in answers(run(data, seed=1).events):
        if arrival.queue != "cards":
            continue
        assert not answer.agent_id.startswith("weak-"), answer
        if answer.agent_id.startswith("gen-"):
            assert answer.at - arrival.at >= 20 - 1e-9, (arrival, answer)
            helped += 1
    assert helped > 3
    no_step = copy.deepcopy(data)
    no_step["queues"][1]["expansion"] = []
    assert all(
        a.agent_id.startswith("card-")
        for arr, a in answers(run(no_step, seed=1).events)
        if arr.queue == "cards"
    )


# --- preferred agents ------------------------------------------------------------------------


def preferred_scenario(share: float) -> dict[str, Any]:
    """VIP callers; three relationship managers (no queue skill: they take their own
    customers only) wait-listed for 60 s; six VIP agents take everyone."""
    return {
        "interval_minutes": 60,
        "queues": [{"name": "vip", "calls_per_interval": [60, 60], "aht_seconds": 120,
                    "patience_mean_seconds": 300, "preferred_agent_share": share,
                    "preferred_agents": ["rm"]}],
        "agent_groups": [{"name": "desk", "skills": ["vip"], "agents_per_interval": [6]}],
        "roster": [{"agent_id": "rm", "count": 3, "skills": ["relationship"],
                    "shifts": [{"start": "00:00", "end": "02:00"}]}],
        "routing": {"policy": {"preferred_agent_wait_seconds": 60}},
    }


def test_preferred_agents_take_their_own_callers() -> None:
    events = run(preferred_scenario(0.5), seed=2).events
    arrivals = [e for e in events if isinstance(e, ContactArrived)]
    with_rm = [e for e in arrivals if e.preferred_agent_id is not None]
    assert {e.preferred_agent_id for e in with_rm} == {"rm-0", "rm-1", "rm-2"}
    assert 0.35 < len(with_rm) / len(arrivals) < 0.65
    by_rm = 0
    for arrival, answer in answers(events):
        if answer.agent_id.startswith("rm-"):
            assert answer.agent_id == arrival.preferred_agent_id  # only their own customers
            by_rm += 1
    assert by_rm > 0.5 * len(with_rm)


def test_a_share_of_preferred_callers_draws_no_other_numbers() -> None:
    """Hints are drawn after the callers: the same seed gives the same arrivals."""
    a = [e.at for e in run(preferred_scenario(0.5), seed=4).events if isinstance(e, ContactArrived)]
    data = preferred_scenario(0.5)
    del data["queues"][0]["preferred_agent_share"], data["queues"][0]["preferred_agents"]
    del data["routing"]
    b = [e.at for e in run(data, seed=4).events if isinstance(e, ContactArrived)]
    assert a == b


def test_scripted_contacts_carry_site_and_preferred_agent() -> None:
    data = preferred_scenario(0.5)
    contacts = [
        ScriptedContact(10.0, "vip", "platinum", 50.0, site="busan", preferred_agent_id="rm-1"),
        ScriptedContact(20.0, "vip", handle_seconds=50.0),
    ]
    events = run(data, contacts=contacts).events
    arrived = [e for e in events if isinstance(e, ContactArrived)]
    assert [(e.site, e.preferred_agent_id) for e in arrived] == [("busan", "rm-1"), (None, None)]
    assert {a.contact_id: a.agent_id for a in events if isinstance(a, ContactAnswered)}["c0"] == "rm-1"
    with pytest.raises(ValueError, match="site must not be empty"):
        ScriptedContact(0.0, "vip", site="")


def test_the_documented_example_runs() -> None:
    """docs/scenario.md, *Sites, skill expansion and preferred agents*: the example's
    fragment (with the interval length added) parses and simulates."""
    import json
    import re
    from pathlib import Path

    text = (Path(__file__).parents[2] / "docs" / "scenario.md").read_text(encoding="utf-8")
    section = text.split("### Sites, skill expansion and preferred agents", 1)[1]
    fragment = re.search(r"```json\n(.*?)```", section, re.DOTALL)
    assert fragment is not None
    data = json.loads("{" + fragment.group(1) + ', "interval_minutes": 60}')
    out = run(data, seed=1)
    assert {e.site for e in out.events if isinstance(e, ContactArrived)} == {"seoul", "busan"}
    assert any(a.agent_id.startswith("rm-") for _, a in answers(out.events))
