"""`contactops campaigns build [--date D] [--campaign NAME]` and
`contactops campaigns list [--date D] [--campaign NAME] [--agent LOGIN] [--json] [--limit N]`.

``build`` rebuilds the day's campaign lists (:func:`app.campaign_lists.build_lists`; the
day defaults to today in Seoul) with the propensity model fitted on the stored past offers,
and prints per campaign the candidates, the entries kept and the seconds. ``list`` prints the
day's open entries in list order (campaign priority, then rank), or an agent's in their
order (:func:`app.campaign_lists.entries_for_agent`: their managed customers' entries and
the pool entries claimed for them); each customer listed is written to the
customer access log (user ``cli``). Bad input: one line and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session, col, select

from app.cli import CliError
from app.models import Agent, Campaign, CampaignListEntry, CustomerAccess

MAX_LIMIT = 2000


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("campaigns", help="build and read the day's campaign lists",
                            description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    build = actions.add_parser("build", help="rebuild the day's lists")
    listing = actions.add_parser("list", help="print the day's list entries")
    for p in (build, listing):
        p.add_argument("--date", metavar="DATE", help="the list's day, YYYY-MM-DD "
                       "(default: today in Seoul)")
        p.add_argument("--campaign", metavar="NAME", help="one campaign only")
        p.add_argument("--url", help="database URL (default: CONTACTOPS_DATABASE_URL)")
    listing.add_argument("--agent", metavar="LOGIN", help="the agent's entries, in their order")
    listing.add_argument("--limit", type=int, default=100, metavar="N",
                         help=f"entries at most (1-{MAX_LIMIT}, default 100)")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    build.set_defaults(func=run_build)
    listing.set_defaults(func=run_list)


def _day(value: str | None, now: datetime) -> date:
    from app.campaign_lists import CENTER_ZONE

    if value is None:
        return now.astimezone(CENTER_ZONE).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CliError(f"--date must be a date YYYY-MM-DD, got {value!r}") from None


def _engine(url: str | None) -> Any:
    from app.db import make_engine
    from app.settings import Settings

    return make_engine(url or Settings().database_url)


def run_build(args: argparse.Namespace) -> int:
    from app.campaign_lists import CampaignNotFound, build_lists, fit_model

    now = datetime.now(UTC)
    day = _day(args.date, now)
    engine = _engine(args.url)
    try:
        with Session(engine) as session:
            model, _ = fit_model(session, now)
        started = time.perf_counter()
        try:
            results = build_lists(engine, day, now, model, args.campaign)
        except CampaignNotFound as exc:
            raise CliError(str(exc)) from None
        total = time.perf_counter() - started
    finally:
        engine.dispose()
    print(f"campaign lists of {day} (propensity model: {model.source})")
    for r in results:
        print(f"  {r.campaign:<32} {r.candidates:>9} candidates {r.entries:>9} entries "
              f"{r.seconds:8.2f} s")
    print(f"  total {sum(r.entries for r in results)} entries in {total:.2f} s")
    return 0


def run_list(args: argparse.Namespace) -> int:
    if not 0 < args.limit <= MAX_LIMIT:
        raise CliError(f"--limit must be between 1 and {MAX_LIMIT}, got {args.limit}")
    now = datetime.now(UTC)
    day = _day(args.date, now)
    engine = _engine(args.url)
    try:
        with Session(engine) as session:
            rows = _entries(session, day, args.campaign, args.agent, args.limit)
            out = [{"campaign": name, "rank": e.rank, "customer_id": e.customer_id,
                    "agent": login, "score": round(e.score, 6), "reason": e.reason,
                    "params": e.reason_params, "status": e.status} for e, name, login in rows]
            for entry, _, _ in rows:
                session.add(CustomerAccess(at=now, username="cli", role="cli",
                                           customer_id=entry.customer_id, action="list",
                                           fields="campaign_list", reason="campaign_list"))
            session.commit()
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps({"date": day.isoformat(), "entries": out}, ensure_ascii=False,
                         indent=2))
        return 0
    print(f"campaign list entries of {day}: {len(out)}")
    for o in out:
        print(f"  {o['campaign']:<28} #{o['rank']:<6} customer {o['customer_id']:<10} "
              f"{o['agent'] or '-':<10} {o['score']:.3f} {o['reason']} "
              f"{json.dumps(o['params'], ensure_ascii=False)}")
    return 0


def _entries(session: Session, day: date, campaign: str | None, agent: str | None,
             limit: int) -> list[tuple[CampaignListEntry, str, str | None]]:
    from app.campaign_lists import entries_for_agent

    if campaign is not None and session.exec(
            select(Campaign.id).where(Campaign.name == campaign)).first() is None:
        raise CliError(f"--campaign: no campaign named {campaign!r}")
    logins = dict(session.exec(select(Agent.id, Agent.login)).all())
    names = dict(session.exec(select(Campaign.id, Campaign.name)).all())
    if agent is not None:
        agent_id = next((i for i, login in logins.items() if login == agent), None)
        if agent_id is None:
            raise CliError(f"--agent: no agent with login {agent!r}")
        entries = entries_for_agent(session, agent_id, day, MAX_LIMIT)
        if campaign is not None:
            entries = [e for e in entries if names[e.campaign_id] == campaign]
        entries = entries[:limit]
    else:
        query = (select(CampaignListEntry)
                 .join(Campaign, col(Campaign.id) == CampaignListEntry.campaign_id)
                 .where(col(CampaignListEntry.list_date) == day,
                        col(CampaignListEntry.status) == "open")
                 .order_by(col(Campaign.priority).desc(), col(Campaign.id),
                           col(CampaignListEntry.rank))
                 .limit(limit))
        if campaign is not None:
            query = query.where(col(Campaign.name) == campaign)
        entries = list(session.exec(query).all())
    return [(e, names[e.campaign_id], logins.get(e.agent_id) if e.agent_id else None)
            for e in entries]
