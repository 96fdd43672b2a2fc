"""The live wallboard's panels: wired by ``live_wallboard`` (sales fed by every event over
the wallboard's period, coaching on the center's day) and the coaching read of the database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session

from app.live.wallboard import coaching_panel, live_wallboard, read_coaching
from app.models import Interaction
from app.seed.qa_forms import seed_qa
from app.testing import create_user, make_app, make_settings
from dashboards.coaching import CoachingPanel
from routing.events import ContactAnswered, ContactArrived, OfferRecorded

TODAY = date(2027, 3, 15)


def test_live_wallboard_has_the_sales_and_coaching_panels() -> None:
    wallboard = live_wallboard({})
    now = datetime(2027, 3, 15, 3, tzinfo=UTC).timestamp()  # 12:00 in Seoul
    for seq, event in enumerate([ContactArrived(now - 60, "c1", "deposits"),
                                 ContactAnswered(now - 50, "c1", "kim", "deposits"),
                                 OfferRecorded(now - 10, "c1", "kim", "card", "up_sell",
                                               "accepted")], start=1):
        wallboard.apply(seq, event)
    panels = wallboard.snapshot(now)["panels"]
    assert panels["sales"]["up_sell_per_call"] == 1.0
    assert panels["coaching"] == {"today": "2027-03-15", "due_today": 0, "overdue": 0,
                                  "items": []}
    assert isinstance(coaching_panel(wallboard), CoachingPanel)


def test_read_coaching_lists_the_follow_ups_due_and_overdue(sqlite_url: str) -> None:
    app = make_app(make_settings(sqlite_url))
    engine = app.state.engine
    create_user(engine, "qa01", "qa")
    create_user(engine, "supervisor01", "supervisor")
    agents = [create_user(engine, f"agent0{i}", "agent") for i in range(1, 4)]
    with Session(engine) as session:
        for day in range(1, 45):
            for n, agent in enumerate(agents):
                at = datetime.combine(TODAY - timedelta(days=day), time(1 + n), UTC)
                session.add(Interaction(contact_id=f"c{day}-{n}", queue="deposits",
                                        agent_id=agent.agent_id, arrived_at=at,
                                        answered_at=at + timedelta(seconds=9),
                                        ended_at=at + timedelta(seconds=200),
                                        outcome="answered", handle_seconds=230.0))
        session.commit()
    seed_qa(engine, TODAY, seed=1)
    now = datetime(2027, 3, 15, 3, tzinfo=UTC).timestamp()
    items = read_coaching(engine, now)
    assert [i.due_on for i in items] == [TODAY - timedelta(days=3), TODAY]
    assert items[1].points == 2 and items[0].agent.startswith("agent0")
    figures = CoachingPanel(zone="Asia/Seoul", items=items)(now)
    assert (figures["due_today"], figures["overdue"]) == (1, 1)
    assert figures["items"][0]["days_overdue"] == 3
