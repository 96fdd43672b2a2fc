"""The event types every part of contactops speaks.

Every contact, live or simulated, produces the same records: the routing
engine emits them, the event store keeps them, and the KPI engine, the
wallboard and the reports read them. An event is a frozen, slotted dataclass
with ``at`` (seconds on the clock in use: Unix epoch seconds, UTC, on the live
server; seconds since the scenario's epoch in a simulation) and the ids it
concerns.

Stable JSON form
----------------
``event.to_json()`` gives ``{"type": <snake_case name>, "at": <float>, ...fields}``
with every field a JSON scalar; :func:`event_from_json` reads it back. Field
names and type names are a contract with stored logs: add fields with
defaults, never rename or remove them.

The store
---------
:class:`EventStore` is the protocol of an append-only log: ``append`` returns
only once the events are durable (an event acknowledged is an event stored)
and gives each a sequence number; ``replay`` yields them back in order.
:class:`MemoryEventStore` is the in-process store used by the simulator and by
tests; the database store lives in ``app/`` and follows the same protocol.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any, ClassVar, Literal, Protocol, get_args, get_origin, get_type_hints

JsonScalar = str | int | float | bool | None

#: Customer value tiers, highest value first. The order is the routing priority
#: order before ageing.
TIERS: tuple[str, ...] = ("private_banker", "platinum", "gold", "silver", "core", "inactive")
#: The bank's VIP callers: its two top value tiers (routing's goals, the wallboard, QA, the seed).
VIP_TIERS: tuple[str, ...] = ("private_banker", "platinum")


@dataclass(frozen=True, slots=True)
class ServiceLevelGoal:
    """Answer ``target`` (a fraction) of the contacts within ``threshold_seconds``."""

    threshold_seconds: float
    target: float

    def __post_init__(self) -> None:
        if not (self.threshold_seconds > 0 and math.isfinite(self.threshold_seconds)):
            raise ValueError(f"threshold_seconds must be > 0, got {self.threshold_seconds!r}")
        if not 0 < self.target <= 1:
            raise ValueError(f"target must be in (0, 1], got {self.target!r}")


#: The bank's promise to its VIP callers (:data:`VIP_TIERS`): 90 % answered within 10 s.
VIP_GOAL = ServiceLevelGoal(10.0, 0.9)
#: Everyone else's goal: 80 % answered within 20 s.
GENERAL_GOAL = ServiceLevelGoal(20.0, 0.8)


def default_goal(tier: str) -> ServiceLevelGoal:
    """The bank's goal for a caller of ``tier``: :data:`VIP_GOAL` for the VIP tiers,
    :data:`GENERAL_GOAL` for every other tier (unknown ones included)."""
    return VIP_GOAL if tier in VIP_TIERS else GENERAL_GOAL


#: The default goal of every tier (a queue that sets none has these).
DEFAULT_SERVICE_LEVEL_GOALS: Mapping[str, ServiceLevelGoal] = MappingProxyType(
    {tier: default_goal(tier) for tier in TIERS})


@dataclass(frozen=True, slots=True)
class ServiceLevelGoals:
    """The one table of service-level goals, per queue and caller tier.

    Routing (``QueueConfig.service_level_goals``), the wallboard, the QA report and the
    demo seed all read their thresholds from here: ``goal(queue, tier)`` is the queue's
    goal for the tier, else :func:`default_goal` of the tier.
    """

    by_queue: Mapping[str, Mapping[str, ServiceLevelGoal]] = field(
        default_factory=lambda: MappingProxyType({}))

    def goal(self, queue: str, tier: str) -> ServiceLevelGoal:
        return self.by_queue.get(queue, {}).get(tier) or default_goal(tier)

    def threshold_seconds(self, queue: str, tier: str) -> float:
        """``T`` of a caller of ``tier`` in ``queue``: the wait within which it counts as served."""
        return self.goal(queue, tier).threshold_seconds


#: The results a dial can end with (``DialResult.result``).
DialResultName = Literal["connected", "no_answer", "busy", "machine", "invalid", "abandoned"]
DIAL_RESULTS: tuple[DialResultName, ...] = (
    "connected", "no_answer", "busy", "machine", "invalid", "abandoned",
)
#: Where a contact goes: a call in, a connected outbound dial, a callback placed as a contact.
Direction = Literal["inbound", "outbound", "callback"]
DIRECTIONS: tuple[Direction, ...] = ("inbound", "outbound", "callback")
#: The agent states of routing's state machine (``routing.agent_state.AgentState`` values).
AgentStateName = Literal[
    "logged_out", "not_ready", "ready", "reserved", "talking", "hold", "wrap_up"]
AGENT_STATE_NAMES: tuple[AgentStateName, ...] = (
    "logged_out", "not_ready", "ready", "reserved", "talking", "hold", "wrap_up")
#: Why a contact ended other than by a conversation's end: a callback closed unreached.
EndReason = Literal["callback_failed"]
#: How an outbound dial was placed.
DialMode = Literal["preview", "progressive", "predictive"]
#: Why a ringing offer went back: nobody answered in time, or the agent declined it.
OfferTimeoutReason = Literal["ring_no_answer", "declined"]
#: What an offer is to the customer: a product they do not hold (cross-sell), a better
#: one of a kind they hold (up-sell), keeping one they want to close (retention).
OfferKind = Literal["cross_sell", "up_sell", "retention"]
#: How an offer went: put to the customer (made), then accepted (a sale), declined, or
#: left for a later call (follow_up: a lead for outbound).
OfferResult = Literal["made", "accepted", "declined", "follow_up"]
#: Whom a call reached, as the agent says at wrap-up: the customer themself (a right-party
#: contact), someone else who knows them (family, a colleague: a third party), or somebody
#: who does not (a wrong number).
Party = Literal["right_party", "third_party", "wrong_party"]
PARTIES: tuple[Party, ...] = ("right_party", "third_party", "wrong_party")
#: How a consultation ended (:class:`ConsultEnded`).
ConsultOutcome = Literal["completed", "cancelled", "no_answer", "declined", "caller_hung_up"]


@dataclass(frozen=True, slots=True)
class Event:
    """Base of all events: ``at`` in seconds on the clock in use."""

    type_name: ClassVar[str] = "event"
    at: float

    def to_json(self) -> dict[str, JsonScalar]:
        """The stable JSON form: ``type``, ``at`` and the event's own fields."""
        out: dict[str, JsonScalar] = {"type": self.type_name}
        for f in dataclasses.fields(self):
            out[f.name] = getattr(self, f.name)
        return out


# --- contacts -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContactArrived(Event):
    """A contact reached the center (inbound call, callback due, or outbound connect)."""

    contact_id: str
    queue: str
    tier: str = "core"
    direction: Direction = "inbound"
    customer_id: str | None = None
    preferred_agent_id: str | None = None
    site: str | None = None


@dataclass(frozen=True, slots=True)
class ContactQueued(Event):
    """The contact waits in ``queue`` with the given base ``priority`` (lower is served first)."""

    contact_id: str
    queue: str
    priority: int = 0


@dataclass(frozen=True, slots=True)
class ContactOffered(Event):
    """The contact is offered (rung) to one agent; the agent is reserved.

    ``callback`` is true when the contact is a scheduled callback: the agent is
    offered an outbound dial to the customer rather than a ringing inbound call.
    """

    contact_id: str
    agent_id: str
    queue: str = ""
    callback: bool = False


@dataclass(frozen=True, slots=True)
class ContactOfferTimedOut(Event):
    """The agent did not answer within the ring timeout; the contact goes back to its place.

    ``reason`` is ``ring_no_answer`` (timeout) or ``declined`` (the agent went
    not-ready while it rang).
    """

    contact_id: str
    agent_id: str
    queue: str = ""
    reason: OfferTimeoutReason = "ring_no_answer"


@dataclass(frozen=True, slots=True)
class ContactAnswered(Event):
    """An agent answered: the wait of this contact ends here."""

    contact_id: str
    agent_id: str
    queue: str = ""


@dataclass(frozen=True, slots=True)
class ContactHeld(Event):
    contact_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class ContactRetrieved(Event):
    contact_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class ContactTransferred(Event):
    """The agent transferred the contact to a queue or to another agent."""

    contact_id: str
    agent_id: str
    target_queue: str | None = None
    target_agent_id: str | None = None


@dataclass(frozen=True, slots=True)
class ContactAbandoned(Event):
    """The caller hung up before being answered."""

    contact_id: str
    queue: str = ""


@dataclass(frozen=True, slots=True)
class CallbackScheduled(Event):
    """The caller accepted a callback; the contact keeps its place in the queue.

    ``due_at`` is None for the caller's acceptance (dialled as soon as an agent is
    free); after a dial that did not reach the customer it is when the retry is due
    (the callback is not offered before then).
    """

    contact_id: str
    queue: str = ""
    due_at: float | None = None


@dataclass(frozen=True, slots=True)
class CallbackOffered(Event):
    """The expected wait is over the policy's limit: the caller is offered a callback.

    ``expected_wait_seconds`` is None when no agent is staffed for the queue
    (the wait has no finite estimate; JSON has no infinity).
    """

    contact_id: str
    queue: str = ""
    expected_wait_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class ContactEnded(Event):
    """The conversation ended (hang-up by either side); wrap-up may follow.

    ``reason`` is None for a conversation that ended, ``callback_failed`` for a
    callback closed after its last dial that did not reach the customer.
    """

    contact_id: str
    agent_id: str | None = None
    queue: str = ""
    reason: EndReason | None = None


@dataclass(frozen=True, slots=True)
class WrapUpEnded(Event):
    """The agent finished after-call work, with an optional disposition code, the
    contact reason the agent chose (first-contact resolution groups by it) and, for an
    outbound call, whom it reached (``party``: a right-party contact is ``right_party``;
    None when not said, as in logs written before it existed)."""

    contact_id: str
    agent_id: str
    disposition: str | None = None
    reason: str | None = None
    party: Party | None = None


@dataclass(frozen=True, slots=True)
class ContactTransferTimedOut(Event):
    """A contact transferred to ``agent_id``, who was not ready, waited the policy's limit
    for them; it goes back to ``queue`` at its original place."""

    contact_id: str
    agent_id: str
    queue: str = ""


@dataclass(frozen=True, slots=True)
class ConsultStarted(Event):
    """The agent put the caller on hold and calls ``colleague_id`` first (a consult before a
    transfer); the colleague is rung (reserved). ``target_queue``: the colleague was the next
    free agent of that queue, None when called by name."""

    contact_id: str
    agent_id: str
    colleague_id: str
    target_queue: str | None = None


@dataclass(frozen=True, slots=True)
class ConsultAnswered(Event):
    """The colleague answered the consult call: the two agents talk, the caller still holds."""

    contact_id: str
    agent_id: str
    colleague_id: str


@dataclass(frozen=True, slots=True)
class ConsultEnded(Event):
    """The consult is over: ``completed`` (the caller is now with the colleague: a transfer),
    ``cancelled`` (the caller stays on hold with the agent), ``no_answer`` (the colleague's
    ring timed out), ``declined`` (the colleague went not ready while it rang) or
    ``caller_hung_up``."""

    contact_id: str
    agent_id: str
    colleague_id: str
    outcome: ConsultOutcome = "cancelled"


# --- outbound -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DialAttempted(Event):
    """An outbound dial to a lead was placed."""

    contact_id: str
    campaign: str
    customer_id: str | None = None
    agent_id: str | None = None
    mode: DialMode = "predictive"


@dataclass(frozen=True, slots=True)
class DialResult(Event):
    """Outcome of a dial: connected, no_answer, busy, machine, invalid, or abandoned (no agent free).

    For a callback's dial, ``campaign`` is the contact's queue, ``agent_id`` the agent
    who dialled and ``attempt`` the dial's number for this contact (1 = first; 0 when
    not counted).
    """

    contact_id: str
    campaign: str
    result: DialResultName
    agent_id: str | None = None
    attempt: int = 0


# --- outcomes of a contact ----------------------------------------------------------
# Facts the ACD does not see but the KPIs need: recorded by the agent desktop, the IVR,
# a survey or an importer, on the contact they belong to.


@dataclass(frozen=True, slots=True)
class OfferRecorded(Event):
    """An agent put ``offer`` (a product code) to the contact's customer, with its result.

    An offer's life is one event per step: ``made`` when put to the customer, then
    ``accepted`` (a sale), ``declined`` or ``follow_up``. ``amount`` is the sale's value
    in the bank's currency when known.
    """

    contact_id: str
    agent_id: str
    offer: str
    kind: OfferKind = "cross_sell"
    result: OfferResult = "made"
    customer_id: str | None = None
    amount: float | None = None


@dataclass(frozen=True, slots=True)
class PromiseToPay(Event):
    """A debtor promised on ``contact_id`` to pay ``amount`` (the bank's currency) of the
    debt ``product_id`` (a loan; None: the customer's debt as a whole) by ``due_on``
    (an ISO date, ``YYYY-MM-DD``, the center's calendar). Whether it was kept is
    :mod:`qa.promises`' question, answered from the payments later imported."""

    contact_id: str
    agent_id: str
    customer_id: str
    amount: float
    due_on: str
    product_id: str | None = None


@dataclass(frozen=True, slots=True)
class SelfServiceEnded(Event):
    """The caller's self-service (IVR) part ended: ``completed`` when the caller was served
    there and needed no agent; ``seconds`` spent in it."""

    contact_id: str
    queue: str = ""
    completed: bool = False
    seconds: float = 0.0
    customer_id: str | None = None


@dataclass(frozen=True, slots=True)
class ComplaintRecorded(Event):
    """A complaint was raised on this contact (``category`` a code such as ``fees``)."""

    contact_id: str
    category: str
    agent_id: str | None = None
    customer_id: str | None = None


@dataclass(frozen=True, slots=True)
class SurveyAnswered(Event):
    """The customer answered the post-contact satisfaction survey: ``score`` from 1 to 5."""

    contact_id: str
    score: int
    agent_id: str | None = None


# --- agents ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgentStateChanged(Event):
    """An agent moved from ``previous`` to ``state`` (see routing's agent state machine).

    ``reason`` is the agent's reason code (not-ready reasons such as ``break``);
    ``actor`` is who forced the move when it was not the agent nor the engine
    (a supervisor's username), None otherwise.
    """

    agent_id: str
    state: AgentStateName
    previous: AgentStateName | None = None
    reason: str | None = None
    actor: str | None = None


EVENT_TYPES: tuple[type[Event], ...] = (
    ContactArrived,
    ContactQueued,
    ContactOffered,
    ContactOfferTimedOut,
    ContactAnswered,
    ContactHeld,
    ContactRetrieved,
    ContactTransferred,
    ContactAbandoned,
    CallbackScheduled,
    ContactEnded,
    WrapUpEnded,
    DialAttempted,
    DialResult,
    AgentStateChanged,
    CallbackOffered,
    ContactTransferTimedOut,
    OfferRecorded,
    SelfServiceEnded,
    ComplaintRecorded,
    SurveyAnswered,
    ConsultStarted,
    ConsultAnswered,
    ConsultEnded,
    PromiseToPay,
)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


for _cls in EVENT_TYPES:
    _cls.type_name = _snake(_cls.__name__)

EVENT_BY_TYPE: dict[str, type[Event]] = {cls.type_name: cls for cls in EVENT_TYPES}


def _fast_init(cls: type[Event]) -> None:
    """Give ``cls`` an ``__init__`` that fills its slots through their descriptors.

    The engine makes about ten events per call; the ``__init__`` that ``dataclass`` writes
    for a frozen class calls ``object.__setattr__`` once per field, which made event
    construction the largest single cost of a simulation. Setting each slot through its
    member descriptor is about three times as fast and keeps everything else: same
    signature and defaults (positional or keyword), still frozen (``__setattr__`` still
    raises), same equality, hash and JSON form.
    """
    fields = dataclasses.fields(cls)
    names = [f.name for f in fields]
    params = []
    scope: dict[str, Any] = {}
    for f in fields:
        scope[f"_set_{f.name}"] = getattr(cls, f.name).__set__
        if f.default is dataclasses.MISSING:
            params.append(f.name)
        else:
            scope[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
    body = "".join(f"    _set_{n}(self, {n})\n" for n in names)
    source = f"def __init__(self, {', '.join(params)}):\n{body}"
    exec(source, scope)  # noqa: S102  (generated from the dataclass's own field names)
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init  # type: ignore[method-assign]


for _cls in EVENT_TYPES:
    _fast_init(_cls)


class EventFormatError(ValueError):
    """A JSON record does not describe a known event; the message names the field."""


#: Longest text a field may carry: ids, queue and campaign names fit the event log's
#: 40-character columns; free text (reasons, dispositions) is kept short as well.
MAX_ID_LENGTH = 40
MAX_TEXT_LENGTH = 200
_ID_FIELDS = frozenset({"contact_id", "agent_id", "customer_id", "preferred_agent_id",
                        "target_agent_id", "queue", "target_queue", "campaign",
                        "colleague_id", "product_id", "due_on"})
#: 64-bit signed range: what the database's integer columns hold.
_INT_LIMIT = 2**63


def _read_number(kind: str, name: str, value: Any, *, integer: bool) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        wanted = "a whole number" if integer else "a number"
        raise EventFormatError(f"{kind}.{name} must be {wanted}, got {value!r}")
    if integer:
        if isinstance(value, float):
            if not value.is_integer():
                raise EventFormatError(f"{kind}.{name} must be a whole number, got {value!r}")
            value = int(value)
        whole = int(value)
        if not -_INT_LIMIT <= whole < _INT_LIMIT:
            raise EventFormatError(f"{kind}.{name} is out of range, got {value!r}")
        return whole
    number = float(value)
    if not math.isfinite(number):
        raise EventFormatError(f"{kind}.{name} must be a finite number, got {value!r}")
    return number


def _read_text(kind: str, name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise EventFormatError(f"{kind}.{name} must be a string, got {value!r}")
    limit = MAX_ID_LENGTH if name in _ID_FIELDS else MAX_TEXT_LENGTH
    if len(value) > limit:
        raise EventFormatError(f"{kind}.{name} must be at most {limit} characters")
    if "\x00" in value:
        raise EventFormatError(f"{kind}.{name} must not contain NUL characters")
    return value


def _read_field(kind: str, f: dataclasses.Field[Any], value: Any) -> Any:
    """Coerce and check one field against its annotation (``str``, ``int``, ``float``, ``bool``,
    optionally ``| None``)."""
    annotation = str(f.type)
    if value is None:
        if "None" in annotation:
            return None
        raise EventFormatError(f"{kind}.{f.name} must not be null")
    base = annotation.replace("| None", "").strip()
    if base == "float":
        return _read_number(kind, f.name, value, integer=False)
    if base == "int":
        return _read_number(kind, f.name, value, integer=True)
    if base == "bool":
        if not isinstance(value, bool):
            raise EventFormatError(f"{kind}.{f.name} must be true or false, got {value!r}")
        return value
    return _read_text(kind, f.name, value)


def _literal_values(hint: Any) -> tuple[str, ...]:
    """The values a ``Literal[...]`` (or ``Literal[...] | None``) annotation allows; () else."""
    if get_origin(hint) is Literal:
        return tuple(get_args(hint))
    return tuple(v for arg in get_args(hint) for v in _literal_values(arg))


_CHOICES: dict[type[Event], dict[str, tuple[str, ...]]] = {}


def field_choices(cls: type[Event]) -> dict[str, tuple[str, ...]]:
    """For each field of ``cls`` typed as a ``Literal``, the values it may take."""
    found = _CHOICES.get(cls)
    if found is None:
        hints = get_type_hints(cls)
        found = {f.name: v for f in dataclasses.fields(cls)
                 if (v := _literal_values(hints[f.name]))}
        _CHOICES[cls] = found
    return found


def event_from_json(data: Mapping[str, Any]) -> Event:
    """Read an event back from its JSON form, strictly.

    Unknown keys are an error, not ignored; every field must have its annotated type (a
    string is not a number, an integer id is not a string id), numbers must be finite, texts
    short (ids at most :data:`MAX_ID_LENGTH` characters) and free of NUL characters, and a
    field typed as a ``Literal`` one of its values (:func:`field_choices`). Errors
    are :class:`EventFormatError` naming ``<type>.<field>``.
    """
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in EVENT_BY_TYPE:
        raise EventFormatError(f"type must be one of {sorted(EVENT_BY_TYPE)}, got {kind!r}")
    cls = EVENT_BY_TYPE[kind]
    names = {f.name: f for f in dataclasses.fields(cls)}
    extra = set(data) - set(names) - {"type"}
    if extra:
        raise EventFormatError(f"{kind} has no field {min(extra)!r}")
    kwargs: dict[str, Any] = {}
    for name, f in names.items():
        if name not in data:
            if f.default is dataclasses.MISSING:
                raise EventFormatError(f"{kind}.{name} is required")
            continue
        kwargs[name] = _read_field(kind, f, data[name])
        allowed = field_choices(cls).get(name)
        if allowed and kwargs[name] is not None and kwargs[name] not in allowed:
            raise EventFormatError(
                f"{kind}.{name} must be one of {list(allowed)}, got {kwargs[name]!r}")
    event = cls(**kwargs)
    check_values(event)
    return event


def stored_event(data: Mapping[str, Any]) -> Event:
    """An event back from a JSON form that :func:`event_from_json` (or the code that made
    it) already checked, such as an event log's own rows: no checks beyond the type and the
    field names, for reports that read hundreds of thousands of them (about four times as
    fast)."""
    kind = data.get("type")
    cls = EVENT_BY_TYPE.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise EventFormatError(f"type must be one of {sorted(EVENT_BY_TYPE)}, got {kind!r}")
    try:
        return cls(**{k: v for k, v in data.items() if k != "type"})
    except TypeError as exc:
        raise EventFormatError(f"{kind}: {exc}") from None


def check_values(event: Event) -> None:
    """The checks of an event's values beyond their types (:func:`event_from_json` and the
    stores make them): a :class:`PromiseToPay`'s amount is > 0 and its due day an ISO date
    (``YYYY-MM-DD``). :class:`EventFormatError` names the field."""
    if not isinstance(event, PromiseToPay):
        return
    if not event.amount > 0:
        raise EventFormatError(f"promise_to_pay.amount must be > 0, got {event.amount!r}")
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", event.due_on):
            raise ValueError(event.due_on)
        date.fromisoformat(event.due_on)
    except ValueError:
        raise EventFormatError(
            f"promise_to_pay.due_on must be a day YYYY-MM-DD, got {event.due_on!r}") from None


class EventStore(Protocol):
    """An append-only, ordered, durable event log."""

    def append(self, events: Iterable[Event]) -> list[int]:
        """Store events durably and return their sequence numbers (ascending)."""
        ...

    def replay(self, after_seq: int = 0) -> Iterator[tuple[int, Event]]:
        """Yield ``(seq, event)`` for every event with ``seq > after_seq``, in order."""
        ...


class MemoryEventStore:
    """In-process :class:`EventStore`: a list. Used by the simulator and tests."""

    def __init__(self) -> None:
        self._events: list[Event] = []

    def append(self, events: Iterable[Event]) -> list[int]:
        start = len(self._events)
        self._events.extend(events)
        return list(range(start + 1, len(self._events) + 1))

    def replay(self, after_seq: int = 0) -> Iterator[tuple[int, Event]]:
        for i in range(max(after_seq, 0), len(self._events)):
            yield i + 1, self._events[i]

    @property
    def events(self) -> list[Event]:
        return list(self._events)

    def __len__(self) -> int:
        return len(self._events)
