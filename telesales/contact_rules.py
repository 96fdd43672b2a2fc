"""Contact rules: may this customer be dialled now, and if not, which rule says no and until when.

Every outbound dial (telesales, collections, service calls) is checked against the rules of
its country and campaign type **before** it is placed, and the decision is kept with the dial
(:meth:`DialDecision.record`). Rules are data (:class:`ContactRules`, loadable from a JSON
object with :func:`rules_from_dict`), one set per country and campaign type
(:data:`BUILT_IN_RULES`); the check is a pure function of the rules, the customer, the
customer's dial history and the time, so it runs the same in the live dialler and the
simulator.

The rules, and the code of the refusal each one gives (``Refusal.rule``):

``calling_hours``
    Dial only inside the rule set's windows **in the customer's local time** (their
    ``time_zone``; ``days`` the weekdays allowed, and not on the country's public holidays
    when ``holidays_allowed`` is false). Korea: telemarketing 08:00-21:00 (the Network Act
    asks for a separate consent for advertising sent 21:00-08:00); collections: no contact
    21:00-08:00 (Fair Debt Collection Act).
``marketing_consent``
    Telesales only to customers who gave marketing consent.
``do_not_call``
    The customer's own do-not-call flag, and the industry do-not-call list (numbers
    imported into the suite), both checked on the number about to be dialled.
``debtor_blocked``
    Collections: the debtor's blocked hours (e.g. "not at work, 09:00-18:00 weekdays") and
    blocked channels (e.g. no phone calls).
``contact_frequency``
    Collections: at most ``max_contacts`` dial attempts per debt in any rolling
    ``contacts_window_days`` (Korea's guideline and the US Regulation F: 7 in 7 days).
    Attempts count whatever their outcome: a dial that rang out is a contact attempt.
``attempt_cap``
    At most ``max_attempts`` dials of one customer in one campaign.
``retry_interval``
    After a dial ended with a result, the next dial of that customer in that campaign waits
    ``retry_after[result]`` seconds (e.g. busy 15 min, no answer 2 h, machine 4 h).
``abandoned_quiet``
    No re-dial within ``abandoned_quiet_hours`` (72 h, after Ofcom) of a call the dialler
    abandoned (answered, no agent connected), in any campaign.
``ring_time``
    The dial must ring at least ``min_ring_seconds`` (15 s) before the dialler gives up.

A :class:`Refusal` carries ``until``: the first instant the rule no longer refuses (None when
waiting does not help: no consent, do-not-call, attempt cap, ring time). :func:`next_allowed`
uses it to find the first instant a dial is allowed, by jumping from refusal to refusal.

Times are aware :class:`datetime` objects (UTC or any zone); nothing here reads the clock.
This module imports only the standard library and :mod:`routing.events`.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from routing.events import DIAL_RESULTS, DialResultName

CampaignType = Literal["telesales", "collections", "service"]
CAMPAIGN_TYPES: tuple[CampaignType, ...] = ("telesales", "collections", "service")

RuleCode = Literal[
    "calling_hours", "marketing_consent", "do_not_call", "debtor_blocked",
    "contact_frequency", "attempt_cap", "retry_interval", "abandoned_quiet", "ring_time",
]
RULE_CODES: tuple[RuleCode, ...] = (
    "calling_hours", "marketing_consent", "do_not_call", "debtor_blocked",
    "contact_frequency", "attempt_cap", "retry_interval", "abandoned_quiet", "ring_time",
)

#: the channel of a dial (a debtor may block it)
PHONE = "phone"
#: how far :func:`next_allowed` looks ahead before it says "never"
HORIZON = timedelta(days=62)
#: bound on the jumps of :func:`next_allowed` (each jump passes at least one refusal)
MAX_JUMPS = 1000
ALL_DAYS: frozenset[int] = frozenset(range(7))


class ContactRulesError(ValueError):
    """A rule set, a customer or a history entry that cannot be used; ``field`` names it."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True, slots=True)
class Window:
    """Local wall-clock minutes of a day ``[start, end)``, 0 <= start < end <= 1440, on
    the weekdays ``days`` (Monday = 0)."""

    start: int
    end: int
    days: frozenset[int] = ALL_DAYS

    def contains(self, local: datetime) -> bool:
        minute = local.hour * 60 + local.minute + local.second / 60.0
        return local.weekday() in self.days and self.start <= minute < self.end


@dataclass(frozen=True, slots=True)
class ContactRules:
    """One country's rules for one campaign type (see the module docstring)."""

    name: str
    country: str
    campaign_type: CampaignType
    #: when dialling is allowed, in the customer's local time; empty: never
    calling_hours: tuple[Window, ...]
    holidays_allowed: bool = True
    require_marketing_consent: bool = False
    honour_do_not_call: bool = True
    honour_debtor_blocks: bool = False
    max_contacts: int | None = None
    contacts_window_days: int = 7
    max_attempts: int | None = None
    retry_after: Mapping[str, float] = field(default_factory=dict)
    abandoned_quiet_hours: float = 72.0
    min_ring_seconds: float = 15.0
    version: int = 1


@dataclass(frozen=True, slots=True)
class DialTarget:
    """The customer about to be dialled, as the rules see them. ``blocked_hours`` are the
    debtor's own windows in which they must not be contacted (local time);
    ``blocked_channels`` e.g. ``{"phone"}``; ``debt_id`` the debt a collection call is about."""

    customer_id: str
    number: str
    time_zone: str = "Asia/Seoul"
    marketing_consent: bool = False
    do_not_call: bool = False
    debt_id: str | None = None
    blocked_hours: tuple[Window, ...] = ()
    blocked_channels: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class PastDial:
    """A dial already placed to this customer: when, in which campaign (and its type), about
    which debt, and how it ended (None: no result yet)."""

    at: datetime
    campaign: str
    campaign_type: CampaignType
    result: DialResultName | None = None
    debt_id: str | None = None


@dataclass(frozen=True, slots=True)
class Refusal:
    """A rule that refuses the dial: its code, a sentence for the person reading the log,
    and ``until``, the first instant it no longer refuses (None: waiting does not help)."""

    rule: RuleCode
    detail: str
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class DialDecision:
    """The answer of :func:`check_dial`: allowed, or the refusals (every rule that says no)."""

    at: datetime
    rules: str
    rules_version: int
    refusals: tuple[Refusal, ...] = ()

    @property
    def allowed(self) -> bool:
        return not self.refusals

    def record(self) -> dict[str, object]:
        """What is stored with the dial: the rule set and its version, the time, and each
        refusal's rule and detail."""
        return {
            "at": self.at.isoformat(),
            "rules": self.rules,
            "rules_version": self.rules_version,
            "allowed": self.allowed,
            "refusals": [{"rule": r.rule, "detail": r.detail,
                          "until": r.until.isoformat() if r.until else None}
                         for r in self.refusals],
        }


def zone_of(name: str) -> ZoneInfo:
    """The time zone ``name`` (IANA), or :class:`ContactRulesError` naming ``time_zone``."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ContactRulesError("time_zone", f"unknown time zone {name!r}") from exc


def _aware(at: datetime, field_name: str) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ContactRulesError(field_name, "a time with its zone is needed")
    return at


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _in_windows(windows: Sequence[Window], local: datetime) -> bool:
    return any(w.contains(local) for w in windows)


def _next_local_instant(windows: Sequence[Window], now: datetime, zone: ZoneInfo,
                        holidays: Container[date] | None, *, inside: bool) -> datetime | None:
    """The first instant after ``now`` at which the local time is inside (``inside``) or
    outside all of ``windows`` (and, for ``inside``, not a holiday when ``holidays`` is
    given), looking at every window edge of the next 8 days; None if there is none."""
    local_now = now.astimezone(zone)
    edges: list[datetime] = []
    for offset in range(9):
        day = local_now.date() + timedelta(days=offset)
        for w in windows:
            for minute in (w.start, w.end):
                if minute >= 1440:
                    naive = datetime.combine(day + timedelta(days=1), time(0, 0))
                else:
                    naive = datetime.combine(day, time(minute // 60, minute % 60))
                # a wall-clock time skipped by a DST change maps to the instant after the gap
                instant = naive.replace(tzinfo=zone).astimezone(UTC)
                if instant > now:
                    edges.append(instant)
        # midnight (a holiday starts or ends there)
        edges.append(datetime.combine(day + timedelta(days=1), time(0, 0))
                     .replace(tzinfo=zone).astimezone(UTC))
    for instant in sorted(set(edges)):
        local = instant.astimezone(zone)
        ok = _in_windows(windows, local)
        if inside:
            if ok and (holidays is None or local.date() not in holidays):
                return instant
        elif not ok:
            return instant
    return None


def check_dial(
    rules: ContactRules,
    target: DialTarget,
    history: Iterable[PastDial],
    now: datetime,
    *,
    campaign: str,
    ring_seconds: float,
    channel: str = PHONE,
    industry_do_not_call: Container[str] = frozenset(),
    holidays: Container[date] = frozenset(),
) -> DialDecision:
    """Every rule of ``rules`` that refuses dialling ``target`` at ``now`` in ``campaign``
    (empty: allowed). ``history`` is the customer's past dials in every campaign;
    ``holidays`` the local dates of the customer's country's public holidays."""
    _aware(now, "now")
    zone = zone_of(target.time_zone)
    local = now.astimezone(zone)
    refusals: list[Refusal] = []

    holiday = not rules.holidays_allowed and local.date() in holidays
    if holiday or not _in_windows(rules.calling_hours, local):
        until = _next_local_instant(rules.calling_hours, now, zone,
                                    None if rules.holidays_allowed else holidays, inside=True)
        hours = ", ".join(f"{_hhmm(w.start)}-{_hhmm(w.end)}" for w in rules.calling_hours)
        why = "a public holiday" if holiday else f"{local:%a %H:%M} local time"
        refusals.append(Refusal("calling_hours",
                                f"{why} ({target.time_zone}) is outside calling hours "
                                f"{hours or 'none'}", until))

    if rules.require_marketing_consent and not target.marketing_consent:
        refusals.append(Refusal("marketing_consent", "no marketing consent"))

    if rules.honour_do_not_call:
        if target.do_not_call:
            refusals.append(Refusal("do_not_call", "the customer asked not to be called"))
        elif target.number in industry_do_not_call:
            refusals.append(Refusal("do_not_call",
                                    f"{target.number} is on the industry do-not-call list"))

    if rules.honour_debtor_blocks:
        if channel in target.blocked_channels:
            refusals.append(Refusal("debtor_blocked",
                                    f"the debtor blocked contact by {channel}"))
        if _in_windows(target.blocked_hours, local):
            until = _next_local_instant(target.blocked_hours, now, zone, None, inside=False)
            refusals.append(Refusal("debtor_blocked",
                                    f"{local:%a %H:%M} is in the debtor's blocked hours", until))

    past = sorted(history, key=lambda d: d.at)
    for d in past:
        _aware(d.at, "history.at")

    if rules.max_contacts is not None and target.debt_id is not None:
        window = timedelta(days=rules.contacts_window_days)
        recent = [d.at for d in past
                  if d.debt_id == target.debt_id and now - window < d.at <= now]
        if len(recent) >= rules.max_contacts:
            # the window frees a place when the oldest counted attempt leaves it
            until = recent[len(recent) - rules.max_contacts] + window
            refusals.append(Refusal(
                "contact_frequency",
                f"{len(recent)} contacts about debt {target.debt_id} in the last "
                f"{rules.contacts_window_days} days (at most {rules.max_contacts})", until))

    mine = [d for d in past if d.campaign == campaign and d.at <= now]
    if rules.max_attempts is not None and len(mine) >= rules.max_attempts:
        refusals.append(Refusal("attempt_cap",
                                f"{len(mine)} attempts in campaign {campaign} "
                                f"(at most {rules.max_attempts})"))
    if mine and mine[-1].result is not None:
        wait = rules.retry_after.get(mine[-1].result)
        if wait is not None and now < mine[-1].at + timedelta(seconds=wait):
            refusals.append(Refusal(
                "retry_interval",
                f"last dial ended {mine[-1].result} at {mine[-1].at.isoformat()}; "
                f"retry after {wait / 3600:g} h",
                mine[-1].at + timedelta(seconds=wait)))

    quiet = timedelta(hours=rules.abandoned_quiet_hours)
    abandoned = [d.at for d in past if d.result == "abandoned" and now - quiet < d.at <= now]
    if abandoned:
        refusals.append(Refusal(
            "abandoned_quiet",
            f"a call to this customer was abandoned at {abandoned[-1].isoformat()}; no re-dial "
            f"within {rules.abandoned_quiet_hours:g} h", abandoned[-1] + quiet))

    if ring_seconds < rules.min_ring_seconds:
        refusals.append(Refusal("ring_time",
                                f"ring time {ring_seconds:g} s is under "
                                f"{rules.min_ring_seconds:g} s"))

    return DialDecision(at=now, rules=rules.name, rules_version=rules.version,
                        refusals=tuple(refusals))


def next_allowed(
    rules: ContactRules,
    target: DialTarget,
    history: Sequence[PastDial],
    now: datetime,
    *,
    campaign: str,
    ring_seconds: float,
    channel: str = PHONE,
    industry_do_not_call: Container[str] = frozenset(),
    holidays: Container[date] = frozenset(),
    horizon: timedelta = HORIZON,
) -> datetime | None:
    """The first instant at or after ``now`` at which :func:`check_dial` allows the dial, or
    None when a refusal does not lift by waiting or not within ``horizon``. Bounded: at most
    :data:`MAX_JUMPS` checks."""
    at = _aware(now, "now")
    end = now + horizon
    for _ in range(MAX_JUMPS):
        decision = check_dial(rules, target, history, at, campaign=campaign,
                              ring_seconds=ring_seconds, channel=channel,
                              industry_do_not_call=industry_do_not_call, holidays=holidays)
        if decision.allowed:
            return at
        if any(r.until is None for r in decision.refusals):
            return None
        at = max(r.until for r in decision.refusals if r.until is not None)
        if at > end:
            return None
    return None


# --- rules as data ------------------------------------------------------------------------


def _window(value: object, field_name: str) -> Window:
    if not isinstance(value, Mapping):
        raise ContactRulesError(field_name, "expected an object with start and end")
    minutes: list[int] = []
    for key in ("start", "end"):
        text = value.get(key)
        if not isinstance(text, str) or len(text) != 5 or text[2] != ":":
            raise ContactRulesError(f"{field_name}.{key}", "expected HH:MM")
        try:
            hh, mm = int(text[:2]), int(text[3:])
        except ValueError as exc:
            raise ContactRulesError(f"{field_name}.{key}", "expected HH:MM") from exc
        if not (0 <= mm < 60 and (0 <= hh < 24 or (hh == 24 and mm == 0))):
            raise ContactRulesError(f"{field_name}.{key}", f"{text} is not a time of day")
        minutes.append(hh * 60 + mm)
    if minutes[0] >= minutes[1]:
        raise ContactRulesError(field_name, "start must be before end (split a range "
                                            "that crosses midnight in two)")
    days_value = value.get("days", list(range(7)))
    if (not isinstance(days_value, list) or not days_value
            or not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6
                       for d in days_value)):
        raise ContactRulesError(f"{field_name}.days", "expected weekdays 0 (Monday) to 6")
    return Window(minutes[0], minutes[1], frozenset(days_value))


def _number(data: Mapping[str, Any], key: str, default: float | None, *, integer: bool,
            minimum: float, maximum: float) -> Any:
    value = data.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or (
            integer and not isinstance(value, int)):
        raise ContactRulesError(key, "expected an integer" if integer else "expected a number")
    if not minimum <= value <= maximum:
        raise ContactRulesError(key, f"must be between {minimum:g} and {maximum:g}")
    return value


def _flag(data: Mapping[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise ContactRulesError(key, "expected true or false")
    return value


KNOWN_KEYS = frozenset({
    "name", "country", "campaign_type", "calling_hours", "holidays_allowed",
    "require_marketing_consent", "honour_do_not_call", "honour_debtor_blocks",
    "max_contacts", "contacts_window_days", "max_attempts", "retry_after",
    "abandoned_quiet_hours", "min_ring_seconds", "version"})


def rules_from_dict(data: object) -> ContactRules:
    """A rule set from its JSON object (the fields of :class:`ContactRules`; windows as
    ``{"start": "08:00", "end": "21:00", "days": [0, 1, 2, 3, 4]}``, ``retry_after`` in
    seconds per dial result). Raises :class:`ContactRulesError` naming the field."""
    if not isinstance(data, Mapping):
        raise ContactRulesError("rules", "expected an object")
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        raise ContactRulesError(unknown[0], "unknown field")
    name = data.get("name")
    if not isinstance(name, str) or not 0 < len(name) <= 80:
        raise ContactRulesError("name", "expected a name of 1 to 80 characters")
    country = data.get("country")
    if not isinstance(country, str) or len(country) != 2 or not country.isalpha():
        raise ContactRulesError("country", "expected a two-letter country code")
    kind = data.get("campaign_type")
    if kind not in CAMPAIGN_TYPES:
        raise ContactRulesError("campaign_type", f"expected one of {', '.join(CAMPAIGN_TYPES)}")
    hours = data.get("calling_hours")
    if not isinstance(hours, list) or len(hours) > 24:
        raise ContactRulesError("calling_hours", "expected a list of at most 24 windows")
    windows = tuple(_window(w, f"calling_hours[{i}]") for i, w in enumerate(hours))
    retry = data.get("retry_after", {})
    if not isinstance(retry, Mapping):
        raise ContactRulesError("retry_after", "expected an object of seconds per dial result")
    retry_after: dict[str, float] = {}
    for result in retry:
        if result not in DIAL_RESULTS:
            raise ContactRulesError(f"retry_after.{result}",
                                    f"expected one of {', '.join(DIAL_RESULTS)}")
        retry_after[result] = _number(retry, result, None, integer=False, minimum=0,
                                      maximum=90 * 86400)
    max_contacts = _number(data, "max_contacts", None, integer=True, minimum=1, maximum=1000)
    return ContactRules(
        name=name, country=country.upper(), campaign_type=kind,
        calling_hours=windows,
        holidays_allowed=_flag(data, "holidays_allowed", True),
        require_marketing_consent=_flag(data, "require_marketing_consent", kind == "telesales"),
        honour_do_not_call=_flag(data, "honour_do_not_call", True),
        honour_debtor_blocks=_flag(data, "honour_debtor_blocks", kind == "collections"),
        max_contacts=max_contacts,
        contacts_window_days=_number(data, "contacts_window_days", 7, integer=True,
                                     minimum=1, maximum=90),
        max_attempts=_number(data, "max_attempts", None, integer=True, minimum=1,
                             maximum=1000),
        retry_after=retry_after,
        abandoned_quiet_hours=_number(data, "abandoned_quiet_hours", 72.0, integer=False,
                                      minimum=0, maximum=24 * 90),
        min_ring_seconds=_number(data, "min_ring_seconds", 15.0, integer=False, minimum=0,
                                 maximum=120),
        version=_number(data, "version", 1, integer=True, minimum=1, maximum=1_000_000),
    )


_RETRY = {"busy": 15 * 60.0, "no_answer": 2 * 3600.0, "machine": 4 * 3600.0,
          "invalid": 30 * 86400.0, "connected": 24 * 3600.0}
_WEEKDAYS = [0, 1, 2, 3, 4]

#: the built-in rule sets, as data: (country, campaign type) -> JSON object
BUILT_IN_RULE_DATA: dict[tuple[str, CampaignType], dict[str, Any]] = {
    ("KR", "telesales"): {
        "name": "KR/telesales", "country": "KR", "campaign_type": "telesales",
        "calling_hours": [{"start": "08:00", "end": "21:00"}],
        "holidays_allowed": False, "require_marketing_consent": True,
        "max_attempts": 6, "retry_after": _RETRY},
    ("KR", "collections"): {
        "name": "KR/collections", "country": "KR", "campaign_type": "collections",
        "calling_hours": [{"start": "08:00", "end": "21:00"}],
        "max_contacts": 7, "contacts_window_days": 7, "honour_debtor_blocks": True,
        "retry_after": {**_RETRY, "connected": 4 * 3600.0}},
    ("KR", "service"): {
        "name": "KR/service", "country": "KR", "campaign_type": "service",
        "calling_hours": [{"start": "09:00", "end": "20:00"}],
        "holidays_allowed": False, "max_attempts": 3, "retry_after": _RETRY},
    ("US", "telesales"): {
        "name": "US/telesales", "country": "US", "campaign_type": "telesales",
        "calling_hours": [{"start": "08:00", "end": "21:00"}],
        "require_marketing_consent": True, "max_attempts": 6, "retry_after": _RETRY},
    ("US", "collections"): {
        "name": "US/collections", "country": "US", "campaign_type": "collections",
        "calling_hours": [{"start": "08:00", "end": "21:00"}],
        "max_contacts": 7, "contacts_window_days": 7, "honour_debtor_blocks": True,
        "retry_after": _RETRY},
    ("US", "service"): {
        "name": "US/service", "country": "US", "campaign_type": "service",
        "calling_hours": [{"start": "09:00", "end": "20:00"}],
        "max_attempts": 3, "retry_after": _RETRY},
    ("GB", "service"): {
        "name": "GB/service", "country": "GB", "campaign_type": "service",
        "calling_hours": [{"start": "09:00", "end": "20:00", "days": _WEEKDAYS + [5]}],
        "max_attempts": 3, "retry_after": _RETRY},
    ("GB", "telesales"): {
        "name": "GB/telesales", "country": "GB", "campaign_type": "telesales",
        "calling_hours": [{"start": "08:00", "end": "21:00", "days": _WEEKDAYS + [5]}],
        "require_marketing_consent": True, "max_attempts": 6, "retry_after": _RETRY},
    ("GB", "collections"): {
        "name": "GB/collections", "country": "GB", "campaign_type": "collections",
        "calling_hours": [{"start": "08:00", "end": "21:00"}],
        "max_contacts": 7, "contacts_window_days": 7, "honour_debtor_blocks": True,
        "retry_after": _RETRY},
}

#: the built-in rule sets, parsed
BUILT_IN_RULES: dict[tuple[str, CampaignType], ContactRules] = {
    key: rules_from_dict(data) for key, data in BUILT_IN_RULE_DATA.items()}


def rules_for(country: str, campaign_type: CampaignType) -> ContactRules:
    """The built-in rules of ``country`` for ``campaign_type``, or
    :class:`ContactRulesError` naming ``country`` when there are none."""
    try:
        return BUILT_IN_RULES[(country.upper(), campaign_type)]
    except KeyError:
        raise ContactRulesError(
            "country", f"no built-in {campaign_type} rules for {country!r} (known: "
            f"{', '.join(sorted({c for c, _ in BUILT_IN_RULES}))})") from None
