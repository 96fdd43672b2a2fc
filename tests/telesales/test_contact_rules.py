"""Contact rules: unit cases per rule, rules as data, and property tests over random
customers, time zones and histories (a dialler that dials whenever the rules allow never
breaks a rule, as counted by an independent checker written here)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telesales.contact_rules import (
    BUILT_IN_RULE_DATA,
    RULE_CODES,
    ContactRules,
    ContactRulesError,
    DialTarget,
    PastDial,
    check_dial,
    next_allowed,
    rules_for,
    rules_from_dict,
)

KR_TS = rules_for("KR", "telesales")
KR_COL = rules_for("KR", "collections")
SEOUL = ZoneInfo("Asia/Seoul")


def kst(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SEOUL)


def customer(**kw: object) -> DialTarget:
    base: dict[str, object] = {"customer_id": "c1", "number": "+821012345678",
                               "marketing_consent": True}
    base.update(kw)
    return DialTarget(**base)  # type: ignore[arg-type]


def rules_refusing(decision: object) -> set[str]:
    return {r.rule for r in decision.refusals}


# --- one rule at a time -------------------------------------------------------------------


def test_calling_hours_in_the_customers_local_time() -> None:
    # Wednesday 2026-12-02: 20:59 Seoul is allowed, 21:00 is not, 07:59 is not, 08:00 is
    assert check_dial(KR_TS, customer(), [], kst(2026, 12, 2, 20, 59), campaign="x",
                      ring_seconds=20).allowed
    late = check_dial(KR_TS, customer(), [], kst(2026, 12, 2, 21, 0), campaign="x",
                      ring_seconds=20)
    assert rules_refusing(late) == {"calling_hours"}
    assert late.refusals[0].until == kst(2026, 12, 3, 8, 0)
    assert not check_dial(KR_TS, customer(), [], kst(2026, 12, 3, 7, 59), campaign="x",
                          ring_seconds=20).allowed
    # the same instant is 10:00 in Seoul but 20:00 (previous evening) in New York: allowed there
    ny = customer(time_zone="America/New_York")
    at = kst(2026, 12, 3, 10, 0)
    assert at.astimezone(ZoneInfo("America/New_York")).hour == 20
    assert check_dial(KR_TS, ny, [], at, campaign="x", ring_seconds=20).allowed
    assert not check_dial(KR_TS, ny, [], at + timedelta(hours=1), campaign="x",
                          ring_seconds=20).allowed


def test_no_telesales_on_a_public_holiday_but_collections_may_call() -> None:
    chuseok = date(2026, 9, 25)
    at = kst(2026, 9, 25, 11, 0)
    d = check_dial(KR_TS, customer(), [], at, campaign="x", ring_seconds=20,
                   holidays={chuseok})
    assert rules_refusing(d) == {"calling_hours"} and "holiday" in d.refusals[0].detail
    assert d.refusals[0].until == kst(2026, 9, 26, 8, 0)
    assert check_dial(KR_COL, customer(debt_id="L1"), [], at, campaign="y", ring_seconds=20,
                      holidays={chuseok}).allowed


def test_consent_and_do_not_call() -> None:
    at = kst(2026, 12, 2, 10)
    assert rules_refusing(check_dial(KR_TS, customer(marketing_consent=False), [], at,
                                     campaign="x", ring_seconds=20)) == {"marketing_consent"}
    # collections need no marketing consent
    assert check_dial(KR_COL, customer(marketing_consent=False, debt_id="L1"), [], at,
                      campaign="y", ring_seconds=20).allowed
    assert rules_refusing(check_dial(KR_TS, customer(do_not_call=True), [], at,
                                     campaign="x", ring_seconds=20)) == {"do_not_call"}
    listed = check_dial(KR_TS, customer(), [], at, campaign="x", ring_seconds=20,
                        industry_do_not_call={"+821012345678"})
    assert rules_refusing(listed) == {"do_not_call"} and "industry" in listed.refusals[0].detail
    assert next_allowed(KR_TS, customer(do_not_call=True), [], at, campaign="x",
                        ring_seconds=20) is None


def test_seven_contacts_in_seven_days_per_debt() -> None:
    start = kst(2026, 12, 1, 9)
    history = [PastDial(start + timedelta(days=i // 2, hours=2 * (i % 2)), "col",
                        "collections", "no_answer", debt_id="L1") for i in range(7)]
    now = kst(2026, 12, 5, 12)
    d = check_dial(KR_COL, customer(debt_id="L1"), history, now, campaign="col",
                   ring_seconds=20)
    assert rules_refusing(d) == {"contact_frequency"}
    assert d.refusals[0].until == history[0].at + timedelta(days=7)
    # another debt of the same customer has its own count
    assert check_dial(KR_COL, customer(debt_id="L2"), history, now, campaign="col2",
                      ring_seconds=20).allowed
    nxt = next_allowed(KR_COL, customer(debt_id="L1"), history, now, campaign="col",
                       ring_seconds=20)
    assert nxt == history[0].at + timedelta(days=7)


def test_debtor_blocked_hours_and_channels() -> None:
    from telesales.contact_rules import Window

    work = (Window(9 * 60, 18 * 60, frozenset(range(5))),)
    debtor = customer(debt_id="L1", blocked_hours=work)
    d = check_dial(KR_COL, debtor, [], kst(2026, 12, 2, 10), campaign="c", ring_seconds=20)
    assert rules_refusing(d) == {"debtor_blocked"}
    assert d.refusals[0].until == kst(2026, 12, 2, 18, 0)
    assert check_dial(KR_COL, debtor, [], kst(2026, 12, 5, 10), campaign="c",
                      ring_seconds=20).allowed  # Saturday
    no_phone = customer(debt_id="L1", blocked_channels=frozenset({"phone"}))
    assert rules_refusing(check_dial(KR_COL, no_phone, [], kst(2026, 12, 2, 19),
                                     campaign="c", ring_seconds=20)) == {"debtor_blocked"}


def test_attempt_cap_retry_interval_abandoned_quiet_and_ring_time() -> None:
    t0 = kst(2026, 12, 1, 10)
    six = [PastDial(t0 + timedelta(hours=3 * i), "x", "telesales", "no_answer")
           for i in range(6)]
    assert "attempt_cap" in rules_refusing(check_dial(
        KR_TS, customer(), six, kst(2026, 12, 4, 10), campaign="x", ring_seconds=20))
    busy = [PastDial(t0, "x", "telesales", "busy")]
    d = check_dial(KR_TS, customer(), busy, t0 + timedelta(minutes=10), campaign="x",
                   ring_seconds=20)
    assert rules_refusing(d) == {"retry_interval"}
    assert d.refusals[0].until == t0 + timedelta(minutes=15)
    # abandoned by the dialler in another campaign: 72 h quiet everywhere
    dropped = [PastDial(t0, "other", "telesales", "abandoned")]
    d = check_dial(KR_TS, customer(), dropped, t0 + timedelta(hours=71), campaign="x",
                   ring_seconds=20)
    assert rules_refusing(d) == {"abandoned_quiet"}
    assert d.refusals[0].until == t0 + timedelta(hours=72)
    assert rules_refusing(check_dial(KR_TS, customer(), [], t0, campaign="x",
                                     ring_seconds=10)) == {"ring_time"}


def test_every_refusal_is_named_and_recorded() -> None:
    d = check_dial(KR_TS, customer(marketing_consent=False, do_not_call=True), [],
                   kst(2026, 12, 2, 23), campaign="x", ring_seconds=5)
    assert rules_refusing(d) == {"calling_hours", "marketing_consent", "do_not_call",
                                 "ring_time"}
    rec = d.record()
    assert rec["rules"] == "KR/telesales" and rec["allowed"] is False
    assert {r["rule"] for r in rec["refusals"]} == rules_refusing(d)  # type: ignore[union-attr]


# --- rules as data ------------------------------------------------------------------------


def test_built_in_rules_round_trip_and_bad_data_names_the_field() -> None:
    for data in BUILT_IN_RULE_DATA.values():
        assert rules_from_dict(data).name == data["name"]
    good = dict(BUILT_IN_RULE_DATA[("KR", "telesales")])
    cases = [
        ({**good, "calling_hours": [{"start": "21:00", "end": "08:00"}]}, "calling_hours[0]"),
        ({**good, "calling_hours": [{"start": "8am", "end": "21:00"}]},
         "calling_hours[0].start"),
        ({**good, "calling_hours": [{"start": "08:00", "end": "21:00", "days": [7]}]},
         "calling_hours[0].days"),
        ({**good, "retry_after": {"ringing": 10}}, "retry_after.ringing"),
        ({**good, "retry_after": {"busy": -1}}, "busy"),
        ({**good, "max_contacts": 0}, "max_contacts"),
        ({**good, "max_attempts": 2.5}, "max_attempts"),
        ({**good, "campaign_type": "spam"}, "campaign_type"),
        ({**good, "country": "Korea"}, "country"),
        ({**good, "colour": "red"}, "colour"),
        ({**good, "holidays_allowed": "no"}, "holidays_allowed"),
        ([], "rules"),
    ]
    for data, field_name in cases:
        with pytest.raises(ContactRulesError) as info:
            rules_from_dict(data)
        assert info.value.field == field_name, (data, info.value)
    with pytest.raises(ContactRulesError) as info:
        check_dial(KR_TS, customer(time_zone="Mars/Olympus"), [], kst(2026, 12, 2, 10),
                   campaign="x", ring_seconds=20)
    assert info.value.field == "time_zone"
    with pytest.raises(ContactRulesError) as info:
        check_dial(KR_TS, customer(), [], datetime(2026, 12, 2, 10), campaign="x",
                   ring_seconds=20)
    assert info.value.field == "now"
    with pytest.raises(ContactRulesError):
        rules_for("ZZ", "telesales")


# --- properties ---------------------------------------------------------------------------

ZONES = ["Asia/Seoul", "America/New_York", "Europe/London", "Australia/Lord_Howe",
         "Asia/Kathmandu", "Pacific/Chatham", "America/Los_Angeles", "UTC"]
START = datetime(2026, 3, 1, tzinfo=UTC)  # spans the March DST changes
RESULTS = ["connected", "no_answer", "busy", "machine", "abandoned"]


def violations(rules: ContactRules, target: DialTarget, dials: list[PastDial],
               holidays: set[date]) -> list[str]:
    """Every rule broken by ``dials`` (all to ``target``), computed here without the
    module: local hours, holidays, consent, do-not-call, 7 in 7 days per debt, attempts
    per campaign, retry intervals, 72 h after an abandoned call."""
    r = rules
    zone = ZoneInfo(target.time_zone)
    broken: list[str] = []
    for i, d in enumerate(dials):
        local = d.at.astimezone(zone)
        minute = local.hour * 60 + local.minute + local.second / 60
        if not any(w.start <= minute < w.end and local.weekday() in w.days
                   for w in r.calling_hours):
            broken.append(f"hours {local}")
        if not r.holidays_allowed and local.date() in holidays:
            broken.append("holiday")
        if r.require_marketing_consent and not target.marketing_consent:
            broken.append("consent")
        if target.do_not_call:
            broken.append("dnc")
        before = dials[:i]
        if r.max_contacts is not None:
            span = timedelta(days=r.contacts_window_days)
            n = sum(1 for p in before if p.debt_id == d.debt_id and d.at - p.at < span)
            if n + 1 > r.max_contacts:
                broken.append("frequency")
        same = [p for p in before if p.campaign == d.campaign]
        if r.max_attempts is not None and len(same) + 1 > r.max_attempts:
            broken.append("attempts")
        last = same[-1].result if same else None
        if last is not None and last in r.retry_after and (
                (d.at - same[-1].at).total_seconds() < r.retry_after[last]):
            broken.append("retry")
        if any(p.result == "abandoned" and d.at - p.at < timedelta(hours=72) for p in before):
            broken.append("abandoned")
    return broken


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    zone=st.sampled_from(ZONES),
    kind=st.sampled_from(["telesales", "collections", "service"]),
    country=st.sampled_from(["KR", "US"]),
    consent=st.booleans(),
    dnc=st.booleans(),
    seed_results=st.lists(st.sampled_from(RESULTS), min_size=1, max_size=40),
    step_minutes=st.integers(min_value=1, max_value=600),
)
def test_a_dialler_that_obeys_the_check_breaks_no_rule(
        zone: str, kind: str, country: str, consent: bool, dnc: bool,
        seed_results: list[str], step_minutes: int) -> None:
    rules = rules_for(country, kind)  # type: ignore[arg-type]
    target = customer(time_zone=zone, marketing_consent=consent, do_not_call=dnc,
                      debt_id="L1" if kind == "collections" else None)
    holidays = {date(2026, 3, 2), date(2026, 3, 10)}
    dials: list[PastDial] = []
    now = START
    steps = max(400, 3 * 24 * 60 // step_minutes)  # at least three days of dialling
    for k in range(steps):
        decision = check_dial(rules, target, dials, now, campaign="camp",
                              ring_seconds=15, holidays=holidays)
        if decision.allowed:
            result = seed_results[len(dials) % len(seed_results)]
            dials.append(PastDial(now, "camp", rules.campaign_type, result,  # type: ignore[arg-type]
                                  debt_id=target.debt_id))
        else:
            assert all(r.rule in RULE_CODES and r.detail for r in decision.refusals)
        now += timedelta(minutes=step_minutes + (k % 7))
    assert violations(rules, target, dials, holidays) == []
    if dnc or (rules.require_marketing_consent and not consent):
        assert dials == []
    else:
        assert dials, "three days and never a dial allowed"


def test_the_independent_checker_catches_a_dialler_that_ignores_the_rules() -> None:
    rules = rules_for("KR", "collections")
    target = customer(debt_id="L1")
    dials = [PastDial(START + timedelta(minutes=10 * k), "camp", "collections",
                      "abandoned" if k == 3 else "busy", debt_id="L1") for k in range(96)]
    found = violations(rules, target, dials, set())
    assert {"frequency", "retry", "abandoned"} <= {v.split()[0] for v in found}
    assert any(v.startswith("hours") for v in found)


@settings(max_examples=80, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    kind=st.sampled_from(["telesales", "collections"]),
    offset_minutes=st.integers(min_value=0, max_value=60 * 24 * 30),
    history=st.lists(st.tuples(st.integers(min_value=1, max_value=60 * 24 * 10),
                               st.sampled_from(RESULTS)), max_size=12),
)
def test_next_allowed_is_allowed_and_nothing_much_earlier_is(
        zone: str, kind: str, offset_minutes: int,
        history: list[tuple[int, str]]) -> None:
    rules = rules_for("KR", kind)  # type: ignore[arg-type]
    target = customer(time_zone=zone, debt_id="L1")
    now = START + timedelta(minutes=offset_minutes)
    past = sorted((PastDial(now - timedelta(minutes=m), "camp", rules.campaign_type,
                            res, debt_id="L1")  # type: ignore[arg-type]
                   for m, res in history), key=lambda d: d.at)
    nxt = next_allowed(rules, target, past, now, campaign="camp", ring_seconds=20)
    if nxt is None:
        # only a refusal that waiting does not lift (the attempt cap) or the horizon
        d = check_dial(rules, target, past, now, campaign="camp", ring_seconds=20)
        assert not d.allowed
        return
    assert nxt >= now
    assert check_dial(rules, target, past, nxt, campaign="camp", ring_seconds=20).allowed
    # sampled instants before it are refused (the first allowed instant is not skipped)
    span = (nxt - now).total_seconds()
    for frac in (0.0, 0.25, 0.5, 0.9, 0.999):
        t = now + timedelta(seconds=span * frac)
        if t < nxt - timedelta(seconds=1):
            assert not check_dial(rules, target, past, t, campaign="camp",
                                  ring_seconds=20).allowed, (t, nxt)
