"""The standards report from the summaries (:mod:`app.outcome_summaries`) gives the rows'
figures (SQLite and PostgreSQL, ``database_url``).

Random contacts (inbound and outbound, every outcome, sales, complaints, surveys, customers who
call again for the same reason, agents in three teams and one not in the agent table) are
written straight into ``interaction`` and summed by ``rebuild_summaries``, or through the event
store (which keeps the summaries as it writes, batch by batch). The report of each period and
scope is then computed both ways (``from_rows=True``: the row-by-row path) and compared line by
line: the same groups, KPIs and standards; counts and every figure of counts equal exactly,
figures over sums of seconds equal to rounding (the rows add floats, the cells whole
nanoseconds). Edge cases: no rows, a period cut mid-quarter, FCR repeats across the period's
end, an agent moved to another team, rows written past the store (stale days).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import Engine, insert, update
from sqlmodel import Session, col, select

from app import standards_store
from app.eventlog import SqlEventStore
from app.models import (
    Agent,
    Interaction,
    InteractionOutcomeSummary,
    InteractionSummaryStale,
    ServiceStandard,
)
from app.outcome_period import period_sums
from app.outcome_summaries import SUM_FIELDS
from app.queries import CENTER_TZ
from app.report_summaries import rebuild_summaries
from app.standards_store import StandardsReport, center_bounds, standards_report
from app.testing import make_client, make_settings
from routing.events import (
    TIERS,
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    Event,
    WrapUpEnded,
)

FIRST = date(2026, 3, 20)
DAYS = 24  # to 2026-04-12: across the end of Q1
TEAMS = ("team-a", "team-b", "team-c")
#: figures over float sums (the rest are counts and ratios of counts: exactly equal)
SUMMED = {"asa_seconds", "aht_seconds", "talk_time_ratio"}


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    with make_client(make_settings(database_url)) as client:
        yield client.app.state.engine  # type: ignore[attr-defined]


def _agents(engine: Engine) -> list[int]:
    with Session(engine) as session:
        agents = [Agent(login=f"agent{i}", name=f"A{i}", team=TEAMS[i % 3],
                        site=("seoul", "busan")[i % 2]) for i in range(6)]
        session.add_all(agents)
        session.commit()
        return [a.id or 0 for a in agents]


def _standards(engine: Engine, threshold: float = 20.0) -> None:
    rows = []
    for kpi, target, warn, alert in (
        ("service_level", 0.8, 0.7, 0.6), ("asa_seconds", 20, 30, 40),
        ("first_contact_resolution", 0.8, 0.7, 0.6), ("transfer_rate", 0.1, 0.2, 0.3),
        ("aht_seconds", 200, 250, 300), ("complaint_ratio", 0.01, 0.02, 0.05),
        ("talk_time_ratio", 0.8, 0.7, 0.6), ("satisfaction_mean", 4, 3.5, 3),
    ):
        for quarter, scope, scope_id in ((0, "center", ""), (1, "center", ""),
                                         (0, "team", "team-a"), (0, "team", "team-c"),
                                         (2, "agent", "agent1"), (0, "agent", "agent4")):
            rows.append({"kpi": kpi, "segment": "all", "year": 2026, "quarter": quarter,
                         "scope": scope, "scope_id": scope_id, "target": target, "warn": warn,
                         "alert": alert, "updated_by": "test", "updated_at": datetime.now(UTC),
                         "threshold_seconds": threshold if kpi == "service_level" else None})
    rows.append({**rows[0], "segment": "vip", "threshold_seconds": 10.0})
    with engine.begin() as conn:
        conn.execute(insert(ServiceStandard), rows)


def _at(day: int, seconds: float) -> datetime:
    midnight = datetime.combine(FIRST + timedelta(days=day), datetime.min.time(), CENTER_TZ)
    return midnight.astimezone(UTC) + timedelta(seconds=seconds)


def _rows(rng: np.random.Generator, ids: list[int], n: int) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for i in range(n):
        day = int(rng.integers(-2, DAYS + 3))
        at = _at(day, round(float(rng.uniform(0, 86_400)), int(rng.integers(0, 7))))
        outbound = rng.random() < 0.15
        fate = rng.random()
        wait = float(rng.choice([0.0, 10.0, 20.0, 4.0, round(float(rng.exponential(30)), 4),
                                 round(float(rng.exponential(900)), 6)]))
        answered = fate < 0.7
        outcome = ("answered" if answered else "abandoned" if fate < 0.9 else
                   "callback_failed" if fate < 0.95 else "")
        if outbound:
            outcome = "answered" if answered else "no_answer"
        talk = round(float(rng.exponential(150)), 3)
        no_answer_time = answered and rng.random() < 0.03  # "answered" without answered_at
        out.append({
            "contact_id": f"r{i}", "queue": ("cards", "loans")[i % 2],
            "direction": "outbound" if outbound else "inbound",
            "tier": TIERS[int(rng.integers(len(TIERS)))],
            "agent_id": (int(rng.choice([*ids, 999])) if answered or rng.random() < 0.2
                         else None),
            "arrived_at": at,
            "answered_at": (at + timedelta(seconds=wait)
                            if answered and not no_answer_time else None),
            "ended_at": at + timedelta(seconds=wait + (talk if answered else 0)),
            "outcome": outcome,
            "handle_seconds": talk + 12.5 if answered and rng.random() < 0.9 else None,
            "talk_seconds": talk if rng.random() < 0.9 else None,
            "transfers": int(rng.integers(0, 3)) if rng.random() < 0.2 else 0,
            "reason": str(rng.choice(["card", "fees", "loan", ""])) or None,
            "customer_key": str(int(rng.integers(0, 60))) if rng.random() < 0.9 else None,
            "offers_made": int(rng.integers(0, 3)), "cross_sell_sales": int(rng.random() < 0.1),
            "up_sell_sales": int(rng.random() < 0.05), "sales": int(rng.random() < 0.15),
            "sales_amount": round(float(rng.exponential(5000)), 2),
            "complaints": int(rng.random() < 0.03),
            "survey_score": int(rng.integers(1, 6)) if rng.random() < 0.3 else None,
        })
    return out


def _seed_rows(engine: Engine, seed: int = 1, n: int = 1500) -> None:
    ids = _agents(engine)
    _standards(engine)
    with engine.begin() as conn:  # past the ORM: no stale marks, summed by the rebuild
        conn.execute(insert(Interaction), _rows(np.random.default_rng(seed), ids, n))
    rebuild_summaries(engine)


def _same(a: float | None, b: float | None, summed: bool) -> bool:
    if a is None or b is None:
        return a is b
    if summed:
        return a == pytest.approx(b, rel=1e-11, abs=1e-9)
    return a == b or (math.isnan(a) and math.isnan(b))


def _assert_same_report(fast: StandardsReport, rows: StandardsReport) -> int:
    """The reports agree line by line; returns how many lines have a figure."""
    assert [(x.group, x.segment, x.evaluation.kpi, x.evaluation.standard) for x in fast.lines] \
        == [(x.group, x.segment, x.evaluation.kpi, x.evaluation.standard) for x in rows.lines]
    known = 0
    for f, r in zip(fast.lines, rows.lines, strict=True):
        df, dr = f.as_dict(), r.as_dict()
        summed = f.evaluation.kpi in SUMMED
        for key in ("actual", "attainment"):
            assert _same(df[key], dr[key], summed), (f.group, f.evaluation.kpi, key, df, dr)  # type: ignore[arg-type]
        assert (df["level"], df["met"]) == (dr["level"], dr["met"]), (f.group, df, dr)
        known += df["actual"] is not None
    return known


def _both(engine: Engine, first: date, last: date, scope: str,
          monkeypatch: pytest.MonkeyPatch) -> int:
    with Session(engine) as session:
        rows = standards_report(session, first, last, scope, from_rows=True)  # type: ignore[arg-type]
        with monkeypatch.context() as m:  # the summaries' path reads no row of the period
            m.setattr(standards_store, "read_rows", _no_rows)
            fast = standards_report(session, first, last, scope)  # type: ignore[arg-type]
    return _assert_same_report(fast, rows)


def _no_rows(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("the report read the rows")


PERIODS = [
    (FIRST, FIRST + timedelta(days=DAYS - 1)),  # the whole span, across two quarters
    (date(2026, 3, 25), date(2026, 3, 31)),  # ends a quarter: repeats in April count
    (date(2026, 4, 2), date(2026, 4, 9)),  # cut mid-quarter
    (date(2026, 3, 22), date(2026, 3, 22)),  # one day
    (date(2026, 6, 1), date(2026, 6, 30)),  # no rows
]


@pytest.mark.parametrize("scope", ["center", "team", "agent"])
def test_report_from_summaries_equals_the_rows(engine: Engine, scope: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _seed_rows(engine)
    known = [_both(engine, a, b, scope, monkeypatch) for a, b in PERIODS]
    assert all(k > 0 for k in known[:4]), known  # real figures, not NaN on both sides
    with Session(engine) as session:
        a, b = center_bounds(*PERIODS[1])
        sums = period_sums(session, a, b)
        assert sums is not None
        repeated = sums.sums[:, SUM_FIELDS.index("o_fcr_repeated")].sum()
        assert 0 < repeated < sums.sums[:, SUM_FIELDS.index("o_fcr_eligible")].sum()


def test_an_agent_moved_to_another_team_counts_with_the_new_team(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    _seed_rows(engine, seed=2, n=900)
    first, last = PERIODS[0]
    _both(engine, first, last, "team", monkeypatch)
    with engine.begin() as conn:
        conn.execute(update(Agent).where(col(Agent.login) == "agent0").values(team="team-b"))
        conn.execute(update(Agent).where(col(Agent.login) == "agent5").values(team="team-new"))
    _both(engine, first, last, "team", monkeypatch)
    with Session(engine) as session:
        groups = {x.group for x in standards_report(session, first, last, "team").lines}
    assert {"team-a", "team-b", "team-new"} <= groups  # agent5's contacts moved with them


def test_a_threshold_off_the_grid_reads_the_rows(engine: Engine,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    ids = _agents(engine)
    _standards(engine, threshold=20.5)
    with engine.begin() as conn:
        conn.execute(insert(Interaction), _rows(np.random.default_rng(4), ids, 300))
    rebuild_summaries(engine)
    with Session(engine) as session:
        first, last = PERIODS[0]
        rows = standards_report(session, first, last, from_rows=True)
        _assert_same_report(standards_report(session, first, last), rows)


def _events(rng: np.random.Generator, n: int, start: int) -> list[Event]:
    """Inbound calls with customers who call again for the same reason within days."""
    events: list[Event] = []
    for k in range(start, start + n):
        cid = f"e{k}"
        at = _at(int(rng.integers(0, 12)), float(rng.uniform(0, 86_400)))
        queue = ("cards", "loans")[k % 2]
        tier = TIERS[int(rng.integers(len(TIERS)))]
        customer = f"cust{int(rng.integers(0, 25))}"
        wait = float(rng.choice([3.0, 10.0, 20.0, round(float(rng.exponential(25)), 3)]))
        events.append(ContactArrived(at.timestamp(), cid, queue, tier, customer_id=customer))
        if rng.random() < 0.8:
            agent = f"agent{int(rng.integers(6))}"
            t = at.timestamp() + wait
            events.append(ContactAnswered(t, cid, agent, queue))
            talk = round(float(rng.exponential(120)), 3)
            events.append(ContactEnded(t + talk, cid, agent, queue))
            events.append(WrapUpEnded(t + talk + 10, cid, agent,
                                      reason=str(rng.choice(["card", "fees"]))))
        else:
            events.append(ContactAbandoned(at.timestamp() + wait, cid, queue))
    return sorted(events, key=lambda e: e.at)


def _cells(engine: Engine) -> dict[tuple[object, ...], tuple[int, ...]]:
    with Session(engine) as session:
        out: dict[tuple[object, ...], tuple[int, ...]] = {}
        for c in session.exec(select(InteractionOutcomeSummary)).all():
            sums = tuple(getattr(c, f) for f in SUM_FIELDS)
            if any(sums):
                day = c.day.replace(tzinfo=UTC) if c.day.tzinfo is None else c.day.astimezone(UTC)
                out[(day, c.queue, c.tier, c.agent_id, c.wait_bucket)] = sums
        return out


def test_the_event_store_keeps_the_cells_a_rebuild_makes(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    _agents(engine)
    _standards(engine)
    rng = np.random.default_rng(9)
    store = SqlEventStore(engine, source="import")
    events = _events(rng, 500, 0)
    for i in range(0, len(events), 89):  # batches cut calls apart: rows change between appends
        store.append(events[i:i + 89])
    store.append(_events(rng, 150, 500))  # one bulk batch of new contacts, repeats among them
    with Session(engine) as session:
        assert session.exec(select(InteractionSummaryStale)).first() is None
    kept = _cells(engine)
    assert kept
    for a, b in ((FIRST, FIRST + timedelta(days=4)), (FIRST, FIRST + timedelta(days=11))):
        for scope in ("center", "agent"):
            assert _both(engine, a, b, scope, monkeypatch) > 0
    rebuild_summaries(engine)
    assert _cells(engine) == kept


def test_rows_written_past_the_store_are_read_from_the_rows(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    _seed_rows(engine, seed=3, n=600)
    with Session(engine) as session:  # an ORM write: a repeat that changes FCR days before
        session.add(Interaction(
            contact_id="orm1", queue="cards", tier="core", agent_id=1, customer_key="7",
            reason="fees", arrived_at=_at(10, 3600), answered_at=_at(10, 3610),
            ended_at=_at(10, 3700), outcome="answered", handle_seconds=100.0))
        session.commit()
        assert session.exec(select(InteractionSummaryStale)).first() is not None
    for a, b in PERIODS[:4]:
        _both(engine, a, b, "center", monkeypatch)
        _both(engine, a, b, "agent", monkeypatch)
