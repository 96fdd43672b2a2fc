"""`contactops campaigns build|list`: counts per campaign, the list forms, errors in one line."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from app.cli import main
from app.db import make_engine
from app.models import Agent, Campaign, CustomerAccess, Product
from app.pool_claims import ClaimPolicy, claim_batch
from tests.app.test_campaign_lists import NOW, customer

DAY = date(2027, 2, 20)


@pytest.fixture
def stored(database_url: str) -> str:
    assert main(["db", "--url", database_url, "upgrade"]) == 0
    engine = make_engine(database_url)
    with Session(engine) as s:
        s.add(Agent(id=1, login="kim", name="Kim"))
        s.add(Agent(id=2, login="lee", name="Lee"))
        s.flush()
        for cid in range(1, 5):
            customer(s, cid, relationship_manager_id=1 if cid <= 2 else None)
            s.add(Product(customer_id=cid, kind="deposit", name="TD",
                          maturity_date=DAY + timedelta(days=cid)))
        s.add(Campaign(id=1, name="Renewals", type="telesales", priority=300, created_at=NOW,
                       updated_at=NOW, rules={"targets": [{"rule": "deposit_maturing",
                                                           "within_days": 3}]}))
        s.add(Campaign(id=2, name="Idle", type="service", active=False, created_at=NOW,
                       updated_at=NOW, rules={"targets": [{"rule": "birthday",
                                                           "within_days": 3}]}))
        s.commit()
    engine.dispose()
    return database_url


def test_build_prints_counts_and_seconds(stored: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["campaigns", "build", "--url", stored, "--date", DAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "campaign lists of 2027-02-20" in out
    line = next(x for x in out.splitlines() if "Renewals" in x)
    assert line.split()[1:5] == ["3", "candidates", "3", "entries"]
    assert line.rstrip().endswith(" s")
    assert "Idle" not in out
    assert main(["campaigns", "build", "--url", stored, "--date", DAY.isoformat(),
                 "--campaign", "Idle"]) == 0
    assert "Idle" in capsys.readouterr().out


def test_list_forms(stored: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["campaigns", "build", "--url", stored, "--date", DAY.isoformat()]) == 0
    capsys.readouterr()
    assert main(["campaigns", "list", "--url", stored, "--date", DAY.isoformat(),
                 "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(e["rank"], e["customer_id"], e["agent"]) for e in listed["entries"]] == [
        (1, 1, "kim"), (2, 2, "kim"), (3, 3, None)]
    assert listed["entries"][0]["params"] == {"days": 1}
    lee = ["campaigns", "list", "--url", stored, "--date", DAY.isoformat(),
           "--agent", "lee", "--campaign", "Renewals", "--limit", "1"]
    assert main(lee) == 0
    assert "entries of 2027-02-20: 0" in capsys.readouterr().out  # the pool is unclaimed
    engine = make_engine(stored)
    with Session(engine) as s:
        assert claim_batch(s, 2, DAY, NOW, ClaimPolicy(batch=5)) == 1
    assert main(lee) == 0
    out = capsys.readouterr().out
    assert "customer 3 " in out and "customer 1 " not in out
    with Session(engine) as s:
        logged = s.exec(select(CustomerAccess.customer_id)).all()
    engine.dispose()
    assert sorted(logged) == [1, 2, 3, 3]


@pytest.mark.parametrize(("argv", "message"), [
    (["build", "--date", "2027-02-30"], "--date must be a date"),
    (["build", "--campaign", "Nope"], "no campaign named 'Nope'"),
    (["list", "--campaign", "Nope"], "--campaign: no campaign named 'Nope'"),
    (["list", "--agent", "nobody"], "--agent: no agent with login 'nobody'"),
    (["list", "--limit", "0"], "--limit must be between 1 and 2000"),
])
def test_bad_input_is_one_line_and_exit_2(stored: str, capsys: pytest.CaptureFixture[str],
                                           argv: list[str], message: str) -> None:
    assert main(["campaigns", argv[0], "--url", stored, *argv[1:]]) == 2
    err = capsys.readouterr().err
    assert err.startswith("contactops campaigns: error: ") and message in err
    assert err.count("\n") == 1
