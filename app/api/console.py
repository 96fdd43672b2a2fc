"""The agent console API: the softphone's buttons, applied by the live center's engine task.

Every action names no agent: it acts for the agent linked to the logged-in user
(``User.agent_id`` → ``Agent.login``, the engine's agent id). Actions on a
contact take the agent's current one (offered, talking, on hold or, for
wrap-up, the last) unless ``contact_id`` is given.

Consult transfer (:mod:`routing.consult`): ``POST /consult`` holds the caller and rings a
colleague (``agent``, or the next free agent of ``queue``) with a note; the colleague's
``POST /consult/answer`` takes the consult call; then ``POST /consult/complete`` hands the
caller to the colleague (the note travels with the call) or ``POST /consult/cancel``
(either agent) ends it, the caller still on hold with the first agent. The state's
``consult`` says which side of a consult in progress the agent is on.

Errors: a move the state machine forbids is 409 naming both states, an unknown
contact 404, a user without an agent 403; a bad body 422 naming the field.
Every response is the agent's state after the action, returned once its
events are stored. A 503 means the event store could not be reached: the action was
applied and its events are kept for the next append (see
:class:`app.live.center.StoreUnavailable`), or, when the request's own database lookups
found the pool busy, nothing was done at all.

Handlers look the agent up in a worker thread and give the request's database connection
back before they wait for the engine task (:func:`app.deps.release_connection`): a burst
of agents must never hold every pooled connection while the task waits for one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from app.agenda_results import record_connected_dial
from app.api.console_day import center_now
from app.api.errors import Conflict, DomainError, Forbidden, NotFound
from app.auth import require_role
from app.auth.login_limits import client_ip
from app.customer_access import AccessEntry, log_access
from app.deps import SessionDep, release_connection, release_session
from app.live import agent_specs_for, get_services
from app.live.center import Action, StoreUnavailable
from app.models import Agent, Channel, ContactHistory, Customer, User
from app.pool_claims import release_claims
from app.preview_dial import PreviewDial, preview_dials
from app.promises_to_pay import PromiseBody, check_promise, promise_event, promise_row
from app.queries import CENTER_TZ, add_contact
from routing.engine import RoutingEngine
from routing.errors import RoutingError, UnknownAgent, UnknownId
from routing.events import Event, JsonScalar, Party
from routing.policy import CallbackDialFailure

router = APIRouter(prefix="/api/console", tags=["console"])

AgentUser = Annotated[User, Depends(require_role("agent"))]

CODE_PATTERN = r"^[A-Za-z0-9_\-]{1,40}$"
ID_PATTERN = r"^[A-Za-z0-9_.:\-]{1,40}$"


class ServiceUnavailable(DomainError):
    status = 503


class ContactRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contact_id: str | None = Field(default=None, pattern=ID_PATTERN,
                                   description="default: the agent's current contact")


class NotReadyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(pattern=CODE_PATTERN, description="reason code, e.g. break, lunch")


class TransferBody(ContactRef):
    queue: str | None = Field(default=None, pattern=ID_PATTERN)
    agent: str | None = Field(default=None, pattern=ID_PATTERN)
    note: str = Field(default="", max_length=500,
                      description="a note for whoever takes the call next (travels with it)")

    @model_validator(mode="after")
    def _one_target(self) -> TransferBody:
        if (self.queue is None) == (self.agent is None):
            raise ValueError("give exactly one of queue or agent")
        return self


class ConsultBody(TransferBody):
    """Call a colleague first: ``agent`` by login, or the next free agent of ``queue``; the
    note is shown to the colleague now and travels with the call if the transfer completes."""


class CallbackNotReachedBody(ContactRef):
    result: CallbackDialFailure = Field(
        default="no_answer",
        description="what the dial of the callback got; 'invalid' closes it at once, others "
                    "retry later up to the policy's callback_max_attempts")


class WrapUpBody(ContactRef):
    disposition: str | None = Field(default=None, pattern=CODE_PATTERN)
    reason: str | None = Field(default=None, pattern=CODE_PATTERN,
                               description="the contact reason the agent chose")
    notes: str = Field(default="", max_length=2000)
    party: Party | None = Field(default=None, description="whom an outbound call reached: "
                                "right_party (the customer), third_party or wrong_party")
    promise: PromiseBody | None = Field(default=None,
                                        description="a promise to pay made on the call")


class ConsoleContact(BaseModel):
    contact_id: str
    queue: str
    tier: str
    state: str
    direction: str
    customer_id: str | None
    arrived_at: float
    callback: bool
    #: the note of the agent who transferred this call here, if any
    transfer_note: str | None = None
    transferred_by: str | None = None


class ConsoleConsult(BaseModel):
    """A consult in progress, as one of its two agents sees it."""

    #: ``consulting``: this agent holds the caller and called the colleague;
    #: ``colleague``: this agent is being consulted (rung, or talking with the first agent)
    role: Literal["consulting", "colleague"]
    contact_id: str
    agent_id: str
    colleague_id: str
    queue: str | None
    #: ``ringing`` until the colleague answers, then ``talking``
    state: Literal["ringing", "talking"]
    started_at: float
    note: str | None = None


class StoredEvent(BaseModel):
    """An event the action produced, with its sequence number in the event log."""

    seq: int
    event: dict[str, JsonScalar]


class ConsoleState(BaseModel):
    type: str = "state"
    agent_id: str
    state: str
    reason: str | None
    since: float | None
    contact: ConsoleContact | None
    #: a demo robot is working this agent; ``POST /login`` hands it over to the person
    robot: bool = False
    events: list[StoredEvent] = []
    #: ``{"pattern_hour", "message"}`` while the demo center plays a busy hour's calls
    #: outside business hours (as the wallboard snapshot's ``demo``), else None
    demo: dict[str, str] | None = None
    #: the policy's ring timeout: an offer not answered by then goes back (agent → not ready)
    ring_timeout_seconds: float | None = None
    #: the consult this agent is in (either side), else None
    consult: ConsoleConsult | None = None


# --- helpers ---------------------------------------------------------------------------


def agent_login(user: User, session: Session) -> str:
    """The engine id (login) of the user's agent; 403 when the user has none."""
    agent = session.get(Agent, user.agent_id) if user.agent_id else None
    if agent is None:
        raise Forbidden(f"user {user.username} is not linked to an agent")
    return str(agent.login)


async def released(session: Session, lookup: Callable[[], str]) -> str:
    """``lookup()`` (blocking database work) in a worker thread, then ``session``'s connection
    goes back to the pool, so no connection is held while the live center works."""

    def run_then_release() -> str:
        try:
            return lookup()
        finally:
            release_session(session)

    return await run_in_threadpool(run_then_release)


async def agent_login_released(user: User, session: Session) -> str:
    """:func:`agent_login` in a worker thread, then the session's connection goes back."""
    return await released(session, lambda: agent_login(user, session))


def transfer_notes(request: HTTPConnection) -> dict[str, tuple[str, str]]:
    """contact id → (from agent, note) of transferred calls, kept with the live center."""
    state = request.app.state
    notes: dict[str, tuple[str, str]] | None = getattr(state, "transfer_notes", None)
    if notes is None:
        notes = state.transfer_notes = {}
    return notes


def consult_notes(request: HTTPConnection) -> dict[str, tuple[str, str]]:
    """contact id → (consulting agent, note) of consults, kept with the live center until the
    consult ends (a completed consult's note becomes the call's transfer note)."""
    state = request.app.state
    notes: dict[str, tuple[str, str]] | None = getattr(state, "consult_notes", None)
    if notes is None:
        notes = state.consult_notes = {}
    return notes


def console_consult(request: HTTPConnection, engine: RoutingEngine,
                    login: str) -> ConsoleConsult | None:
    """The consult ``login`` is in (holding the caller, or consulted), from the engine."""
    try:
        view = engine.agent_view(login)
    except UnknownId:
        return None
    consult = engine.consult_of(view.contact_id) if view.contact_id is not None else None
    if consult is None or login not in (consult.agent_id, consult.colleague_id):
        return None
    _by, note = consult_notes(request).get(consult.contact_id, (None, None))
    return ConsoleConsult(
        role="consulting" if login == consult.agent_id else "colleague",
        contact_id=consult.contact_id, agent_id=consult.agent_id,
        colleague_id=consult.colleague_id, queue=consult.queue,
        state="ringing" if consult.answered_at is None else "talking",
        started_at=consult.started_at, note=note)


def console_state(request: HTTPConnection, login: str,
                  events: Sequence[tuple[int, Event]] = ()) -> ConsoleState:
    """The agent's state from the engine's views (logged_out if the engine does not know it)."""
    services = get_services(request)
    engine = services.center.engine
    ring = engine.policy.ring_timeout_seconds
    robots = services.robots
    robot = robots is not None and login in robots.driven
    demo_note = services.wallboard.demo_note
    demo = demo_note(services.center.clock.now()) if demo_note is not None else None
    try:
        view = engine.agent_view(login)
    except UnknownId:
        return ConsoleState(agent_id=login, state="logged_out", reason=None, since=None,
                            contact=None, robot=robot, demo=demo, ring_timeout_seconds=ring)
    cid = view.contact_id or (view.last_contact_id if view.state == "wrap_up" else None)
    contact = None
    if cid is not None:
        c = engine.contact_view(cid)
        by, note = transfer_notes(request).get(cid, (None, None))
        contact = ConsoleContact(contact_id=c.contact_id, queue=c.queue, tier=c.tier,
                                 state=c.state, direction=c.direction, customer_id=c.customer_id,
                                 arrived_at=c.arrived_at, callback=c.callback,
                                 transfer_note=note, transferred_by=by)
    return ConsoleState(agent_id=login, state=view.state, reason=view.reason,
                        since=view.state_since, contact=contact, robot=robot, demo=demo,
                        ring_timeout_seconds=ring,
                        consult=console_consult(request, engine, login),
                        events=[StoredEvent(seq=s, event=e.to_json()) for s, e in events])


def current_contact(engine: RoutingEngine, login: str, given: str | None) -> str:
    if given is not None:
        return given
    view = engine.agent_view(login)
    cid = view.contact_id or (view.last_contact_id if view.state == "wrap_up" else None)
    if cid is None:
        raise RoutingError(f"agent {login} has no contact (state {view.state})")
    return str(cid)


def own_contact(engine: RoutingEngine, login: str, contact_id: str) -> None:
    """409 when the contact is with another agent (404 comes from the engine if unknown)."""
    view = engine.contact_view(contact_id)
    if view.agent_id != login:
        raise RoutingError(f"contact {contact_id} is not with agent {login}")


async def run(request: Request, login: str, action: Action) -> ConsoleState:
    """Apply ``action`` in the engine task; map routing errors to 404/409."""
    center = get_services(request).center
    release_connection(request)  # waiting for the task must not hold a pooled connection
    try:
        stored = await center.submit(action)
    except UnknownId as exc:
        raise NotFound(str(exc)) from exc
    except StoreUnavailable as exc:
        raise ServiceUnavailable(str(exc)) from exc
    except ValueError as exc:  # RoutingError, IllegalTransition, bad arguments
        raise Conflict(str(exc)) from exc
    return console_state(request, login, stored)


#: ``step(engine, contact_id, now)``: an action on one contact.
ContactStep = Callable[[RoutingEngine, str, float], Sequence[Event]]


def on_contact(login: str, given: str | None, step: ContactStep) -> Action:
    """An action on the agent's contact: resolve it inside the task, check it is the agent's."""

    def act(eng: RoutingEngine, now: float) -> list[Event]:
        cid = current_contact(eng, login, given)
        own_contact(eng, login, cid)
        return list(step(eng, cid, now))

    return act


# --- routes ----------------------------------------------------------------------------


@router.get("/state", response_model=ConsoleState)
def state(request: Request, session: SessionDep, user: AgentUser) -> ConsoleState:
    return console_state(request, agent_login(user, session))


@router.post("/login", response_model=ConsoleState)
async def login(request: Request, session: SessionDep, user: AgentUser) -> ConsoleState:
    """Log the agent in (→ not_ready); a robot driving this agent hands it over to the person."""
    login_id = await agent_login_released(user, session)
    specs = await run_in_threadpool(agent_specs_for, request.app.state.engine, login_id)
    services = get_services(request)
    robots = services.robots
    if robots is not None:
        robots.release(login_id)

    def act(eng: RoutingEngine, now: float) -> list[Event]:
        events: list[Event] = []
        try:
            current = eng.agent_state(login_id)
        except UnknownAgent:
            if not specs:
                raise
            events += eng.add_agent(specs[0], now)
            current = eng.agent_state(login_id)
        if current.value == "logged_out":
            events += eng.login(login_id, now)
        return events

    return await run(request, login_id, act)


@router.post("/logout", response_model=ConsoleState)
async def logout(request: Request, session: SessionDep, user: AgentUser) -> ConsoleState:
    """Log the agent out; their claims on the unassigned pool go back to it."""
    login_id = await agent_login_released(user, session)
    out = await run(request, login_id, lambda eng, now: eng.logout(login_id, now))
    agent_id = user.agent_id
    if agent_id is not None:
        await run_in_threadpool(_release_claims, session, agent_id)
    return out


def _release_claims(session: Session, agent_id: int) -> None:
    try:
        release_claims(session, agent_id)
    finally:
        release_session(session)


@router.post("/ready", response_model=ConsoleState)
async def ready(request: Request, session: SessionDep, user: AgentUser) -> ConsoleState:
    login_id = await agent_login_released(user, session)
    return await run(request, login_id, lambda eng, now: eng.set_ready(login_id, now))


@router.post("/not-ready", response_model=ConsoleState)
async def not_ready(
    request: Request, session: SessionDep, user: AgentUser, body: NotReadyBody
) -> ConsoleState:
    login_id = await agent_login_released(user, session)
    return await run(request, login_id,
                     lambda eng, now: eng.set_not_ready(login_id, now, reason=body.reason))


@router.post("/answer", response_model=ConsoleState)
async def answer(
    request: Request, session: SessionDep, user: AgentUser, body: ContactRef | None = None
) -> ConsoleState:
    login_id = await agent_login_released(user, session)
    given = body.contact_id if body else None
    return await run(request, login_id, on_contact(
        login_id, given, lambda eng, cid, now: eng.answer(cid, login_id, now)))


@router.post("/hold", response_model=ConsoleState)
async def hold(
    request: Request, session: SessionDep, user: AgentUser, body: ContactRef | None = None
) -> ConsoleState:
    login_id = await agent_login_released(user, session)
    given = body.contact_id if body else None
    return await run(request, login_id, on_contact(
        login_id, given, lambda eng, cid, now: eng.hold(cid, now)))


@router.post("/retrieve", response_model=ConsoleState)
async def retrieve(
    request: Request, session: SessionDep, user: AgentUser, body: ContactRef | None = None
) -> ConsoleState:
    login_id = await agent_login_released(user, session)
    given = body.contact_id if body else None
    return await run(request, login_id, on_contact(
        login_id, given, lambda eng, cid, now: eng.retrieve(cid, now)))


@router.post("/transfer", response_model=ConsoleState)
async def transfer(
    request: Request, session: SessionDep, user: AgentUser, body: TransferBody
) -> ConsoleState:
    login_id = await agent_login_released(user, session)
    notes = transfer_notes(request)

    def step(eng: RoutingEngine, cid: str, now: float) -> list[Event]:
        events = list(eng.transfer(cid, now, to_queue=body.queue, to_agent=body.agent))
        if body.note.strip():
            notes[cid] = (login_id, body.note.strip())
        return events

    return await run(request, login_id, on_contact(login_id, body.contact_id, step))


@router.post("/consult", response_model=ConsoleState)
async def consult(
    request: Request, session: SessionDep, user: AgentUser, body: ConsultBody
) -> ConsoleState:
    """Consult first: the caller is put on hold and a colleague (``agent``, or the next free
    agent of ``queue``) is rung with the note; 409 when the colleague is not ready (or nobody
    of the queue is)."""
    login_id = await agent_login_released(user, session)
    notes = consult_notes(request)

    def step(eng: RoutingEngine, cid: str, now: float) -> list[Event]:
        events = eng.consult(cid, now, to_queue=body.queue, to_agent=body.agent)
        note = body.note.strip()
        if note:
            notes[cid] = (login_id, note)
        else:
            notes.pop(cid, None)
        return events

    return await run(request, login_id, on_contact(login_id, body.contact_id, step))


def consulted_contact(eng: RoutingEngine, login: str, given: str | None) -> str:
    """The contact of the consult ``login`` is in (either side); 409 when there is none."""
    cid = given or eng.agent_view(login).contact_id
    consult = eng.consult_of(cid) if cid is not None else None
    if cid is not None and consult is None:
        eng.contact_view(cid)  # 404 if unknown
    if consult is None or login not in (consult.agent_id, consult.colleague_id):
        raise RoutingError(f"agent {login} is in no consult"
                           + (f" on contact {cid}" if cid is not None else ""))
    return consult.contact_id


@router.post("/consult/answer", response_model=ConsoleState)
async def consult_answer(
    request: Request, session: SessionDep, user: AgentUser, body: ContactRef | None = None
) -> ConsoleState:
    """The consulted colleague takes the consult call (the caller stays on hold)."""
    login_id = await agent_login_released(user, session)
    given = body.contact_id if body else None

    def act(eng: RoutingEngine, now: float) -> list[Event]:
        return eng.answer_consult(consulted_contact(eng, login_id, given), login_id, now)

    return await run(request, login_id, act)


@router.post("/consult/complete", response_model=ConsoleState)
async def consult_complete(
    request: Request, session: SessionDep, user: AgentUser, body: ContactRef | None = None
) -> ConsoleState:
    """Complete the transfer: the caller goes to the colleague (with the consult's note), the
    agent to wrap-up. Only the agent holding the caller completes; 409 before the colleague
    answered."""
    login_id = await agent_login_released(user, session)
    given = body.contact_id if body else None
    transfers, consults = transfer_notes(request), consult_notes(request)

    def step(eng: RoutingEngine, cid: str, now: float) -> list[Event]:
        events = eng.complete_consult(cid, now)
        note = consults.pop(cid, None)
        if note is not None:
            transfers[cid] = note
        return events

    return await run(request, login_id, on_contact(login_id, given, step))


@router.post("/consult/cancel", response_model=ConsoleState)
async def consult_cancel(
    request: Request, session: SessionDep, user: AgentUser, body: ContactRef | None = None
) -> ConsoleState:
    """End the consult without a transfer (either agent): the colleague is ready again, the
    caller stays on hold with the first agent, who resumes."""
    login_id = await agent_login_released(user, session)
    given = body.contact_id if body else None
    consults = consult_notes(request)

    def act(eng: RoutingEngine, now: float) -> list[Event]:
        cid = consulted_contact(eng, login_id, given)
        events = eng.cancel_consult(cid, now)
        consults.pop(cid, None)
        return events

    return await run(request, login_id, act)


@router.post("/hangup", response_model=ConsoleState)
async def hangup(
    request: Request, session: SessionDep, user: AgentUser, body: ContactRef | None = None
) -> ConsoleState:
    login_id = await agent_login_released(user, session)
    given = body.contact_id if body else None
    return await run(request, login_id, on_contact(
        login_id, given, lambda eng, cid, now: eng.hang_up(cid, now)))


@router.post("/callback-not-reached", response_model=ConsoleState)
async def callback_not_reached(
    request: Request, session: SessionDep, user: AgentUser,
    body: CallbackNotReachedBody | None = None,
) -> ConsoleState:
    """The callback the agent dialled did not reach the customer (no answer, busy, a machine,
    or a number that does not work): the engine records the dial result, schedules a retry or
    closes the callback, and moves the agent to wrap-up (``RoutingEngine.callback_not_reached``).
    A contact that is not a callback is 409."""
    login_id = await agent_login_released(user, session)
    given = body.contact_id if body else None
    result = body.result if body else "no_answer"
    return await run(request, login_id, on_contact(
        login_id, given, lambda eng, cid, now: eng.callback_not_reached(cid, now, result=result)))


@router.post("/wrapup", response_model=ConsoleState)
async def wrapup(
    request: Request, session: SessionDep, user: AgentUser, body: WrapUpBody | None = None
) -> ConsoleState:
    """End the wrap-up (→ ready) with a disposition code, the contact reason and notes; the
    handled call goes into the customer's contact history (and the access log) too."""
    login_id = await agent_login_released(user, session)
    body = body or WrapUpBody()
    disposition, reason, party, promise = body.disposition, body.reason, body.party, body.promise
    handled = HandledCall()
    contact_id = body.contact_id
    today = center_now(request).astimezone(CENTER_TZ).date()
    debtor = None if promise is None else await run_in_threadpool(
        check_promise, session, promise, today)

    def act(eng: RoutingEngine, now: float) -> list[Event]:
        view = eng.agent_view(login_id)
        if contact_id is not None and view.last_contact_id != contact_id:
            eng.contact_view(contact_id)  # 404 if unknown
            raise RoutingError(f"agent {login_id} is not wrapping up contact {contact_id}")
        cid = contact_id or view.last_contact_id
        customer = eng.contact_view(cid).customer_id if cid is not None else None
        promised = promise_event(promise, debtor, cid, customer, login_id, now)
        events = list(eng.end_wrap_up(login_id, now, disposition=disposition, reason=reason,
                                      party=party))
        if cid is not None:
            handled.contact_id = cid
            handled.customer_id = customer
        return events + promised

    result = await run(request, login_id, act)
    notes = transfer_notes(request)
    done = handled.contact_id
    if done is not None and notes.get(done, (login_id,))[0] != login_id:
        notes.pop(done, None)  # the call's journey ends with its last agent
    if done is not None:
        consult_notes(request).pop(done, None)
    customer = handled.customer_id
    if done is not None and customer is not None and customer.isdigit():
        await run_in_threadpool(
            record_handled_call, session, user, client_ip(request), int(customer),
            done, disposition, reason, body.notes, promise)
    dials = preview_dials(request.app)
    dialled = dials.by_contact.get(done) if done is not None else None
    if dialled is not None and dialled.result == "connected":  # a call from the agenda
        now = center_now(request)
        await run_in_threadpool(record_dialled_call, session, user, client_ip(request),
                                dialled, now)
        dials.done(dialled)
    return result


def record_dialled_call(session: Session, user: User, ip: str, dial: PreviewDial,
                        now: datetime) -> None:
    """:func:`app.agenda_results.record_connected_dial`, then the connection goes back."""
    try:
        record_connected_dial(session, user, ip, dial, now)
    finally:
        release_session(session)


@dataclass
class HandledCall:
    """The contact a wrap-up closed and its customer (filled in by the engine task)."""

    contact_id: str | None = None
    customer_id: str | None = None


def record_handled_call(
    session: Session, user: User, ip: str, customer_id: int, contact_id: str,
    disposition: str | None, reason: str | None, notes: str,
    promise: PromiseBody | None = None,
) -> None:
    """The handled call and its disposition as a row of the customer's contact history
    (and a row ``promise_to_pay`` for a promise made on it), with its trace in the customer
    access log; a customer the database does not have (the engine's id is only a claim) is
    skipped."""
    try:
        if session.get(Customer, customer_id) is None:
            return
        now = datetime.now(UTC)
        add_contact(session, ContactHistory(
            customer_id=customer_id, channel=Channel.call_center.value, at=now,
            reason=(reason or "")[:60], notes=notes, outcome=(disposition or "")[:40],
            handled_by=user.username[:60]))
        if promise is not None:
            add_contact(session, promise_row(promise, customer_id, user.username, now))
        log_access(session, user, ip, [customer_id],
                   AccessEntry("write", ("history", "notes"), "current_contact",
                               f"wrap-up of {contact_id}"), now)
    finally:
        release_session(session)
