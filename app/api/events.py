"""The event log over HTTP: append events produced elsewhere (a PBX adapter), replay the log.

``POST /api/events`` takes one event or a list of events in their JSON form
(:meth:`routing.events.Event.to_json`) and answers 201 with their sequence
numbers only after they are committed; they are then published like the
engine's own events. Nothing is stored unless every event of the request is
valid; a bad one is a 422 naming it (``body.<index>.<field>``, or ``body`` for a body
that is not JSON or is nested too deeply).

Checked at the edge, before anything reaches the engine task:

* the form (``routing.events.event_from_json``: known type and fields, JSON types);
* what the log can hold (:func:`app.eventlog.check_storable`: no NUL, lengths within the
  ``event_log``/``interaction`` columns, finite numbers, 64-bit integers);
* ids: ``contact_id``, ``agent_id``, ``target_agent_id``, ``preferred_agent_id``,
  ``customer_id`` and ``campaign``, when given, match the console API's id pattern
  (:data:`app.api.console.ID_PATTERN`: 1 to 40 letters, digits, ``_ . : -``; no empty ids,
  no spaces); the agent fields name an agent of the database (``agent.login``, the id the
  engine and the wallboard use), so a posted event cannot make up an agent;
* meaning: ``site`` one of :class:`app.models.Site`; ``tier`` in :data:`routing.events.TIERS`;
  ``direction`` ``inbound``/``outbound`` (fields with a fixed set of values, such as agent
  states and dial results, are ``Literal`` types checked by the form already); ``priority`` within
  ``±MAX_PRIORITY``; ``queue``/``target_queue`` of contact events naming an existing queue
  (an empty one is allowed where the field defaults to empty); ``at`` finite and within
  the server clock's window ``[now - MAX_PAST_SECONDS, now + MAX_FUTURE_SECONDS]``
  (24 h back, 5 min ahead: older history is imported, not posted as live events).

Externally posted events go to the log (and its ``interaction`` projection), the
observers (wallboard) and the bus ONLY: they never reach the routing engine, whose state
they therefore cannot break (a posted ``contact_arrived`` is not routed to an agent).

Completing contacts is the sender's job: a posted ``contact_arrived`` shows on the
wallboard as waiting (and its ``interaction`` row stays ``waiting``) until the sender posts
how it ended (``contact_answered``, ``contact_abandoned``, ``contact_ended``...). The server
cannot know what happened to a call on the external PBX, so it never closes one itself
(only a restart of the live center closes open contacts, as ``interrupted``).

Store failures: a batch the database refuses for its content is a 422 (nothing stored);
a 503 means the events were NOT stored and will NOT be stored later (they are not kept
for a retry inside the server), so the client may safely send them again.

``GET /api/events?after_seq=&limit=`` replays the log in order.
Roles: supervisor (and admin).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from app.api.console import ID_PATTERN, ServiceUnavailable
from app.auth import require_role
from app.deps import release_connection
from app.eventlog import check_storable
from app.live import get_services
from app.live.center import EventsRefused, StoreUnavailable
from app.models import Agent, Queue, Site, User
from routing.events import (
    TIERS,
    AgentStateChanged,
    ContactArrived,
    DialAttempted,
    DialResult,
    Direction,
    Event,
    EventFormatError,
    event_from_json,
)

router = APIRouter(prefix="/api/events", tags=["events"])

Supervisor = Annotated[User, Depends(require_role("supervisor"))]

MAX_EVENTS_PER_REQUEST = 1000
#: ``at`` may be at most this far behind the server clock (seconds) ...
MAX_PAST_SECONDS = 24 * 3600.0
#: ... and at most this far ahead of it (clock skew of the sender).
MAX_FUTURE_SECONDS = 300.0
#: Bound of ``contact_queued.priority`` (the engine's base priorities are small integers).
MAX_PRIORITY = 1_000_000
#: Of the directions (:data:`routing.events.DIRECTIONS`), those a PBX posts: a callback is
#: the engine's own contact, never posted from outside.
POSTED_DIRECTIONS: tuple[Direction, ...] = ("inbound", "outbound")
SITES = tuple(site.value for site in Site)
#: Fields holding an id (checked against :data:`ID_PATTERN` when given) ...
ID_FIELDS = ("contact_id", "agent_id", "target_agent_id", "preferred_agent_id", "customer_id",
             "campaign")
#: ... of which these name an agent (``agent.login``).
AGENT_FIELDS = ("agent_id", "target_agent_id", "preferred_agent_id", "colleague_id")
_ID = re.compile(ID_PATTERN)
_FIELD_PATTERNS = (
    re.compile(r"^[a-z_]+\.(?P<field>[a-z_]+) "),  # "contact_arrived.at must be a number"
    re.compile(r"has no field '(?P<field>[^']+)'"),
    re.compile(r"^(?P<field>type) must be"),
)


class StoredEvent(BaseModel):
    seq: int
    event: dict[str, Any]


class Appended(BaseModel):
    seqs: list[int]


class EventPage(BaseModel):
    events: list[StoredEvent]
    last_seq: int


def field_of(message: str) -> str | None:
    for pattern in _FIELD_PATTERNS:
        match = pattern.search(message)
        if match:
            return match.group("field")
    return None


def _invalid(loc: list[str | int], message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": tuple(loc), "msg": message, "type": "value_error"}])


def parse_events(
    body: Any, *, now: float | None = None, queues: Collection[str] | None = None,
    agents: Collection[str] | None = None,
) -> list[Event]:
    """Events from a JSON body (one object or a list); 422 naming the field of the first bad one.

    With ``now`` the ``at`` window is checked, with ``queues`` the queue names, with
    ``agents`` the agent ids (see the module's docstring); without them only the form,
    the id pattern, the meaning of codes and storability are.
    """
    items = body if isinstance(body, list) else [body]
    prefix: list[str | int] = ["body"]
    if not items or len(items) > MAX_EVENTS_PER_REQUEST:
        raise _invalid(prefix, f"send 1 to {MAX_EVENTS_PER_REQUEST} events")
    events = []
    for index, item in enumerate(items):
        loc = prefix + [index] if isinstance(body, list) else list(prefix)
        if not isinstance(item, dict):
            raise _invalid(loc, "an event must be a JSON object")
        try:
            event = event_from_json(item)
            check_storable(event)
        except EventFormatError as exc:
            field = field_of(str(exc))
            raise _invalid(loc + ([field] if field else []), str(exc)) from exc
        except (TypeError, ValueError) as exc:  # a dataclass check of the event itself
            raise _invalid(loc, str(exc)) from exc
        problem = semantic_problem(event, now=now, queues=queues, agents=agents)
        if problem is not None:
            field, message = problem
            raise _invalid(loc + [field], f"{event.type_name}.{field} {message}")
        events.append(event)
    return events


def semantic_problem(
    event: Event, *, now: float | None, queues: Collection[str] | None,
    agents: Collection[str] | None = None,
) -> tuple[str, str] | None:
    """``(field, message)`` for the first value that is well-formed but meaningless."""
    if now is not None and not (
        math.isfinite(event.at) and now - MAX_PAST_SECONDS <= event.at <= now + MAX_FUTURE_SECONDS
    ):
        return "at", (f"must be Unix seconds within {MAX_PAST_SECONDS / 3600:g} h before and "
                      f"{MAX_FUTURE_SECONDS / 60:g} min after the server clock ({now:.0f}), "
                      f"got {event.at!r}")
    problem = id_problem(event, agents)
    if problem is not None:
        return problem
    site = getattr(event, "site", None)
    if site is not None and site not in SITES:
        return "site", f"must be one of {list(SITES)}, got {site!r}"
    tier = getattr(event, "tier", None)
    if tier is not None and tier not in TIERS:
        return "tier", f"must be one of {list(TIERS)}, got {tier!r}"
    # fields typed as a Literal (agent states, dial results, directions...) were checked
    # by routing.events.event_from_json already; a PBX posts no callbacks, though:
    direction = getattr(event, "direction", None)
    if direction is not None and direction not in POSTED_DIRECTIONS:
        return "direction", f"must be one of {list(POSTED_DIRECTIONS)}, got {direction!r}"
    priority = getattr(event, "priority", None)
    if isinstance(priority, int) and not -MAX_PRIORITY <= priority <= MAX_PRIORITY:
        return "priority", f"must be within ±{MAX_PRIORITY}, got {priority}"
    if queues is not None and not isinstance(event, DialAttempted | DialResult | AgentStateChanged):
        for name in ("queue", "target_queue"):
            value = getattr(event, name, None)
            if value is None or (value == "" and not isinstance(event, ContactArrived)):
                continue  # not given (the field defaults to empty / none)
            if value not in queues:
                return name, f"must name an existing queue, got {value!r}"
    return None


def id_problem(event: Event, agents: Collection[str] | None) -> tuple[str, str] | None:
    """An id that is empty or malformed, or (with ``agents``) an agent nobody knows."""
    for name in ID_FIELDS:
        value = getattr(event, name, None)
        if value is None:
            continue  # not given (the field defaults to none)
        if not isinstance(value, str) or not _ID.match(value):
            return name, (f"must be 1 to 40 letters, digits or _ . : - (no spaces), "
                          f"got {value!r}")
        if agents is not None and name in AGENT_FIELDS and value not in agents:
            return name, f"must name an agent of the database (its login), got {value!r}"
    return None


def mentioned_agents(body: Any) -> set[str]:
    """The agent ids a raw body names (to look up only those)."""
    items = body if isinstance(body, list) else [body]
    return {item[name] for item in items[:MAX_EVENTS_PER_REQUEST] if isinstance(item, dict)
            for name in AGENT_FIELDS
            if isinstance(item.get(name), str) and _ID.match(item[name])}


def _known_names(request: Request, agent_ids: set[str]) -> tuple[set[str], set[str]]:
    """The queue names, and which of ``agent_ids`` are agents of the database."""
    agent_t = Agent.__table__  # type: ignore[attr-defined]
    with request.app.state.engine.connect() as conn:
        queues = set(conn.execute(select(Queue.name)).scalars())  # type: ignore[call-overload]
        known = set(conn.execute(select(agent_t.c.login).where(
            agent_t.c.login.in_(sorted(agent_ids)))).scalars()) if agent_ids else set()
    return queues, {str(a) for a in known}


@router.post("", status_code=201, response_model=Appended)
async def append_events(request: Request, user: Supervisor) -> Appended:
    raw = await request.body()
    try:
        body = json.loads(raw)
    except RecursionError:
        raise _invalid(["body"], "body is nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise _invalid(["body"], f"the body must be JSON: {exc}") from exc
    center = get_services(request).center
    queues, agents = await run_in_threadpool(_known_names, request, mentioned_agents(body))
    events = parse_events(body, now=center.clock.now(), queues=queues, agents=agents)
    release_connection(request)  # waiting for the task must not hold a pooled connection
    try:  # keep=False: these events change nothing in the engine, a 503 drops them
        stored = await center.submit(lambda eng, now: list(events), keep=False)
    except EventsRefused as exc:  # the database refused them for their content: 422
        loc: list[str | int] = ["body"]
        if exc.field:
            loc.append(exc.field)
        raise _invalid(loc, str(exc)) from exc
    except StoreUnavailable as exc:
        raise ServiceUnavailable(str(exc)) from exc
    return Appended(seqs=[seq for seq, _ in stored])


@router.get("", response_model=EventPage)
def replay_events(
    request: Request,
    user: Supervisor,
    after_seq: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> EventPage:
    store = get_services(request).store
    page = store.read(after_seq=after_seq, limit=limit)
    return EventPage(
        events=[StoredEvent(seq=seq, event=event.to_json()) for seq, event in page],
        last_seq=store.last_seq(),
    )
