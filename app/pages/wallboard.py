"""``/wallboard``: the live floor (``/static/wallboard.js`` over ``/ws/wallboard``), and the
database's view of today at page load.

``?wall=1`` is the big-screen mode for the wall: large type, no controls (no navigation,
no supervisor actions, no filters).

Every word and code the script shows goes through the Babel catalogs here (the script
holds no text of its own): :data:`UI` (labels), and the codes a person reads (agent states,
not-ready reasons, event types, queue names, segments, threshold levels, service-level
definitions, scheduled activities), handed to the page as JSON (:func:`wallboard_labels`).
Times are shown on the center's clock (:data:`app.queries.CENTER_TZ`), whatever the
browser's zone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from app.auth import require_role
from app.deps import SessionDep
from app.i18n import choose_locale, get_translations
from app.models import User
from app.pages import render
from app.qa_report import interaction_counts
from app.queries import CENTER_TZ, agents_by_site_and_state, queues, start_of_center_day
from app.seed.agents import QUEUES as SEEDED_QUEUES
from qa.kpis import SERVICE_LEVEL_DEFINITIONS
from routing.events import AGENT_STATE_NAMES, EVENT_BY_TYPE

router = APIRouter(tags=["pages"], include_in_schema=False)

Supervisor = Annotated[User, Depends(require_role("supervisor"))]

#: The script's labels: key -> English msgid.
UI: dict[str, str] = {
    "liveTitle": "Live floor", "live": "connected", "offline": "reconnecting",
    "vip": "VIP", "general": "General", "all": "All callers",
    "sl": "Service level", "asa": "Average speed of answer", "aht": "Average handle time",
    "abandon": "Abandonment rate", "offered": "Offered", "answered": "Answered",
    "abandoned": "Abandoned", "handled": "Handled", "waiting": "Calls waiting",
    "longest": "Longest wait", "queue": "Queue", "queues": "Queues", "agents": "Agents",
    "agent": "Agent", "state": "State", "since": "Time in state", "events": "Latest events",
    "reason": "Reason", "actions": "Actions", "ready": "Make ready",
    "notReady": "Make not ready", "logout": "Log out", "skills": "Skills", "save": "Save",
    "cancel": "Cancel", "filter": "Filter agents or states", "forceReason": "Not-ready reason",
    "saved": "saved", "none": "none", "byActor": "by %(who)s", "occupancy": "Occupancy",
    "adherence": "Adherence", "outSince": "out of adherence since %(time)s",
    "target": "target %(target)s", "threshold": "within %(seconds)s s",
    "definition": "Service level: %(name)s", "periodDay": "Today since %(time)s",
    "periodWindow": "Last %(minutes)s minutes", "chart": "Service level and calls offered",
    "forecast": "Forecast", "chartNote": "per 15 minutes, by arrival", "bigScreen": "Wall mode",
    "normal": "Normal view", "clock": "Center time (%(zone)s)",
    "demo": "demo: calls follow the %(hour)s pattern", "resumed": "resumed after #%(seq)s",
    "noData": "no calls yet",
    # the sales and coaching panels (dashboards.sales, dashboards.coaching)
    "sales": "Sales today", "crossSell": "Cross-sell per inbound call",
    "upSell": "Up-sell per inbound call", "positiveResponse": "Outbound positive-response ratio",
    "salesCounts": "%(sales)s sales on %(calls)s answered inbound calls",
    "positiveCounts": "%(positive)s positive of %(connected)s connected outbound calls",
    "coaching": "Coaching follow-ups", "dueToday": "Due today", "overdue": "Overdue",
    "daysOverdue": "%(days)s days overdue", "pointsCount": "%(n)s points",
    "noFollowUps": "No follow-ups due",
    # the dials panel (dashboards.dials)
    "dialsPanel": "Outbound dials", "dials": "Dials", "connects": "Connects",
    "abandonRate": "Abandon rate",
    "dialsCounts": "%(connected)s connected of %(ended)s ended",
    "capOf": "cap %(cap)s",
    "transferredIn": "Transferred in",
}
#: Not-ready reasons a supervisor chooses from (and the ones agents use).
REASONS: tuple[str, ...] = ("supervisor", "break", "lunch", "coaching", "meeting", "training",
                            "after_call_work")
#: Threshold levels (shown with an icon and a word, never by colour alone).
LEVELS: dict[str, str] = {"ok": "on target", "warn": "warning", "alert": "alert"}
#: Scheduled activities an adherence spell names.
ACTIVITIES: tuple[str, ...] = ("work", "break", "lunch", "meeting", "training", "coaching")


def event_msgid(kind: str) -> str:
    return f"event:{kind}"


def definition_msgid(name: str) -> str:
    return f"sl:{name}"


def wallboard_labels(locale: str, queue_names: list[str]) -> dict[str, Any]:
    """Every text of the script in ``locale`` (see the module docstring)."""
    t = get_translations(locale)
    return {
        "ui": {key: t.gettext(msgid) for key, msgid in UI.items()},
        "states": {s: t.gettext(s) for s in AGENT_STATE_NAMES},
        "reasons": {r: t.gettext(r) for r in REASONS},
        "events": {k: t.gettext(event_msgid(k)) for k in EVENT_BY_TYPE},
        "queues": {q: t.gettext(q) for q in sorted({*queue_names, *SEEDED_QUEUES})},
        "levels": {k: t.gettext(v) for k, v in LEVELS.items()},
        "definitions": {d: t.gettext(definition_msgid(d)) for d in SERVICE_LEVEL_DEFINITIONS},
        "activities": {a: t.gettext(a) for a in ACTIVITIES},
        "time_zone": CENTER_TZ.key,
        "locale": locale,
    }


def wallboard_msgids() -> set[str]:
    """Every msgid :func:`wallboard_labels` looks up (for the seeded queues)."""
    return ({*UI.values(), *AGENT_STATE_NAMES, *REASONS, *LEVELS.values(), *ACTIVITIES,
             *SEEDED_QUEUES}
            | {event_msgid(k) for k in EVENT_BY_TYPE}
            | {definition_msgid(d) for d in SERVICE_LEVEL_DEFINITIONS})


@router.get("/wallboard")
def wallboard_page(
    request: Request, session: SessionDep, user: Supervisor,
    wall: Annotated[bool, Query(description="big-screen mode: large type, no controls")] = False,
) -> Response:
    counts = {
        c.queue: c for c in interaction_counts(session, start_of_center_day(datetime.now(UTC)))
    }
    by_site = agents_by_site_and_state(session)
    states = sorted({state for counter in by_site.values() for state in counter})
    configured = queues(session)
    locale = choose_locale(request, user, request.app.state.settings.default_locale)
    context = {"queues": configured, "counts": counts, "by_site": by_site, "states": states,
               "wall": wall,
               "labels": wallboard_labels(locale, [q.name for q in configured])}
    return render(request, "wallboard.html", user, context)
