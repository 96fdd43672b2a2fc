"""The /qa page's service-level thresholds are each queue's goals as routing uses them.

Routing builds its queues from the ``queue`` rows (:func:`app.live.loaders.build_routing_engine`,
each ``QueueConfig.goal_for(tier)``); /qa and the report pages read
:func:`app.queries.service_level_goals`. For every queue and tier, valid, partial and malformed
goals alike, the two give the same ``T``; and the /qa page holds each caller to it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from app.live.loaders import build_routing_engine
from app.live.wallboard import goals_of
from app.models import Interaction, Queue
from app.queries import service_level_goals
from app.testing import create_user, login, make_client, make_settings
from routing.events import TIERS

GOALS = {
    "cards": {"platinum": {"threshold_seconds": 15, "target": 0.9},
              "core": {"threshold_seconds": 30, "target": 0.8}},
    "loans": {},
    "fx": {"gold": {"threshold_seconds": "abc", "target": 0.8},  # malformed: default
           "silver": {"threshold_seconds": -5, "target": 0.8},  # not positive: default
           "core": {"threshold_seconds": 45, "target": 2.0},  # target > 1: default
           "nobody": {"threshold_seconds": 5, "target": 0.5},  # not a tier
           "inactive": "fast",  # not a goal
           "private_banker": {"threshold_seconds": 7.0, "target": 0.95}},
}


def test_report_thresholds_equal_routings(sqlite_url: str) -> None:
    with make_client(make_settings(sqlite_url)) as client:
        engine = client.app.state.engine  # type: ignore[attr-defined]
        with Session(engine) as session:
            for name, goals in GOALS.items():
                session.add(Queue(name=name, skill=name, service_level_goals=goals))
            session.commit()
            reports = service_level_goals(session)
        routing = goals_of(build_routing_engine(engine).queues)
        for queue in GOALS:
            for tier in TIERS:
                assert reports.threshold_seconds(queue, tier) == routing.threshold_seconds(
                    queue, tier), (queue, tier)
        assert reports.threshold_seconds("cards", "platinum") == 15.0
        assert reports.threshold_seconds("fx", "private_banker") == 7.0

        # the page: a cards platinum caller answered after 14 s is within its 15 s goal, a
        # core caller after 25 s within 30 s; an fx gold caller after 25 s is not (default 20 s)
        now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
        with Session(engine) as session:
            for cid, queue, tier, wait in (("p", "cards", "platinum", 14), ("c", "cards", "core", 25),
                                           ("g", "fx", "gold", 25)):
                session.add(Interaction(contact_id=cid, queue=queue, tier=tier, arrived_at=now,
                                        outcome="answered",
                                        answered_at=now + timedelta(seconds=wait)))
            session.commit()
        create_user(client.app, "qa01", "qa", locale="en")  # type: ignore[arg-type]
        login(client, "qa01")
        page = client.get("/qa", params={"days": 1}).text
        cards = page.split('data-queue="cards"', 1)[1].split("</tr>", 1)[0]
        fx = page.split('data-queue="fx"', 1)[1].split("</tr>", 1)[0]
        assert "100.0 %" in cards and "15 / 30" in cards
        assert "0.0 %" in fx and "20" in fx
