"""Eight weeks of call history (``interaction`` rows) ending the day before ``today``.

Inbound calls per (day, queue, half-hour) are Poisson with mean

    WEEKDAY_CALLS * QUEUE_SHARE[q] * INTRADAY[i] * weekday[d] * payday[d] * holiday[d]

- intraday: open 09:00–18:00 KST, a morning peak (10:00–11:30), a lunch dip (12:00–13:00)
  and a smaller afternoon peak;
- week: Monday busiest, easing to Thursday, a little up on Friday; weekends a tenth;
- Korean public holidays (``holidays.KR``: Seollal and Chuseok, lunar, included, with
  substitute days) are closed but for urgent lines (:data:`HOLIDAY_FACTOR`);
- paydays (10th, 25th, last of the month; moved to the business day before when they fall
  on a weekend or holiday, as salaries are) are busier (:data:`PAYDAY_FACTOR`).

Waits are exponential with mean ``ASA_BASE_SECONDS * (load / normal load) ** 2`` (busier
half-hours wait longer); patience is exponential; a caller whose patience runs out first
abandons. Talk times are lognormal per queue (mean :data:`TALK_MEAN_SECONDS`, coefficient of
variation :data:`TALK_CV`), wrap-up lognormal; ``handle_seconds`` = talk + wrap-up.
Collections also dials out (``direction="outbound"``), about 45 % of dials connecting.

Sized for 80 agents: about 4,000 inbound calls on an ordinary weekday, which with these
handle times needs ~30 agents busy on average and ~45 at the peak, i.e. 60–70 logged in
after occupancy and shrinkage.
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays as holiday_calendars
import numpy as np

from app.seed.agents import QUEUES, Staff
from app.seed.bulk import Frame
from app.seed.kst import day, kst_to_utc
from app.seed.tiers import TIER_CODE, TIERS
from routing.events import VIP_TIERS

WEEKS = 8
OPEN_HOUR = 9
INTERVAL_MINUTES = 30
WEEKDAY_CALLS = 4000
QUEUE_SHARE = np.array([0.30, 0.17, 0.28, 0.06, 0.10, 0.09])  # QUEUES order
INTRADAY = np.array([  # 09:00, 09:30, ... 17:30
    0.55, 0.85, 1.25, 1.35, 1.30, 1.20, 0.75, 0.70, 1.05,
    1.15, 1.10, 1.00, 0.95, 0.90, 0.85, 0.75, 0.60, 0.45,
])
INTRADAY = INTRADAY / INTRADAY.sum()
WEEKDAY_FACTOR = np.array([1.18, 1.00, 0.97, 0.95, 1.03, 0.10, 0.06])  # Mon..Sun
HOLIDAY_FACTOR = 0.06
PAYDAY_FACTOR = 1.30
TALK_MEAN_SECONDS = np.array([170.0, 290.0, 150.0, 240.0, 260.0, 320.0])  # QUEUES order
TALK_CV = 0.7
WRAP_MEAN_SECONDS = 25.0
WRAP_CV = 0.5
ASA_BASE_SECONDS = np.array([8.0, 8.0, 8.0, 8.0, 8.0, 4.0])
PATIENCE_MEAN_SECONDS = np.array([120.0, 120.0, 120.0, 120.0, 120.0, 180.0])
UNIDENTIFIED_SHARE = 0.08
OUTBOUND_DIALS = 400  # collections dials on a business day
OUTBOUND_CONNECT_P = 0.45
DISPOSITIONS: dict[str, tuple[str, ...]] = {
    "deposits": ("balance_inquiry", "deposit_renewal", "transfer_error", "account_info"),
    "loans": ("rate_inquiry", "repayment", "new_application"),
    "cards": ("card_lost", "limit_change", "payment_inquiry", "card_activation"),
    "fx": ("remittance", "exchange_rate"),
    "collections": ("promise_to_pay", "payment_plan", "dispute"),
    "vip": ("portfolio_review", "deposit_renewal", "wealth_consultation"),
}
# who calls: the VIP tiers (private_banker, platinum: the one VIP definition used by routing,
# the wallboard and the service-level goals) call the vip line, the others the general queues
CALLER_TIERS_VIP = VIP_TIERS
CALLER_TIERS_GENERAL = tuple(t for t in TIERS if t not in VIP_TIERS)
CALLER_PROPENSITY = {"private_banker": 3.0, "platinum": 3.0, "gold": 2.5,
                     "silver": 1.5, "core": 1.0, "inactive": 0.3}


def history_days(today: date) -> list[date]:
    return [today - timedelta(days=k) for k in range(WEEKS * 7, 0, -1)]


def korean_holidays(days: list[date]) -> set[date]:
    years = sorted({d.year for d in days})
    return set(holiday_calendars.country_holidays("KR", years=years))


def paydays(days: list[date], closed: set[date]) -> set[date]:
    """Paydays, each moved back to the last business day on or before it."""
    out: set[date] = set()
    for d in days:
        month_end = (d.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        if d.day in (10, 25) or d == month_end:
            paid = d
            while paid.weekday() >= 5 or paid in closed:
                paid -= timedelta(days=1)
            out.add(paid)
    return out


def day_factors(days: list[date]) -> np.ndarray:
    """Volume factor of each day relative to an ordinary Tuesday."""
    closed = korean_holidays(days)
    pay = paydays(days, closed)
    factors = np.array([WEEKDAY_FACTOR[d.weekday()] for d in days])
    factors *= np.array([PAYDAY_FACTOR if d in pay else 1.0 for d in days])
    factors[np.array([d in closed for d in days])] = HOLIDAY_FACTOR
    return factors


def _lognormal(rng: np.random.Generator, mean: np.ndarray, cv: float) -> np.ndarray:
    sigma = np.sqrt(np.log1p(cv**2))
    draws: np.ndarray = rng.lognormal(np.log(mean) - sigma**2 / 2, sigma)
    return draws


def _callers(rng: np.random.Generator, queue: np.ndarray, tier_codes: np.ndarray,
             ) -> tuple[np.ndarray, np.ndarray]:
    """Customer id (masked when unidentified) and tier of each call."""
    n = len(queue)
    ids = np.zeros(n, dtype=np.int64)
    tier = np.full(n, TIER_CODE["core"], dtype=np.int64)
    vip_queue = queue == QUEUES.index("vip")
    for mask, allowed in ((vip_queue, CALLER_TIERS_VIP), (~vip_queue, CALLER_TIERS_GENERAL)):
        codes = [TIER_CODE[t] for t in allowed]
        counts = np.array([(tier_codes == c).sum() for c in codes], dtype=float)
        weight = counts * np.array([CALLER_PROPENSITY[t] for t in allowed])
        where = np.flatnonzero(mask)
        if weight.sum() == 0 or where.size == 0:
            continue
        picked = np.array(codes)[rng.choice(len(codes), size=where.size, p=weight / weight.sum())]
        tier[where] = picked
        for c in codes:
            members = np.flatnonzero(tier_codes == c) + 1  # customer ids are 1..N
            rows = where[picked == c]
            if members.size and rows.size:
                ids[rows] = members[rng.integers(0, members.size, size=rows.size)]
    unidentified = rng.random(n) < UNIDENTIFIED_SHARE
    return np.ma.masked_array(ids, mask=unidentified | (ids == 0)), tier


def _agents_for(rng: np.random.Generator, queue: np.ndarray, staff: Staff) -> np.ndarray:
    agent = np.zeros(len(queue), dtype=np.int64)
    for q, name in enumerate(QUEUES):
        where = np.flatnonzero(queue == q)
        pool = staff.skilled[name]
        if where.size and pool.size:
            agent[where] = pool[rng.integers(0, pool.size, size=where.size)]
    return agent


def inbound_frame(rng: np.random.Generator, today: date, tier_codes: np.ndarray,
                  staff: Staff) -> Frame:
    days = history_days(today)
    mean = (WEEKDAY_CALLS * day_factors(days)[:, None, None]
            * QUEUE_SHARE[None, :, None] * INTRADAY[None, None, :])
    counts = rng.poisson(mean).ravel()
    d_idx, q_idx, i_idx = np.unravel_index(np.repeat(np.arange(counts.size), counts), mean.shape)
    load = (mean / (WEEKDAY_CALLS * QUEUE_SHARE[None, :, None] * INTRADAY[None, None, :]
                    * WEEKDAY_FACTOR[:5].mean()))[d_idx, q_idx, i_idx]
    n = len(d_idx)
    starts = np.array([day(d) for d in days]).astype("datetime64[s]")
    offset = (OPEN_HOUR * 3600 + i_idx * INTERVAL_MINUTES * 60
              + rng.random(n) * INTERVAL_MINUTES * 60)
    arrived_local = starts[d_idx] + offset.astype("timedelta64[s]")
    order = np.argsort(arrived_local, kind="stable")
    arrived_local, q_idx, load = arrived_local[order], q_idx[order], load[order]

    wait = rng.exponential(ASA_BASE_SECONDS[q_idx] * load**2)
    patience = rng.exponential(PATIENCE_MEAN_SECONDS[q_idx])
    abandoned = patience < wait
    talk = _lognormal(rng, TALK_MEAN_SECONDS[q_idx], TALK_CV)
    wrap = _lognormal(rng, np.full(n, WRAP_MEAN_SECONDS), WRAP_CV)
    arrived = kst_to_utc(arrived_local).astype("datetime64[ms]")
    answered = arrived + (wait * 1000).astype("timedelta64[ms]")
    ended = np.where(abandoned, arrived + (patience * 1000).astype("timedelta64[ms]"),
                     answered + (talk * 1000).astype("timedelta64[ms]"))
    wrapped = ended + (wrap * 1000).astype("timedelta64[ms]")
    nat = np.datetime64("NaT", "ms")
    customers, tier = _callers(rng, q_idx, tier_codes)
    agent = _agents_for(rng, q_idx, staff)
    disposition = np.empty(n, dtype=object)
    for q, name in enumerate(QUEUES):
        where = np.flatnonzero(q_idx == q)
        options = np.array(DISPOSITIONS[name], dtype=object)
        disposition[where] = options[rng.integers(0, options.size, size=where.size)]
    disposition[abandoned] = None
    return {
        "contact_id": _contact_ids("in", arrived_local),
        "queue": np.array(QUEUES, dtype=object)[q_idx],
        "direction": np.full(n, "inbound", dtype=object),
        "customer_id": customers,
        "tier": np.array(TIERS, dtype=object)[tier],
        "agent_id": np.ma.masked_array(agent, mask=abandoned | (agent == 0)),
        "arrived_at": arrived,
        "answered_at": np.where(abandoned, nat, answered),
        "ended_at": ended,
        "wrapup_ended_at": np.where(abandoned, nat, wrapped),
        "outcome": np.where(abandoned, "abandoned", "answered").astype(object),
        "handle_seconds": np.ma.masked_array(np.round(talk + wrap, 1), mask=abandoned),
        "disposition": disposition,
    }


def outbound_frame(rng: np.random.Generator, today: date, tier_codes: np.ndarray,
                   staff: Staff) -> Frame:
    """Collections dialling on business days, 10:00–17:00 KST."""
    days = history_days(today)
    closed = korean_holidays(days)
    business = [d for d in days if d.weekday() < 5 and d not in closed]
    counts = rng.poisson(OUTBOUND_DIALS, size=len(business))
    d_idx = np.repeat(np.arange(len(business)), counts)
    n = len(d_idx)
    starts = np.array([day(d) for d in business], dtype="datetime64[D]").astype("datetime64[s]")
    dialled_local = np.sort(starts[d_idx] + (10 * 3600 + rng.random(n) * 7 * 3600).astype(
        "timedelta64[s]"))
    connected = rng.random(n) < OUTBOUND_CONNECT_P
    ring = rng.uniform(5, 25, size=n)
    talk = _lognormal(rng, np.full(n, 200.0), TALK_CV)
    wrap = _lognormal(rng, np.full(n, WRAP_MEAN_SECONDS), WRAP_CV)
    arrived = kst_to_utc(dialled_local).astype("datetime64[ms]")
    answered = arrived + (ring * 1000).astype("timedelta64[ms]")
    ended = np.where(connected, answered + (talk * 1000).astype("timedelta64[ms]"), answered)
    nat = np.datetime64("NaT", "ms")
    general = np.flatnonzero(tier_codes >= TIER_CODE["silver"]) + 1
    customers = general[rng.integers(0, general.size, size=n)] if general.size else np.zeros(n, dtype=np.int64)
    queue = np.full(n, QUEUES.index("collections"))
    agent = _agents_for(rng, queue, staff)
    outcome = np.where(connected, "answered", "no_answer").astype(object)
    disposition = np.array(DISPOSITIONS["collections"], dtype=object)[
        rng.integers(0, 3, size=n)]
    disposition[~connected] = None
    return {
        "contact_id": _contact_ids("out", dialled_local),
        "queue": np.full(n, "collections", dtype=object),
        "direction": np.full(n, "outbound", dtype=object),
        "customer_id": np.ma.masked_array(customers, mask=customers == 0),
        "tier": np.array(TIERS, dtype=object)[tier_codes[customers - 1]] if general.size
        else np.full(n, "core", dtype=object),
        "agent_id": np.ma.masked_array(agent, mask=agent == 0),
        "arrived_at": arrived,
        "answered_at": np.where(connected, answered, nat),
        "ended_at": ended,
        "wrapup_ended_at": np.where(connected, ended + (wrap * 1000).astype("timedelta64[ms]"), nat),
        "outcome": outcome,
        "handle_seconds": np.ma.masked_array(np.round(talk + wrap, 1), mask=~connected),
        "disposition": disposition,
    }


def _contact_ids(prefix: str, local: np.ndarray) -> np.ndarray:
    """``in-20261124-000123``: direction, local date, sequence within the day."""
    days = local.astype("datetime64[D]")
    first = np.searchsorted(days, days, side="left")  # local is sorted
    seq = np.arange(len(local)) - first + 1
    stamp = np.char.replace(np.datetime_as_string(days), "-", "")
    ids = np.char.add(np.char.add(f"{prefix}-", stamp), "-")
    return np.char.add(ids, np.char.zfill(seq.astype(str), 6)).astype(object)
