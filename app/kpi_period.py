"""Every service-standard KPI of a period, per group: interaction rows and agent time in,
:mod:`qa` figures out (``contactops kpis`` and the standards report read them here).

The database only selects; the figures are :mod:`qa.kpis` (service level, ASA, abandonment,
AHT over :class:`qa.records.ContactTable`), :mod:`qa.outcomes` (sales, complaints, surveys,
FCR, transfers, talk time, self-service over :class:`qa.outcomes.OutcomeRow` s, the interaction
row's outcome columns) and :func:`qa.kpis.total_occupancy` (agent state changes of the log).

Attribution (the group a contact counts in): the queue it arrived in; its tier group
(``vip`` / ``general``, :func:`qa.segments.segment_of`); the agent who first answered it
(the interaction row's agent), that agent's ``team`` and ``site`` (``none`` when no agent
answered); the interval it arrived in. A self-service end counts under its queue and interval
only (it has no tier or agent); agent time (occupancy) under the agent, team and site, and
for the whole center. FCR looks at the contacts up to ``fcr_days`` after the period for
repeats (:mod:`qa.outcomes`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlmodel import Session, col

from app.models import Agent, EventRecord, Interaction
from app.qa_report import (
    INBOUND_OUTCOME,
    MICROSECONDS,
    fetch_grid,
    in_period,
    index_names,
    micros_of,
)
from app.queries import as_utc
from qa.agent_time import AgentTimeBuilder
from qa.counts import KpiCounts, counts_by_group, ratio
from qa.kpis import (
    abandonment_rate,
    average_handle_time,
    average_speed_of_answer,
    service_level,
)
from qa.outcomes import (
    FCR_DAYS,
    OutcomeCounts,
    OutcomeRow,
    count_outcomes,
    outcome_figures,
)
from qa.records import OUTCOMES, ContactTable
from qa.segments import SEGMENTS, segment_of
from routing.events import TIERS, AgentStateChanged, event_from_json

#: Groupings of :func:`period_figures` (None: the whole center only).
BY = ("queue", "tier", "site", "agent", "team", "interval")
NO_AGENT = "none"
#: Agent state changes this long before the period are read, so the state an agent was in
#: when the period began is known.
STATE_LOOKBACK = timedelta(hours=12)


@dataclass(frozen=True)
class PeriodRows:
    """The period's interaction rows (and those up to ``fcr_days`` after, for FCR repeats)."""

    start: datetime
    end: datetime
    table: ContactTable  # inbound rows of the period
    inbound: dict[str, npt.NDArray[Any]]  # per inbound row of the table: queue, segment...
    outcome_rows: list[OutcomeRow]
    counted: list[bool]  # outcome row arrived in the period
    keys: dict[str, npt.NDArray[Any]]  # per outcome row: queue, segment, agent, team...


def read_rows(session: Session, start: datetime, end: datetime,
              fcr_days: float = FCR_DAYS) -> PeriodRows:
    """Select the rows of ``[start, end)`` and of the ``fcr_days`` after, every direction."""
    micros = micros_of(session)
    columns: list[Any] = [
        col(Interaction.queue), col(Interaction.tier), col(Interaction.outcome),
        micros(col(Interaction.arrived_at)), micros(col(Interaction.answered_at)),
        micros(col(Interaction.ended_at)), col(Interaction.handle_seconds),
        col(Agent.login), col(Agent.site), col(Agent.team), col(Interaction.direction),
        col(Interaction.contact_id), col(Interaction.transfers), col(Interaction.talk_seconds),
        col(Interaction.offers_made), col(Interaction.cross_sell_sales),
        col(Interaction.up_sell_sales), col(Interaction.sales), col(Interaction.sales_amount),
        col(Interaction.complaints), col(Interaction.survey_score),
        col(Interaction.customer_key), col(Interaction.reason),
    ]
    query = select(*columns).outerjoin(Agent, col(Interaction.agent_id) == col(Agent.id))
    until = end + timedelta(days=fcr_days)
    grid = fetch_grid(session, in_period(session, query, start, until, None), len(columns))
    arrived = grid[:, 3].astype(np.float64) / MICROSECONDS
    answered_at = grid[:, 4].astype(np.float64)
    end_s = as_utc(end).timestamp()
    inbound = grid[:, 10] == "inbound"
    code = np.fromiter((INBOUND_OUTCOME.get(o, -1) for o in grid[:, 2]), np.int64, len(grid))
    code[(code == OUTCOMES.index("answered")) & np.isnan(answered_at)] = -1
    answered = code == OUTCOMES.index("answered")
    served = np.where(inbound, answered, grid[:, 2] == "answered")
    agent = np.array([a if (a is not None and s) else NO_AGENT
                      for a, s in zip(grid[:, 7], served, strict=True)], dtype=object)
    site = np.array([x if (x is not None and s) else NO_AGENT
                     for x, s in zip(grid[:, 8], served, strict=True)], dtype=object)
    team = np.array([(x or NO_AGENT) if s and a is not None else NO_AGENT
                     for x, a, s in zip(grid[:, 9], grid[:, 7], served, strict=True)],
                    dtype=object)
    segment = np.array([segment_of(t) for t in grid[:, 1]], dtype=object)
    keys = {"queue": grid[:, 0], "tier": segment, "agent": agent, "site": site, "team": team,
            "arrived_at": arrived}
    served_list, arrived_list = served.tolist(), arrived.tolist()
    rows = [OutcomeRow(
        contact_id=str(r[11]), direction=str(r[10]), arrived_at=arrived_list[i],
        served=served_list[i], transfers=int(r[12] or 0),
        handle_seconds=None if r[6] is None or not served_list[i] else float(r[6]),
        talk_seconds=None if r[13] is None else float(r[13]),
        offers_made=int(r[14] or 0), cross_sell_sales=int(r[15] or 0),
        up_sell_sales=int(r[16] or 0), sales=int(r[17] or 0), sales_amount=float(r[18] or 0),
        complaints=int(r[19] or 0), survey_score=None if r[20] is None else int(r[20]),
        customer=r[21], reason=r[22],
    ) for i, r in enumerate(grid.tolist())]
    counted = (arrived < end_s).tolist()
    mine = inbound & (arrived < end_s)
    sub = grid[mine]
    q_names, q_index = index_names(sub[:, 0], ())
    t_names, t_index = index_names(sub[:, 1], TIERS)
    table = ContactTable.from_times(
        sub[:, 3].astype(np.float64), sub[:, 4].astype(np.float64),
        sub[:, 5].astype(np.float64), code[mine], q_index, t_index, q_names, t_names,
        handle_seconds=np.where(answered[mine], sub[:, 6].astype(np.float64), np.nan),
        ticks_per_second=MICROSECONDS)
    per_inbound = {k: v[mine] for k, v in keys.items()}
    return PeriodRows(start, end, table, per_inbound, rows, counted, keys)


def group_index(keys: dict[str, npt.NDArray[Any]], by: str, interval_seconds: int
                ) -> tuple[list[str], npt.NDArray[np.int64]]:
    """Group names (in name order; ``vip``, ``general`` for tiers) and each row's index."""
    if by == "tier":
        return index_names(keys["tier"], SEGMENTS)
    if by == "interval":
        slot = np.floor(keys["arrived_at"] / interval_seconds).astype(np.int64)
        labels = np.array([datetime.fromtimestamp(float(s * interval_seconds), UTC)
                           .strftime("%Y-%m-%dT%H:%M") for s in slot.tolist()], dtype=object)
        return index_names(labels, ())
    if by not in BY:
        raise ValueError(f"by must be one of {BY}, got {by!r}")
    return index_names(keys[by], ())


def service_counts(rows: PeriodRows, index: npt.NDArray[np.int64], n: int,
                   threshold: float | npt.NDArray[np.float64], short_abandon: float
                   ) -> list[KpiCounts]:
    """:class:`KpiCounts` of the period's inbound calls per group ``index``."""
    return counts_by_group(rows.table, index, n, threshold, short_abandon)


def self_service_events(session: Session, start: datetime, end: datetime
                        ) -> list[tuple[str, float, bool]]:
    """``(queue, at, completed)`` of the period's self-service ends (event log; the two
    fields read out of the JSON payload by the database)."""
    payload = col(EventRecord.payload)
    query = (select(payload["queue"].as_string(), col(EventRecord.at),
                    payload["completed"].as_boolean()).where(
        col(EventRecord.type) == "self_service_ended",
        col(EventRecord.at) >= as_utc(start).timestamp(),
        col(EventRecord.at) < as_utc(end).timestamp()))
    return [(str(queue or ""), float(at), bool(completed))
            for queue, at, completed in session.connection().execute(query)]


def agent_time(session: Session, start: datetime, end: datetime
               ) -> dict[str, tuple[float, float]]:
    """Per agent login, ``(busy, available)`` seconds inside ``[start, end)``
    (:class:`qa.agent_time.AgentTimeBuilder`: busy and idle states; not-ready is neither)."""
    t0, t1 = as_utc(start).timestamp(), as_utc(end).timestamp()
    query = (select(col(EventRecord.payload)).where(
        col(EventRecord.type) == "agent_state_changed",
        col(EventRecord.at) >= t0 - STATE_LOOKBACK.total_seconds(),
        col(EventRecord.at) < t1).order_by(col(EventRecord.seq)))
    builders: dict[str, AgentTimeBuilder] = {}
    for (payload,) in session.connection().execute(query):
        ev = event_from_json(payload)
        assert isinstance(ev, AgentStateChanged)
        b = builders.setdefault(ev.agent_id, AgentTimeBuilder(t1 - t0, 1))
        b.add(AgentStateChanged(ev.at - t0, ev.agent_id, ev.state))
    out = {}
    for login, b in builders.items():
        result = b.result(now=t1 - t0)
        out[login] = (float(result.busy_seconds.sum()), float(result.available_seconds.sum()))
    return out


def agent_directory(session: Session) -> dict[str, tuple[str, str]]:
    """login -> (site, team)."""
    rows = session.connection().execute(select(col(Agent.login), col(Agent.site),
                                               col(Agent.team))).all()
    return {login: (site or NO_AGENT, team or NO_AGENT) for login, site, team in rows}


def outcome_counts(rows: PeriodRows, by: str | None, interval_seconds: int = 3600,
                   fcr_days: float = FCR_DAYS) -> tuple[list[str], list[OutcomeCounts]]:
    """:class:`OutcomeCounts` of the period per group (``by`` None: one group, ``all``)."""
    if by is None:
        names, index = ["all"], np.zeros(len(rows.outcome_rows), np.int64)
    else:
        names, index = group_index(rows.keys, by, interval_seconds)
    return names, count_outcomes(rows.outcome_rows, index.tolist(), len(names), fcr_days,
                                 rows.counted)


def add_self_service(names: Sequence[str], counts: list[OutcomeCounts], by: str | None,
                     events: Sequence[tuple[str, float, bool]], interval_seconds: int) -> None:
    """Self-service ends into the groups that can hold them: all, queue, interval."""
    if by not in (None, "queue", "interval"):
        return
    position = {n: i for i, n in enumerate(names)}
    for queue, at, completed in events:
        if by is None:
            name = "all"
        elif by == "queue":
            name = queue
        else:
            keys = {"arrived_at": np.array([at])}
            name = group_index(keys, "interval", interval_seconds)[0][0]
        i = position.get(name)
        if i is not None:
            counts[i].self_service_entered += 1
            counts[i].self_service_completed += completed


def occupancy_of(times: dict[str, tuple[float, float]], directory: dict[str, tuple[str, str]],
                 by: str | None) -> dict[str, float]:
    """Occupancy ``busy / available`` per group of agents (``all`` for the center)."""
    sums: dict[str, list[float]] = {}
    for login, (busy, avail) in times.items():
        site, team = directory.get(login, (NO_AGENT, NO_AGENT))
        name = {None: "all", "agent": login, "site": site, "team": team}.get(by)
        if name is None:
            continue
        cell = sums.setdefault(name, [0.0, 0.0])
        cell[0] += busy
        cell[1] += avail
    return {n: ratio(b, a) for n, (b, a) in sums.items()}


def extra_figures(session: Session, start: datetime, end: datetime, by: str | None,
                  interval_seconds: int = 3600, fcr_days: float = FCR_DAYS,
                  rows: PeriodRows | None = None) -> dict[str, dict[str, float]]:
    """The :mod:`qa.outcomes` figures and occupancy of the period: ``{"all": {...}}`` and,
    with ``by``, one entry per group name (what ``contactops kpis`` adds to each group).

    From the rows: ``contactops kpis`` asks for UTC days, and the summaries the standards
    report reads (:mod:`app.outcome_summaries`) are kept per center day."""
    rows = rows or read_rows(session, start, end, fcr_days)
    events = self_service_events(session, start, end)
    times = agent_time(session, start, end)
    directory = agent_directory(session)
    out: dict[str, dict[str, float]] = {}
    for grouping in (None, by) if by is not None else (None,):
        names, counts = outcome_counts(rows, grouping, interval_seconds, fcr_days)
        add_self_service(names, counts, grouping, events, interval_seconds)
        occ = occupancy_of(times, directory, grouping)
        for name, c in zip(names, counts, strict=True):
            key = "all" if grouping is None else name
            out[key] = {**outcome_figures(c), "occupancy": occ.get(name, math.nan)}
    return out


def service_figures(c: KpiCounts) -> dict[str, float]:
    """SL (``A_T / N``), ASA, abandonment and AHT of one group."""
    return {"service_level": service_level(c), "asa_seconds": average_speed_of_answer(c),
            "abandon_rate": abandonment_rate(c), "aht_seconds": average_handle_time(c)}
