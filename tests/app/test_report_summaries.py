"""The report summaries give the rows' figures (SQLite and PostgreSQL, ``database_url``).

Random calls over six center days go through the event store (which keeps the summaries as it
writes rows); then every figure the /qa page shows, per queue and VIP/general, is compared
between the summaries and the rows (:func:`app.qa_report.inbound_figures`, the path before
the summaries): counts equal, sums of seconds equal to the last microsecond (the rows add
floats, the summaries whole microseconds). The summaries kept incrementally equal a rebuild
cell for cell, and rows written past the event store (an ORM session) are read from the rows.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.eventlog import SqlEventStore
from app.models import Interaction, InteractionSummary, InteractionSummaryStale, Queue
from app.qa_report import QueueInbound, inbound_figures
from app.queries import service_level_goals, start_of_center_day
from app.report_figures import inbound_figures_of_period, report_of_period, series_of_period
from app.report_summaries import rebuild_summaries
from app.testing import make_client, make_settings
from qa.kpis import SERVICE_LEVEL_DEFINITIONS, service_level
from qa.segments import SEGMENTS
from routing.events import (
    TIERS,
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    Event,
    WrapUpEnded,
)

QUEUES = ("cards", "deposits", "loans")
DAYS = 6
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def _random_events(rng: np.random.Generator, start: float, n: int) -> list[Event]:
    """``n`` calls over :data:`DAYS` days: answered (some wrapped up), abandoned (some within
    5 s), still waiting; waits of whole and fractional seconds, some exactly on a goal."""
    events: list[Event] = []
    for k in range(n):
        cid = f"c{k}"
        at = start + float(rng.uniform(0, DAYS * 86_400))
        at = round(at, int(rng.integers(0, 7)))
        queue = QUEUES[int(rng.integers(len(QUEUES)))]
        tier = TIERS[int(rng.integers(len(TIERS)))]
        wait = float(rng.choice([10.0, 20.0, 4.0, 5.0, round(float(rng.exponential(25)), 3),
                                 round(float(rng.exponential(300)), 6)]))
        fate = rng.random()
        events.append(ContactArrived(at, cid, queue, tier))
        if fate < 0.65:
            agent = f"agent{int(rng.integers(5)):02d}"
            events.append(ContactAnswered(at + wait, cid, agent, queue))
            if rng.random() < 0.9:
                talk = round(float(rng.exponential(120)), 3)
                events.append(ContactEnded(at + wait + talk, cid, agent, queue))
                if rng.random() < 0.8:
                    events.append(WrapUpEnded(at + wait + talk + 15.5, cid, agent))
        elif fate < 0.95:
            events.append(ContactAbandoned(at + wait, cid, queue))
    return sorted(events, key=lambda e: e.at)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    with make_client(make_settings(database_url)) as client:
        yield client.app.state.engine  # type: ignore[attr-defined]


def _seed(engine: Engine, seed: int = 7, n: int = 1500) -> tuple[datetime, datetime]:
    rng = np.random.default_rng(seed)
    since = start_of_center_day(NOW, DAYS)
    with Session(engine) as session:
        session.add(Queue(name="cards", skill="cards", service_level_goals={
            "platinum": {"threshold_seconds": 15, "target": 0.9},
            "core": {"threshold_seconds": 30, "target": 0.8}}))
        session.add(Queue(name="loans", skill="loans"))
        session.commit()
    events = _random_events(rng, since.timestamp(), n)
    store = SqlEventStore(engine, source="import")
    for i in range(0, len(events), 97):  # batches cut calls apart: rows change between appends
        store.append(events[i:i + 97])
    return since, start_of_center_day(NOW, -1)


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-11, abs=1e-6)


def _assert_same_figures(fast: list[QueueInbound], rows: list[QueueInbound]) -> None:
    assert [q.queue for q in fast] == [q.queue for q in rows]
    for f, r in zip(fast, rows, strict=True):
        for seg_f, seg_r in [(f.segments[s], r.segments[s]) for s in SEGMENTS] + [(f.total,
                                                                                    r.total)]:
            cf, cr = seg_f.counts, seg_r.counts
            for name in ("offered", "answered", "abandoned", "answered_within",
                         "abandoned_within", "short_abandoned", "unserved", "callback_failed",
                         "handled"):
                assert getattr(cf, name) == getattr(cr, name), (f.queue, name)
            assert seg_f.not_closed == seg_r.not_closed
            assert seg_f.thresholds_seconds == seg_r.thresholds_seconds
            for name in ("wait_answered_seconds", "wait_all_seconds", "handle_seconds"):
                assert _same(getattr(cf, name), getattr(cr, name)), (f.queue, name)
            for value_f, value_r in ((seg_f.service_level, seg_r.service_level),
                                     (seg_f.asa_seconds, seg_r.asa_seconds),
                                     (seg_f.abandon_rate, seg_r.abandon_rate),
                                     (seg_f.aht_seconds, seg_r.aht_seconds)):
                assert _same(value_f, value_r)
            for definition in SERVICE_LEVEL_DEFINITIONS:
                assert _same(service_level(cf, definition),  # type: ignore[arg-type]
                             service_level(cr, definition))  # type: ignore[arg-type]


def test_summaries_give_the_rows_figures(engine: Engine) -> None:
    since, until = _seed(engine)
    with Session(engine) as session:
        assert session.exec(select(InteractionSummaryStale)).first() is None  # all via the store
        goals = service_level_goals(session)
        for threshold, queue in [(None, None), (None, "cards"), (1.0, None), (5.0, "loans"),
                                 (20.0, None), (45.0, None), (130.0, None), (3600.0, None)]:
            for a, b in ((since, until), (start_of_center_day(NOW, 2), until),
                         (since, start_of_center_day(NOW, 3))):
                fast = inbound_figures_of_period(session, a, b, queue, goals, threshold)
                rows = inbound_figures(session, a, b, queue, goals, threshold)
                assert sum(q.total.counts.offered for q in rows) > 0
                _assert_same_figures(fast, rows)


def test_incremental_summaries_equal_a_rebuild(engine: Engine) -> None:
    _seed(engine, seed=11, n=800)

    def cells() -> dict[tuple[object, ...], tuple[int, ...]]:
        with Session(engine) as session:
            out = {}
            for c in session.exec(select(InteractionSummary)).all():
                sums = tuple(getattr(c, f) for f in ("offered", "answered", "abandoned",
                             "callback_failed", "unserved", "short_abandoned",
                             "wait_answered_micros", "wait_all_micros", "handled",
                             "handle_nanos", "not_closed"))
                if any(sums):
                    start = c.period_start.replace(tzinfo=UTC) if c.period_start.tzinfo is None \
                        else c.period_start.astimezone(UTC)
                    out[(c.grain, start, c.queue, c.tier, c.wait_bucket)] = sums
            return out

    kept = cells()
    assert kept
    assert rebuild_summaries(engine) > 0
    assert cells() == kept


def test_rows_written_past_the_store_are_read_from_the_rows(engine: Engine) -> None:
    since, until = _seed(engine, seed=3, n=400)
    day = start_of_center_day(NOW, 1) + timedelta(hours=3)
    with Session(engine) as session:
        for k in range(5):
            at = day + timedelta(minutes=k)
            session.add(Interaction(contact_id=f"orm{k}", queue="cards", tier="core",
                                    arrived_at=at, outcome="answered",
                                    answered_at=at + timedelta(seconds=3 * k)))
        session.commit()
        assert session.exec(select(InteractionSummaryStale)).first() is not None
        goals = service_level_goals(session)
        _assert_same_figures(inbound_figures_of_period(session, since, until, None, goals),
                             inbound_figures(session, since, until, None, goals))
    rebuild_summaries(engine)
    with Session(engine) as session:
        assert session.exec(select(InteractionSummaryStale)).first() is None
        _assert_same_figures(inbound_figures_of_period(session, since, until, None, goals),
                             inbound_figures(session, since, until, None, goals))


@pytest.mark.parametrize("grain", ["day", "interval"])
def test_report_series_equal_the_rows_per_step(engine: Engine, grain: str) -> None:
    since, until = _seed(engine, seed=5, n=600)
    if grain == "interval":
        since = start_of_center_day(NOW, 2)
        until = start_of_center_day(NOW, 1)
    with Session(engine) as session:
        goals = service_level_goals(session)
        series = series_of_period(session, since, until, grain, goals)  # type: ignore[arg-type]
        _assert_same_figures(
            report_of_period(session, since, until, grain, goals)[1],  # type: ignore[arg-type]
            inbound_figures(session, since, until, None, goals))
        assert len(series.starts) == (DAYS + 1 if grain == "day" else 48)
        steps = [*series.starts[1:], until]
        checked = 0
        for start, end, counts in zip(series.starts, steps, series.counts, strict=True):
            rows = inbound_figures(session, start, end, None, goals)
            total = sum((q.total.counts for q in rows), type(counts)())
            assert (counts.offered, counts.answered, counts.abandoned, counts.answered_within,
                    counts.handled) == (total.offered, total.answered, total.abandoned,
                                        total.answered_within, total.handled)
            assert _same(counts.wait_answered_seconds, total.wait_answered_seconds)
            checked += counts.offered
        assert checked > 0
