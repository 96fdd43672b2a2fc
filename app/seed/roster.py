"""The demo's roster: a published roster of the current week for the demo's agents.

Built by the planner's own chain (:mod:`app.roster_chain`): the seeded call history of every
queue, forecast (weekday mean, the quickest method), Erlang C staffing, then
:func:`wfm.schedule.build_schedule` for every agent with their seeded skills. Seeding stays
quick: the solver is asked to stop at once, so each of its phases ends at its first roster
(seconds for 80 agents over a week; tens of seconds on a busy machine); a planner can build a better one from the page.
The roster is published by the planner user (``planner01``) when there is one.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.models import Queue, RosterVersion, User
from app.roster_chain import ChainSpec, build_problem
from app.rosters import create_roster, publish
from wfm.roster_problem import parse_roster_problem
from wfm.schedule import Infeasible, build_schedule

PLANNER = "planner01"
#: The solver's limit while seeding (it normally stops at its first rosters long before).
SEED_TIME_LIMIT_SECONDS = 60.0


def week_of(today: date) -> date:
    """Monday of ``today``'s week."""
    return today - timedelta(days=today.weekday())


def seed_roster(engine: Engine, today: date, *, interval_minutes: int = 30) -> RosterVersion:
    """Build and publish the roster of ``today``'s week (Monday to Sunday).

    ``ValueError`` when the solver finds no roster (its reasons in the message).
    """
    start = week_of(today)
    with Session(engine) as session:
        queues = tuple(sorted(str(q) for q in session.exec(select(Queue.name)).all()))
        spec = ChainSpec(
            start=start,
            days=7,
            interval_minutes=interval_minutes,
            queues=queues,
            method="weekday_mean",
            backtest_origins=1,
            time_limit_seconds=SEED_TIME_LIMIT_SECONDS,
            lenient=True,
        )
        problem_json = build_problem(session, spec)
        stop = threading.Event()
        stop.set()  # each phase ends at its first solution
        result = build_schedule(parse_roster_problem(problem_json), stop=stop)
        if isinstance(result, Infeasible):
            raise ValueError("demo roster: " + "; ".join(result.reasons))  # noqa: TRY004 - no roster is a value problem
        planner = session.exec(select(User).where(User.username == PLANNER)).first()
        planner_id = planner.id if planner is not None else None
        now = datetime.now(UTC)
        version = create_roster(
            session,
            name=f"{start.isoformat()} demo",
            start_day=start,
            days=7,
            problem=problem_json,
            roster=result.to_json(),
            user_id=planner_id,
            now=now,
        )
        return publish(session, version, planner_id, now)
