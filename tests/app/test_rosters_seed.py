"""The demo's roster (app/seed/roster.py) and the planner's chain (app/roster_chain.py) on a
seeded bank: history → forecast → staffing → roster, built by the solver."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Agent, AgentSkill, User
from app.roster_jobs import jobs_of
from app.rosters import latest_published, published_shifts
from app.seed import seed_demo
from app.seed.agents import N_AGENTS
from app.testing import create_user, login, make_client, make_settings
from wfm.roster_checks import evaluate_roster
from wfm.roster_problem import parse_roster_problem

TODAY = date(2027, 1, 6)  # a Wednesday: the demo's week is Monday 4 to Sunday 10 January
MONDAY = date(2027, 1, 4)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    with make_client(make_settings(url)) as client:
        seed_demo(client.app.state.engine, customers=300, seed=3, today=TODAY)  # type: ignore[attr-defined]
        create_user(client.app, "plan", "planner")  # type: ignore[arg-type]
        yield client


def test_the_demo_publishes_a_roster_of_the_current_week_for_its_agents(demo: TestClient) -> None:
    engine = demo.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as session:
        version = latest_published(session, MONDAY)
        assert version is not None and version.status == "published"
        assert latest_published(session, date(2027, 1, 10)).id == version.id  # type: ignore[union-attr]
        planner = session.exec(select(User).where(User.username == "planner01")).one()
        assert version.published_by == planner.id
        assert version.roster["status"] in ("optimal", "feasible")
        problem = parse_roster_problem(version.problem)
        assert problem.start == MONDAY and problem.days == 7
        # every agent of the demo, with the skills the seed gave them
        skills: dict[str, set[str]] = {}
        for login_, skill in session.exec(
            select(Agent.login, AgentSkill.skill).join(AgentSkill, AgentSkill.agent_id == Agent.id)
        ):
            skills.setdefault(login_, set()).add(skill)
        assert {a.id: set(a.skills) for a in problem.agents} == skills
        assert len(skills) == N_AGENTS
        shifts = version.roster["shifts"]
        # five days a week each, every rule kept, each shift serving one of the agent's skills
        assert Counter(s["agent"] for s in shifts) == {a: 5 for a in skills}
        assert evaluate_roster(problem, shifts).violations == ()
        for s in shifts:
            assert {w["skill"] for w in s["work"]} <= skills[s["agent"]]
        # the requirement comes from the seeded history: open hours need agents, nights none
        total = sum(problem.required[q].sum() for q in problem.required)
        assert total > 0
        assert all(problem.required[q][: 6 * 2].sum() == 0 for q in problem.required)
        in_force = published_shifts(session, datetime(2027, 1, 4), datetime(2027, 1, 11))
        assert len(in_force) == len(shifts)


def test_the_whole_chain_history_forecast_staffing_roster(demo: TestClient) -> None:
    login(demo, "plan")
    body = {"queues": ["fx"], "start": "2027-01-06", "days": 1, "interval_minutes": 60,
            "method": "weekday_mean", "time_limit_seconds": 20}
    r = demo.post("/api/wfm/rosters/jobs", json=body)
    assert r.status_code == 202, r.text
    assert jobs_of(demo.app.state).wait(r.json()["id"], 120)  # type: ignore[attr-defined]
    job = demo.get(f"/api/wfm/rosters/jobs/{r.json()['id']}").json()
    assert job["state"] == "done", job
    assert job["progress"]
    v = demo.get(f"/api/wfm/rosters/versions/{job['version_id']}").json()
    assert v["status"] == "draft"
    required = v["required"]["fx"]
    assert len(required) == 24 and sum(required) > 0  # calls in the history: agents required
    assert all(required[h] == 0 for h in range(7))  # none at night
    fx_agents = {a["id"] for a in v["agents"]}
    assert fx_agents and all("fx" in a["skills"] for a in v["agents"])
    assert v["roster"]["shifts"] and {s["agent"] for s in v["roster"]["shifts"]} <= fx_agents
