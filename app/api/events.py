"""The event log over HTTP: append events produced elsewhere (a PBX adapter), replay the log.

``POST /api/events`` takes one event or a list of events in their JSON form
(:meth:`routing.events.Event.to_json`) and answers 201 with their sequence
numbers only after they are committed; they are then published like the
engine's own events. Nothing is stored unless every event of the request is
valid; a bad one is a 422 naming it (``body.<index>.<field>``).

``GET /api/events?after_seq=&limit=`` replays the log in order.
Roles: supervisor (and admin).
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

from app.api.console import ServiceUnavailable
from app.auth import require_role
from app.eventlog import check_storable
from app.live import get_services
from app.live.center import StoreUnavailable
from app.models import User
from routing.events import Event, EventFormatError, event_from_json

router = APIRouter(prefix="/api/events", tags=["events"])

Supervisor = Annotated[User, Depends(require_role("supervisor"))]

MAX_EVENTS_PER_REQUEST = 1000
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


def parse_events(body: Any) -> list[Event]:
    """Events from a JSON body (one object or a list); 422 naming the field of the first bad one."""
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
        events.append(event)
    return events


@router.post("", status_code=201, response_model=Appended)
async def append_events(request: Request, user: Supervisor) -> Appended:
    raw = await request.body()
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _invalid(["body"], f"the body must be JSON: {exc}") from exc
    events = parse_events(body)
    center = get_services(request).center
    try:
        stored = await center.submit(lambda eng, now: list(events))
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
