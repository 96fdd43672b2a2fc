"""SqlEventStore: durable append, ordered replay, interaction projection (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, SQLModel, select

from app.db import make_engine
from app.eventlog import SqlEventStore, check_storable, interaction_values
from app.models import Agent, EventRecord, Interaction
from qa.records import RecordBuilder
from routing.events import (
    AgentStateChanged,
    CallbackScheduled,
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    ContactHeld,
    ContactOffered,
    ContactQueued,
    EventFormatError,
    PromiseToPay,
    WrapUpEnded,
)

T0 = 1_764_000_000.0


@pytest.fixture
def store(database_url: str):  # type: ignore[no-untyped-def]
    """A store on the migrated schema (what production runs)."""
    from app.testing import create_schema

    create_schema(database_url)
    engine = make_engine(database_url)
    yield SqlEventStore(engine)
    engine.dispose()


def _call(contact: str, agent: str, t: float) -> list:  # type: ignore[type-arg]
    return [
        ContactArrived(at=t, contact_id=contact, queue="deposits", tier="gold", customer_id="42"),
        ContactQueued(at=t, contact_id=contact, queue="deposits", priority=2),
        ContactOffered(at=t + 1, contact_id=contact, agent_id=agent, queue="deposits"),
        ContactAnswered(at=t + 4, contact_id=contact, agent_id=agent, queue="deposits"),
        ContactEnded(at=t + 124, contact_id=contact, agent_id=agent, queue="deposits"),
        WrapUpEnded(at=t + 154, contact_id=contact, agent_id=agent, disposition="resolved"),
    ]


def test_append_returns_ascending_seqs_and_replays_in_order(store: SqlEventStore) -> None:
    first = _call("c1", "agent01", T0)
    second = [AgentStateChanged(at=T0 + 200, agent_id="agent01", state="ready", previous="wrap_up")]
    seqs1 = store.append(first)
    seqs2 = store.append(second)
    assert seqs1 == list(range(1, 7))
    assert seqs2 == [7]
    assert [e for _, e in store.replay()] == first + second
    assert [s for s, _ in store.replay(after_seq=4)] == [5, 6, 7]
    assert store.last_seq() == 7
    assert store.append([]) == []


def test_replay_pages_through_long_logs(store: SqlEventStore) -> None:
    events = [AgentStateChanged(at=T0 + i, agent_id="a", state="ready") for i in range(2503)]
    store.append(events)
    replayed = list(store.replay())
    assert [s for s, _ in replayed] == list(range(1, 2504))
    assert [e for _, e in replayed] == events
    assert [s for s, _ in store.read(after_seq=10, limit=3)] == [11, 12, 13]


def test_appended_events_survive_a_new_engine(database_url: str) -> None:
    engine = make_engine(database_url)
    SQLModel.metadata.create_all(engine)  # the models' own DDL: BIGINT keys, no rowid alias
    SqlEventStore(engine).append(_call("c9", "agent02", T0))
    engine.dispose()
    again = make_engine(database_url)
    assert [e.type_name for _, e in SqlEventStore(again).replay()][:2] == [
        "contact_arrived", "contact_queued"]
    with Session(again) as session:
        rows = session.exec(select(EventRecord).order_by(EventRecord.seq)).all()
        assert rows[0].contact_id == "c9" and rows[0].payload["tier"] == "gold"
        assert rows[3].agent_id == "agent02" and rows[3].source == "live"
    again.dispose()


def test_projection_one_row_per_contact_with_timestamps(store: SqlEventStore) -> None:
    with Session(store.engine) as session:
        session.add(Agent(login="agent01", name="Kim"))
        session.commit()
        agent_pk = session.exec(select(Agent.id)).one()
    store.append(_call("c1", "agent01", T0))
    store.append([ContactArrived(at=T0 + 5, contact_id="c1", queue="deposits")])  # duplicate
    with Session(store.engine) as session:
        rows = session.exec(select(Interaction)).all()
    assert len(rows) == 1
    row = rows[0]
    assert row.contact_id == "c1" and row.queue == "deposits" and row.tier == "gold"
    assert row.customer_id == 42 and row.agent_id == agent_pk
    assert row.outcome == "answered" and row.disposition == "resolved"
    assert row.arrived_at.replace(tzinfo=UTC) == datetime.fromtimestamp(T0, UTC)
    assert row.answered_at.replace(tzinfo=UTC).timestamp() == pytest.approx(T0 + 4)
    assert row.ended_at.replace(tzinfo=UTC).timestamp() == pytest.approx(T0 + 124)
    assert row.handle_seconds == pytest.approx(150.0)  # talk 120 + wrap-up 30


def test_projection_of_abandon_and_callback(store: SqlEventStore) -> None:
    store.append([
        ContactArrived(at=T0, contact_id="a1", queue="cards"),
        ContactAbandoned(at=T0 + 30, contact_id="a1", queue="cards"),
        ContactArrived(at=T0, contact_id="b1", queue="cards", tier="platinum"),
        CallbackScheduled(at=T0 + 60, contact_id="b1", queue="cards"),
        ContactAnswered(at=T0, contact_id="unknown", agent_id="x"),  # never arrived: stored only
    ])
    with Session(store.engine) as session:
        rows = {r.contact_id: r for r in session.exec(select(Interaction)).all()}
    assert set(rows) == {"a1", "b1"}
    assert rows["a1"].outcome == "abandoned" and rows["a1"].answered_at is None
    assert rows["b1"].outcome == "callback"
    assert store.last_seq() == 5


def test_failed_append_stores_nothing(store: SqlEventStore) -> None:
    good = ContactArrived(at=T0, contact_id="ok", queue="q")
    bad = ContactArrived(at=T0, contact_id="x" * 41, queue="q")
    with pytest.raises(EventFormatError, match="contact_id"):
        store.append([good, bad])
    assert list(store.replay()) == []
    with pytest.raises(EventFormatError, match="queue"):
        check_storable(ContactQueued(at=0, contact_id="c", queue="q" * 50))


def _any_event():  # type: ignore[no-untyped-def]
    import dataclasses

    from hypothesis import strategies as st

    from routing.events import EVENT_TYPES, field_choices

    # NUL and lone surrogates are refused by check_storable (tested below), not stored
    text = st.text(
        st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=40
    )
    by_type = {
        "str": text, "str | None": st.none() | text, "int": st.integers(-(2**31), 2**31),
        "bool": st.booleans(), "float": st.floats(-1e12, 1e12, allow_nan=False),
        "float | None": st.none() | st.floats(-1e12, 1e12, allow_nan=False),
    }
    choices = []
    for cls in EVENT_TYPES:
        fields = {f.name: by_type.get(str(f.type)) for f in dataclasses.fields(cls)}
        for name, values in field_choices(cls).items():  # Literal fields: one of their values
            optional = "None" in str(next(f.type for f in dataclasses.fields(cls)
                                          if f.name == name))
            fields[name] = (st.none() if optional else st.nothing()) | st.sampled_from(values)
        fields["at"] = st.floats(0.0, 9.9e9)
        if cls.type_name == "promise_to_pay":  # routing.events.check_values: a real promise
            fields["amount"] = st.floats(0.01, 1e12)
            fields["due_on"] = st.dates().map(lambda d: d.isoformat())
        choices.append(st.builds(cls, **fields))
    return st.one_of(choices)


def test_any_event_survives_the_log_unchanged(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Property: append then replay gives back exactly the events, in order (SQLite)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    engine = make_engine(f"sqlite:///{tmp_path / 'prop.db'}")
    SQLModel.metadata.create_all(engine)
    store = SqlEventStore(engine)

    @settings(max_examples=60, deadline=None)
    @given(st.lists(_any_event(), min_size=1, max_size=6))
    def check(events: list) -> None:  # type: ignore[type-arg]
        last = store.last_seq()
        seqs = store.append(events)
        assert seqs == list(range(last + 1, last + 1 + len(events)))
        assert [e for _, e in store.replay(last)] == events

    check()
    with pytest.raises(EventFormatError, match="at must be"):
        store.append([ContactArrived(at=1e12, contact_id="c", queue="q")])
    with pytest.raises(EventFormatError, match="promise_to_pay.due_on"):
        store.append([PromiseToPay(1.0, "c", "a", "7", 10.0, "soon")])
    with pytest.raises(EventFormatError, match="finite"):
        store.append([ContactArrived(at=float("nan"), contact_id="c", queue="q")])
    with pytest.raises(EventFormatError, match="contact_held.agent_id must be valid Unicode"):
        store.append([ContactHeld(at=1.0, contact_id="c", agent_id="\ud800")])
    engine.dispose()


def test_the_row_is_the_contact_record(store: SqlEventStore) -> None:
    """The interaction row is qa's record of the contact: the first agent who answered, the
    handle time once the wrap-up is over, the outcome as ContactRecord.status says it."""
    from app.eventlog import interaction_values
    from qa.records import records_from_events
    from routing.events import ContactTransferred, DialAttempted, DialResult

    t = T0
    log = [
        ContactArrived(t, "x1", "deposits", "platinum", customer_id="9"),
        ContactAnswered(t + 5, "x1", "agent01", "deposits"),
        ContactTransferred(t + 60, "x1", "agent01", "cards"),
        WrapUpEnded(t + 70, "x1", "agent01"),
        ContactAnswered(t + 80, "x1", "agent02", "cards"),
        ContactEnded(t + 200, "x1", "agent02", "cards"),
    ]
    store.append(log[:4])
    store.append(log[4:])
    with Session(store.engine) as session:
        row = session.exec(select(Interaction).where(Interaction.contact_id == "x1")).one()
    assert row.outcome == "answered" and row.handle_seconds is None  # wrap-up not over
    store.append([WrapUpEnded(t + 215, "x1", "agent02", disposition="moved")])
    store.append([DialAttempted(t, "o1", "sales", "5"), DialResult(t + 9, "o1", "sales", "busy")])
    record = {r.contact_id: r for r in records_from_events(log + [
        WrapUpEnded(t + 215, "x1", "agent02", disposition="moved")])}["x1"]
    with Session(store.engine) as session:
        rows = {r.contact_id: r for r in session.exec(select(Interaction)).all()}
    x1 = rows["x1"]
    # talk 5 -> 60 and 80 -> 200, wrap-ups 60 -> 70 and 200 -> 215; the wait 60 -> 80 is not
    assert x1.handle_seconds == pytest.approx(200.0) == record.handle_seconds
    assert (x1.disposition, x1.tier, x1.customer_id) == ("moved", "platinum", 9)
    assert x1.queue == "deposits" and x1.outcome == interaction_values(record)["outcome"]
    assert (rows["o1"].direction, rows["o1"].queue, rows["o1"].outcome) == (
        "outbound", "sales", "busy")


def _rows(store: SqlEventStore) -> dict[str, dict[str, object]]:
    with Session(store.engine) as session:
        return {r.contact_id: r.model_dump(exclude={"id"})
                for r in session.exec(select(Interaction)).all()}


def test_incremental_rows_equal_rows_folded_from_the_log(database_url: str) -> None:
    """Appending one event at a time (the kept record folded on), with a second store
    writing the same contacts in between (its events unknown to the first), and a rolled
    back append, gives the rows a fold of each contact's whole log gives."""
    from app.testing import create_schema

    create_schema(database_url)
    engine = make_engine(database_url)
    one, other = SqlEventStore(engine), SqlEventStore(engine, kept_contacts=0)
    calls = [_call(f"c{k}", "agent01", T0 + 300 * k) for k in range(3)]
    for step in range(6):
        for k, call in enumerate(calls):
            writer = other if (step + k) % 4 == 3 else one
            writer.append([call[step]])
        if step == 2:
            with pytest.raises(ValueError):  # refused before anything is stored
                one.append([ContactHeld(at=float("nan"), contact_id="c0", agent_id="agent01")])
    rows = _rows(one)
    folded = RecordBuilder().extend(e for _, e in one.replay()).records
    assert set(rows) == set(folded) == {"c0", "c1", "c2"}
    for contact, record in folded.items():
        want = interaction_values(record)
        got = {k: rows[contact][k] for k in want}
        for k in ("arrived_at", "answered_at", "ended_at"):  # SQLite reads back naive UTC
            if got[k] is not None and got[k].tzinfo is None:
                got[k] = got[k].replace(tzinfo=UTC)
        assert got == want, contact
    assert rows["c1"]["handle_seconds"] == 150.0
    engine.dispose()
