"""`contactops simulate-outbound --campaign NAME`: the scenario built from the database's
campaign (mode, list size, agents, measured answer rate and handle time), on SQLite and
PostgreSQL; a SCENARIO.json file still works as before."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from app.cli import main
from app.models import Agent, AgentSkill, Campaign, CampaignListEntry, Interaction, Queue
from app.queries import CENTER_TZ
from app.testing import create_user, make_app, make_settings

NAME = "Collections 30+"


def _seed(url: str, dials: bool) -> None:
    app: Any = make_app(make_settings(url))
    for name in ("agent01", "agent02", "agent03"):
        create_user(app, name, "agent")
    now = datetime.now(UTC)
    with Session(app.state.engine) as s:
        s.add(Queue(name="collections", skill="collections", open_hours="10:00-17:00"))
        agents = s.exec(select(Agent).order_by(Agent.id)).all()
        for agent in agents[:2]:  # the third has no collections skill
            s.add(AgentSkill(agent_id=agent.id, skill="collections"))
        campaign = Campaign(name=NAME, type="collections", dial_mode="progressive", rules={},
                            created_at=now, updated_at=now)
        s.add(campaign)
        s.commit()
        today = now.astimezone(CENTER_TZ).date()
        for i in range(1, 31):
            s.add(CampaignListEntry(campaign_id=campaign.id, list_date=today, customer_id=i,
                                    score=1.0, rank=i, reason="delinquent_loan", built_at=now))
        if dials:  # 40 dials: 12 answered (200 s each), 3 abandoned, 25 not answered
            outcomes = ["answered"] * 12 + ["abandoned"] * 3 + ["no_answer"] * 25
            for i, outcome in enumerate(outcomes):
                s.add(Interaction(contact_id=f"AD1-{i}", queue=NAME, direction="outbound",
                                  arrived_at=now - timedelta(days=2), outcome=outcome,
                                  handle_seconds=200.0 if outcome == "answered" else None))
        s.commit()
    app.state.engine.dispose()


def _run(url: str, out: Path, *extra: str) -> int:
    return main(["simulate-outbound", "--campaign", NAME, "--days", "2", "--seed", "4",
                 "--out", str(out), "--url", url, *extra])


def test_campaign_scenario_from_measured_dials(database_url: str, tmp_path: Path) -> None:
    _seed(database_url, dials=True)
    results = {}
    for mode in ("progressive", "predictive"):
        out = tmp_path / f"{mode}.json"
        assert _run(database_url, out, "--mode", mode) == 0
        results[mode] = json.loads(out.read_text())
    pred = results["predictive"]
    assert pred["scenario"] == {
        "campaign": NAME, "campaign_type": "collections", "country": "KR",
        "mode": "predictive", "agents": 2, "answer_rate": 15 / 40, "aht_seconds": 200.0,
        "open": "10:00", "close": "17:00", "time_zone": "Asia/Seoul", "leads_per_day": 30}
    assert pred["campaign"]["answer_rate_from"] == "measured"
    assert pred["campaign"]["measured"]["dials"] == 40
    for mode, result in results.items():
        s = result["summary"]
        assert s["mode"] == mode and s["rule_violations"] == 0
        # 30 fresh leads a day: at most 60 customers over two days, each connected once
        assert 0 < s["connects"] <= 60
        assert len(result["per_day"]) == 2
        for key in ("max_abandon_rate_24h", "abandon_rate_total", "agent_occupancy"):
            assert key in s
    assert results["progressive"]["summary"]["abandoned"] == 0


def test_campaign_never_dialled_takes_the_defaults(sqlite_url: str, tmp_path: Path) -> None:
    _seed(sqlite_url, dials=False)
    out = tmp_path / "r.json"
    assert _run(sqlite_url, out) == 0
    result = json.loads(out.read_text())
    assert (result["scenario"]["answer_rate"], result["scenario"]["aht_seconds"],
            result["scenario"]["mode"]) == (0.25, 180.0, "progressive")
    assert result["campaign"]["answer_rate_from"] == "default"


@pytest.mark.parametrize(("args", "message"), [
    (["--campaign", "Nope"], "no campaign named 'Nope'"),
    (["scenario.json", "--campaign", NAME], "one of them"),
    ([], "one of them"),
    (["scenario.json", "--mode", "predictive"], "--mode goes with --campaign"),
])
def test_bad_campaign_options_name_the_option(sqlite_url: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str],
                                              args: list[str], message: str) -> None:
    _seed(sqlite_url, dials=False)
    code = main(["simulate-outbound", *args, "--url", sqlite_url,
                 "--out", str(tmp_path / "r.json")])
    assert code == 2
    assert message in capsys.readouterr().err


def test_an_unknown_mode_is_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["simulate-outbound", "--campaign", NAME, "--mode", "blast"])
    assert exc.value.code == 2 and "--mode" in capsys.readouterr().err
