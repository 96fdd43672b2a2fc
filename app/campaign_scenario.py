"""A campaign of the database as an outbound simulation scenario, so that a planner compares
dialling modes on their own campaign before dialling it
(``contactops simulate-outbound --campaign NAME``).

What is read (:func:`campaign_scenario`):

* the campaign's type, country and dialling mode (``mode`` overrides the mode);
* the size of today's list (center day): ``leads_per_day``;
* the agents: the active agents with the skill of the queue its connects go to
  (:func:`app.campaign_dialing.campaign_queue`), and the campaign's hours: that queue's
  ``open_hours``;
* the live-answer rate and the handle time measured from the campaign's dials of the last
  :data:`LOOKBACK_DAYS` days (its interaction rows: live answers are the answered and the
  abandoned ones, over all dials; handle time of the answered ones), when there are at least
  :data:`MIN_DIALS` dials and :data:`MIN_HANDLED` handled calls; else the defaults
  (:data:`DEFAULT_ANSWER_RATE`, :data:`DEFAULT_AHT_SECONDS`).

The scenario is the JSON form :func:`simulations.outbound_scenario.scenario_from_dict` reads,
so the simulation is the one a SCENARIO.json file runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.campaign_dialing import campaign_queue, dial_label
from app.models import Agent, AgentSkill, Campaign, CampaignListEntry, Interaction, Queue
from app.queries import CENTER_TZ, as_utc

LOOKBACK_DAYS = 30
MIN_DIALS = 20
MIN_HANDLED = 5
#: the defaults of a campaign not dialled yet (the issue's reference scenario's)
DEFAULT_ANSWER_RATE = 0.25
DEFAULT_AHT_SECONDS = 180.0


class CampaignScenarioError(ValueError):
    """The campaign cannot be simulated; ``field`` names the option at fault."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


@dataclass(frozen=True, slots=True)
class Measured:
    """What the campaign's recent dials say (None: too few to say)."""

    dials: int
    answer_rate: float | None
    aht_seconds: float | None

    def as_json(self) -> dict[str, Any]:
        return {"dials": self.dials, "answer_rate": self.answer_rate,
                "aht_seconds": self.aht_seconds, "lookback_days": LOOKBACK_DAYS}


def measure(session: Session, campaign: Campaign, now: datetime) -> Measured:
    """The campaign's live-answer rate and handle time over the last days (module doc)."""
    since = as_utc(now) - timedelta(days=LOOKBACK_DAYS)
    where = (Interaction.direction == "outbound",
             Interaction.queue == dial_label(campaign.name),
             col(Interaction.arrived_at) >= since)
    by = {str(o): int(n) for o, n in session.exec(
        select(Interaction.outcome, func.count()).where(*where)
        .group_by(col(Interaction.outcome))).all()}
    dials = sum(by.values())
    live = by.get("answered", 0) + by.get("abandoned", 0)
    handled, mean = session.exec(
        select(func.count(), func.avg(Interaction.handle_seconds))
        .where(*where, col(Interaction.handle_seconds).is_not(None),
               col(Interaction.handle_seconds) > 0)).one()
    rate = live / dials if dials >= MIN_DIALS and live > 0 else None
    aht = float(mean) if handled >= MIN_HANDLED and mean is not None else None
    return Measured(dials, rate, aht)


def _hours(open_hours: str) -> tuple[str, str]:
    """``"09:00-18:00"`` as (open, close); the scenario's defaults when it is not that."""
    start, _, end = open_hours.partition("-")
    if len(start) == 5 and len(end) == 5 and start < end:
        return start, end
    return "09:00", "18:00"


def campaign_scenario(session: Session, name: str, now: datetime,
                      mode: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The scenario of campaign ``name`` and where its figures come from."""
    campaign = session.exec(select(Campaign).where(Campaign.name == name)).first()
    if campaign is None or campaign.id is None:
        raise CampaignScenarioError("--campaign", f"no campaign named {name!r}")
    queues = {q.name: q for q in session.exec(select(Queue)).all()}
    queue_name = campaign_queue(campaign, list(queues))
    if queue_name is None:
        raise CampaignScenarioError(
            "--campaign", f"{name!r} has no queue (a queue named as the campaign, "
            f"{campaign.type!r} or 'outbound')")
    queue = queues[queue_name]
    agents = session.exec(
        select(func.count(func.distinct(AgentSkill.agent_id)))
        .join(Agent, col(Agent.id) == col(AgentSkill.agent_id))
        .where(AgentSkill.skill == queue.skill, col(Agent.active).is_(True))).one()
    if not agents:
        raise CampaignScenarioError("--campaign",
                                    f"no active agent has the skill {queue.skill!r}")
    day = now.astimezone(CENTER_TZ).date()
    list_size = session.exec(select(func.count()).select_from(CampaignListEntry).where(
        CampaignListEntry.campaign_id == campaign.id,
        CampaignListEntry.list_date == day)).one()
    measured = measure(session, campaign, now)
    opens, closes = _hours(queue.open_hours)
    scenario: dict[str, Any] = {
        "campaign": dial_label(campaign.name), "campaign_type": campaign.type,
        "country": campaign.country, "mode": mode or campaign.dial_mode,
        "agents": min(int(agents), 500),
        "answer_rate": measured.answer_rate or DEFAULT_ANSWER_RATE,
        "aht_seconds": round(min(max(measured.aht_seconds or DEFAULT_AHT_SECONDS, 30.0),
                                 7200.0), 1),
        "open": opens, "close": closes, "time_zone": str(CENTER_TZ),
    }
    if list_size:
        scenario["leads_per_day"] = int(list_size)
    source = {"name": campaign.name, "queue": queue_name, "list_date": day.isoformat(),
              "list_size": int(list_size), "measured": measured.as_json(),
              "answer_rate_from": "measured" if measured.answer_rate else "default",
              "aht_from": "measured" if measured.aht_seconds else "default"}
    return scenario, source
