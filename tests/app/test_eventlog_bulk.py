"""SqlEventStore.append_many (the importers' bulk path) stores what append stores: the same
events in the same order, the same interaction rows and the same report-summary cells, for
fresh contacts, contacts the log already holds, and mid-call fragments."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from app.db import make_engine
from app.eventlog import SqlEventStore
from app.models import Interaction, InteractionSummary
from routing.events import ContactAbandoned, ContactArrived, ContactEnded, Event
from tests.app.test_eventlog import T0, _call


@pytest.fixture
def stores(database_url: str):  # type: ignore[no-untyped-def]
    from app.testing import create_schema

    create_schema(database_url)
    engine = make_engine(database_url)
    yield SqlEventStore(engine, source="import"), engine
    engine.dispose()


def _state(engine: Any, source: str) -> tuple[list[Any], list[Any], list[Any]]:
    from app.eventlog import _EVENTS

    with engine.connect() as conn:
        events = [(t, c, p) for t, c, p in conn.execute(
            select(_EVENTS.c.type, _EVENTS.c.contact_id, _EVENTS.c.payload)
            .where(_EVENTS.c.source == source).order_by(_EVENTS.c.seq))]
        inter = InteractionSummary.__table__  # type: ignore[attr-defined]
        rows = [tuple(r) for r in conn.execute(
            select(Interaction.__table__).order_by(  # type: ignore[attr-defined]
                Interaction.__table__.c.contact_id))]  # type: ignore[attr-defined]
        cells = [tuple(r)[1:] for r in conn.execute(select(inter).order_by(
            inter.c.grain, inter.c.period_start, inter.c.queue, inter.c.tier,
            inter.c.wait_bucket))]
    return events, [r[1:] for r in rows], cells


def _batches(prefix: str) -> list[list[Event]]:
    first = _call(f"{prefix}a", "agent01", T0)
    return [
        first[:3],  # contact a starts in one batch ...
        [*first[3:], *_call(f"{prefix}b", "agent02", T0 + 10),  # ... and ends in the next
         ContactArrived(T0 + 20, f"{prefix}c", "loans"), ContactAbandoned(T0 + 50, f"{prefix}c",
                                                                          "loans"),
         ContactEnded(T0 + 60, f"{prefix}x", "agent03", "loans")],  # a fragment: no row
        [*(e for i in range(30) for e in _call(f"{prefix}m{i}", "agent01", T0 + 100 * i))],
    ]


def test_append_many_stores_what_append_stores(stores: Any) -> None:
    store, engine = stores
    one = SqlEventStore(engine, source="one")
    for batch in _batches("p"):
        seqs_one = one.append(batch)
        assert seqs_one == sorted(seqs_one)
    by_one = _state(engine, "one")
    with engine.begin() as conn:  # start again empty, then the bulk path
        for table in ("interaction_summary", "interaction_summary_stale", "interaction",
                      "event_log"):
            conn.exec_driver_sql(f"DELETE FROM {table}")
    for batch in _batches("p"):
        seqs = store.append_many(batch)
        assert seqs == sorted(seqs) and len(seqs) == len(batch)
    events, rows, cells = _state(engine, "import")
    assert events == by_one[0]
    assert rows == by_one[1] and len(rows) == 33
    assert cells == by_one[2] and cells
    # a later one-by-one append continues a bulk-stored contact
    store.append([ContactArrived(T0 + 9000, "pz", "loans")])
    assert store.append_many([ContactAbandoned(T0 + 9030, "pz", "loans")])
    with engine.connect() as conn:
        outcome = conn.execute(select(Interaction.__table__.c.outcome).where(  # type: ignore[attr-defined]
            Interaction.__table__.c.contact_id == "pz")).scalar_one()  # type: ignore[attr-defined]
    assert outcome == "abandoned"
