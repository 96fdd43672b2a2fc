"""`contactops kpis --from DATE --to DATE [--threshold T] [--short-abandon S] [--by G] [--json]`.

Service KPIs of the inbound calls that arrived from ``--from`` 00:00 to the end of ``--to``
(both dates included, UTC) in the configured database (``CONTACTOPS_DATABASE_URL``), for
all calls and, with ``--by``, per group:

* ``queue``: the arrival queue of the interaction row;
* ``tier``: the tier group, ``vip`` or ``general`` (:func:`qa.segments.segment_of`);
* ``site``: the site of the agent who answered (``none`` for calls no agent answered);
* ``agent``: the login of the agent who answered (``none`` likewise);
* ``team``: the team of the agent who answered (``none`` likewise);
* ``interval``: the arrival interval of ``--interval-minutes`` (default 60), by its start.

Each group has ``offered``, ``answered``, ``abandoned``, ``abandon_rate``, ``asa_seconds``
and ``service_level`` keyed by the five definitions of :func:`qa.kpis.service_level`
(every formula is :func:`qa.kpis.kpi_figures`); "within" is a wait ``<= T`` seconds, a
short abandon one after ``< S`` seconds. The rows are read as the QA page reads them
(:mod:`app.qa_report`): an interaction's outcome ``answered`` (or ``interrupted`` with an
answer) is answered, ``abandoned`` abandoned, calls still waiting are not offered.
A rate with nothing to count is ``null`` in JSON and ``-`` in the table.

Each group (and ``all``) also carries the other service-standard KPIs
(:mod:`app.kpi_period`, formulas in :mod:`qa.outcomes`): ``offers_per_call``,
``cross_sell_per_call``, ``up_sell_per_call``, ``outbound_positive_ratio``,
``self_service_ratio`` (all, queue and interval only), ``complaint_ratio``,
``satisfaction_mean``, ``satisfaction_top_two_box``, ``first_contact_resolution`` (a repeat
within ``--fcr-days``, default 7, read past ``--to``), ``transfer_rate``, ``talk_time_ratio``,
``aht_seconds`` and ``occupancy`` (all, agent, team and site only).

And the outbound KPIs (:mod:`app.outbound_period`, formulas in :mod:`qa.outbound_kpis` and
:mod:`qa.promises`) of the outbound contacts dialled in the period, in ``all`` and, with
``--by agent``, ``team`` or ``site``, per group (agents with outbound work only are groups
too; ``null`` under the other groupings): ``outbound_dials``, ``outbound_connects``,
``right_party_contacts``, ``third_party_contacts``, ``wrong_party_contacts``,
``party_unknown``, ``outbound_sales``, ``outbound_sales_amount``, ``outbound_work_hours``,
``contacts_per_hour``, ``rpc_per_hour``, ``right_party_rate``, ``conversion``,
``promises_to_pay``, ``promise_to_pay_rate``, ``promises_kept``, ``promises_broken``,
``promises_pending``, ``promise_kept_ratio`` and ``kept_amount_ratio`` (promises judged on
today's date with the payments imported so far, ``contactops import payments``).

Outbound dials are counted apart (they are not offered calls): ``dials`` gives, per campaign
and for ``all``, the dials placed in the period by result (``dials``, ``connected``,
``abandoned``, ...), the ``connect_rate`` and the ``dialler_abandon_rate``
(:mod:`qa.dials`, read as the QA page reads them: :func:`app.qa_report.outbound_figures`).
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlmodel import Session

from app.cli import CliError
from app.kpi_period import extra_figures
from app.outbound_period import outbound_report
from app.qa_report import (
    OutboundFigures,
    inbound_rows,
    index_names,
    outbound_figures,
    table_of_rows,
)
from qa.counts import KpiCounts, count_contacts, counts_by_group
from qa.dials import DialCounts
from qa.kpis import SERVICE_LEVEL_DEFINITIONS, kpi_figures
from qa.outbound_kpis import OutboundCounts
from qa.outbound_kpis import outbound_figures as outbound_kpi_figures
from qa.outcomes import FCR_DAYS
from qa.records import ContactTable
from qa.segments import SEGMENTS, segment_of

GROUPINGS = ("queue", "tier", "site", "agent", "interval", "team")
NO_AGENT = "none"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "kpis",
        help="service KPIs (SL, ASA, abandonment) of the stored calls over a period",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--from", dest="since", required=True, metavar="DATE",
                        help="first day, YYYY-MM-DD (UTC)")
    parser.add_argument("--to", dest="until", required=True, metavar="DATE",
                        help="last day, YYYY-MM-DD (UTC, included)")
    parser.add_argument("--threshold", type=float, default=20.0, metavar="SECONDS",
                        help="service-level threshold T: within means a wait <= T (default 20)")
    parser.add_argument("--short-abandon", type=float, default=5.0, metavar="SECONDS",
                        help="a short abandon hangs up after < S seconds (default 5)")
    parser.add_argument("--by", choices=GROUPINGS, help="also per group")
    parser.add_argument("--interval-minutes", type=int, default=60, metavar="MINUTES",
                        help="interval length for --by interval (default 60)")
    parser.add_argument("--fcr-days", type=float, default=FCR_DAYS, metavar="DAYS",
                        help="first-contact resolution: no repeat within DAYS (default 7)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--url", help="database URL (default: CONTACTOPS_DATABASE_URL)")
    parser.set_defaults(func=run)


def parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CliError(f"{option} must be a date YYYY-MM-DD, got {value!r}") from None


def run(args: argparse.Namespace) -> int:
    since = parse_day(args.since, "--from")
    until = parse_day(args.until, "--to")
    if until < since:
        raise CliError(f"--to {until} is before --from {since}")
    for name, value in (("--threshold", args.threshold), ("--short-abandon", args.short_abandon)):
        if not math.isfinite(value) or value < 0:
            raise CliError(f"{name} must be a number of seconds >= 0, got {value}")
    if not (math.isfinite(args.fcr_days) and 0 < args.fcr_days <= 366):
        raise CliError(f"--fcr-days must be a number of days in (0, 366], got {args.fcr_days}")
    if args.interval_minutes <= 0 or 1440 % args.interval_minutes:
        raise CliError(f"--interval-minutes must divide a day, got {args.interval_minutes}")
    from app.db import make_engine
    from app.settings import Settings

    engine = make_engine(args.url or Settings().database_url)
    start = datetime.combine(since, datetime.min.time(), UTC)
    end = datetime.combine(until + timedelta(days=1), datetime.min.time(), UTC)
    with Session(engine) as session:
        report = kpi_report(session, start, end, args.threshold, args.short_abandon, args.by,
                            args.interval_minutes * 60, args.fcr_days, datetime.now(UTC))
        report["dials"] = dial_report(session, start, end)
    engine.dispose()
    report["from"], report["to"] = since.isoformat(), until.isoformat()
    print(json.dumps(_jsonable(report), indent=2) if args.json else render_table(report))
    return 0


def kpi_report(
    session: Session,
    start: datetime,
    end: datetime,
    threshold: float,
    short_abandon: float,
    by: str | None = None,
    interval_seconds: int = 3600,
    fcr_days: float = FCR_DAYS,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The figures of the inbound calls that arrived in ``[start, end)``: ``all`` and,
    with ``by``, ``groups`` (group name -> figures, in name order); each with the other
    service-standard KPIs added (:func:`app.kpi_period.extra_figures`) and the outbound
    ones (:func:`app.outbound_period.outbound_report`, promises judged on ``now``, default
    ``end``)."""
    report = _service_report(session, start, end, threshold, short_abandon, by,
                             interval_seconds)
    extra = extra_figures(session, start, end, by, interval_seconds, fcr_days)
    blank = dict.fromkeys(next(iter(extra.values())), math.nan)
    report["all"].update(extra["all"])
    for name, figures in report.get("groups", {}).items():
        figures.update(extra.get(name, blank))
    _add_outbound(report, session, start, end, by, now or end,
                  {name: extra.get(name, blank) for name in extra})
    return report


def _add_outbound(report: dict[str, Any], session: Session, start: datetime, end: datetime,
                  by: str | None, now: datetime, extra: dict[str, dict[str, float]]) -> None:
    """The outbound figures into ``all`` and the groups: a group for every agent, team or
    site with outbound work (its inbound service figures those of no call, its other KPIs
    ``extra``'s), blanks under the groupings outbound work has no group in."""
    outbound_by = by if by in ("agent", "team", "site") else None
    found = outbound_report(session, start, end, now, (None, outbound_by))
    none = outbound_kpi_figures(OutboundCounts())
    report["all"].update(found[None].get("all", none))
    if "groups" not in report:
        return
    groups: dict[str, Any] = report["groups"]
    per_group = found.get(outbound_by, {}) if outbound_by is not None else {}
    added = set(per_group) - set(groups)
    for name in added:
        groups[name] = {**kpi_figures(KpiCounts()),
                        **extra.get(name, dict.fromkeys(extra["all"], math.nan))}
    blank = dict.fromkeys(none, math.nan)
    for name, figures in groups.items():
        figures.update(per_group.get(name, blank))
    if added:  # agents, teams and sites are in name order
        report["groups"] = dict(sorted(groups.items()))


def dial_report(session: Session, start: datetime, end: datetime) -> dict[str, Any]:
    """The outbound dials placed in ``[start, end)``: ``all`` and per campaign (module doc)."""
    per = outbound_figures(session, start, end)
    total = OutboundFigures("", sum((o.counts for o in per), DialCounts()))

    def figures(o: OutboundFigures) -> dict[str, Any]:
        return {**asdict(o.counts), "connect_rate": o.connect_rate,
                "dialler_abandon_rate": o.dialler_abandon_rate}

    return {"all": figures(total), "campaigns": {o.queue: figures(o) for o in per}}


def _service_report(
    session: Session,
    start: datetime,
    end: datetime,
    threshold: float,
    short_abandon: float,
    by: str | None,
    interval_seconds: int,
) -> dict[str, Any]:
    table, agents, sites, teams = _inbound_rows(session, start, end)
    report: dict[str, Any] = {
        "threshold_seconds": threshold,
        "short_abandon_seconds": short_abandon,
        "all": kpi_figures(count_contacts(table, threshold, short_abandon)),
    }
    if by is None:
        return report
    names, index = _groups(table, by, agents, sites, interval_seconds, teams)
    counts = counts_by_group(table, index, len(names), threshold, short_abandon)
    groups = {n: c for n, c in zip(names, counts, strict=True) if c.offered or by == "tier"}
    report["by"] = by
    report["groups"] = {n: kpi_figures(groups[n]) for n in names if n in groups}
    return report


def _groups(
    table: ContactTable, by: str, agents: np.ndarray[Any, Any], sites: np.ndarray[Any, Any],
    interval_seconds: int, teams: np.ndarray[Any, Any] | None = None,
) -> tuple[list[str], np.ndarray[Any, np.dtype[np.int64]]]:
    if by == "queue":
        return list(table.queues), table.queue_index
    if by == "tier":
        seg = np.array([SEGMENTS.index(segment_of(t)) for t in table.tiers] or [0], np.int64)
        return list(SEGMENTS), seg[table.tier_index] if len(table) else table.tier_index
    if by == "team" and teams is not None:
        return index_names(teams, ())
    if by in ("agent", "site"):
        names, index = index_names(agents if by == "agent" else sites, ())
        return names, index
    slot = np.floor(table.arrived_at / interval_seconds).astype(np.int64)
    firsts = sorted(set(slot.tolist()))
    position = {s: i for i, s in enumerate(firsts)}
    labels = [datetime.fromtimestamp(s * interval_seconds, UTC).strftime("%Y-%m-%dT%H:%M")
              for s in firsts]
    return labels, np.fromiter((position[s] for s in slot.tolist()), np.int64, len(slot))


def _inbound_rows(
    session: Session, start: datetime, end: datetime
) -> tuple[ContactTable, np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The period's inbound interaction rows as a :class:`~qa.records.ContactTable` (as
    :func:`app.qa_report.inbound_table` builds it), with each row's agent login, site and
    team."""
    grid = inbound_rows(session, start, end, None, with_agent=True)
    table = table_of_rows(grid)[0]
    answered = table.answered
    agents = np.array([a if (a is not None and ok) else NO_AGENT
                       for a, ok in zip(grid[:, 7], answered, strict=True)], dtype=object)
    sites = np.array([s if (s is not None and ok) else NO_AGENT
                      for s, ok in zip(grid[:, 8], answered, strict=True)], dtype=object)
    teams = np.array([(t or NO_AGENT) if (a is not None and ok) else NO_AGENT
                      for t, a, ok in zip(grid[:, 9], grid[:, 7], answered, strict=True)],
                     dtype=object)
    return table, agents, sites, teams


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _rate(value: object, percent: bool) -> str:
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return "-"
    return f"{100 * value:.1f}%" if percent else f"{value:.1f}"


def render_table(report: dict[str, Any]) -> str:
    """A readable table: one line for all calls, then one per group."""
    short = {"answered_of_offered": "SL A/N", "answered_of_answered": "SL A/A",
             "excluding_abandoned_within_threshold": "SL excl.B_T",
             "abandoned_within_threshold_as_met": "SL B_T met",
             "excluding_short_abandons": "SL excl.B_S"}
    header = ["group", "offered", "answered", "abandoned", "aband.", "ASA s"]
    header += [short[d] for d in SERVICE_LEVEL_DEFINITIONS]
    rows = [("all", report["all"])] + list(report.get("groups", {}).items())
    lines = [[name, str(f["offered"]), str(f["answered"]), str(f["abandoned"]),
              _rate(f["abandon_rate"], True), _rate(f["asa_seconds"], False)]
             + [_rate(f["service_level"][d], True) for d in SERVICE_LEVEL_DEFINITIONS]
             for name, f in rows]
    out = [f"KPIs {report['from']} .. {report['to']}  T = {report['threshold_seconds']:g} s,"
           f" short abandon < {report['short_abandon_seconds']:g} s"
           + (f", by {report['by']}" if "by" in report else "")]
    out += _aligned([header, *lines])
    if "offers_per_call" in report["all"]:
        out += ["", "Service standards' other KPIs"]
        out += _aligned([[n for n, _ in _OTHER_COLUMNS]] + [
            [name] + [_shown(f.get(key), how) for _, (key, how) in _OTHER_COLUMNS[1:]]
            for name, f in rows])
    if "right_party_contacts" in report["all"]:
        out += ["", "Outbound (telesales and collections)"]
        out += _aligned([[n for n, _ in _OUTBOUND_COLUMNS]] + [
            [name] + [_shown(f.get(key), how) for _, (key, how) in _OUTBOUND_COLUMNS[1:]]
            for name, f in rows])
    dials = report.get("dials")
    if dials and dials["all"]["dials"]:
        out += ["", "Outbound dials"]
        out += _aligned([["campaign", "dials", "connected", "abandoned", "connect", "dialler ab."]]
                        + [[name, str(f["dials"]), str(f["connected"]), str(f["abandoned"]),
                            _rate(f["connect_rate"], True),
                            _rate(f["dialler_abandon_rate"], True)]
                           for name, f in [("all", dials["all"]), *dials["campaigns"].items()]])
    return "\n".join(out)


#: The added KPIs' columns in the table: heading, (key, how shown: "%", "2" decimals, "1").
_OTHER_COLUMNS: tuple[tuple[str, tuple[str, str]], ...] = (
    ("group", ("", "")), ("offers/call", ("offers_per_call", "2")),
    ("x-sell/call", ("cross_sell_per_call", "2")), ("up-sell/call", ("up_sell_per_call", "2")),
    ("out.positive", ("outbound_positive_ratio", "%")),
    ("self-serv.", ("self_service_ratio", "%")), ("complaints", ("complaint_ratio", "%")),
    ("CSAT", ("satisfaction_mean", "2")), ("CSAT top2", ("satisfaction_top_two_box", "%")),
    ("FCR", ("first_contact_resolution", "%")), ("transfers", ("transfer_rate", "%")),
    ("talk/handle", ("talk_time_ratio", "%")), ("AHT s", ("aht_seconds", "1")),
    ("occupancy", ("occupancy", "%")),
)


#: the outbound KPIs' columns (as :data:`_OTHER_COLUMNS`; "n": a count)
_OUTBOUND_COLUMNS: tuple[tuple[str, tuple[str, str]], ...] = (
    ("group", ("", "")), ("dials", ("outbound_dials", "n")),
    ("connects", ("outbound_connects", "n")), ("RPC", ("right_party_contacts", "n")),
    ("RPC rate", ("right_party_rate", "%")), ("contacts/h", ("contacts_per_hour", "1")),
    ("RPC/h", ("rpc_per_hour", "1")), ("sales", ("outbound_sales", "n")),
    ("conversion", ("conversion", "%")), ("PTP", ("promises_to_pay", "n")),
    ("PTP rate", ("promise_to_pay_rate", "%")), ("kept", ("promise_kept_ratio", "%")),
    ("kept amount", ("kept_amount_ratio", "%")),
)


def _shown(value: object, how: str) -> str:
    if how == "n" and isinstance(value, (int, float)) and math.isfinite(value):
        return str(int(value))
    if how == "2" and isinstance(value, (int, float)) and math.isfinite(value):
        return f"{value:.2f}"
    return _rate(value, how == "%")


def _aligned(table: list[list[str]]) -> list[str]:
    """Rows of text cells, the first column left-aligned and the others right-aligned."""
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    return ["  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                      for i, (c, w) in enumerate(zip(r, widths, strict=True))) for r in table]


__all__ = ["GROUPINGS", "kpi_report", "register", "render_table", "run"]
