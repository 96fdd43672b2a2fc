"""Required agents per interval: Erlang C (service level, ASA) and Erlang A (abandonment).

The required number of agents is the smallest whole ``n`` that meets every target given:

- service level ``SL(t) >= service_level_target`` (Erlang C ``1 - C e**(-(n-A)t/AHT)``;
  Erlang A: answered within ``t`` over offered);
- mean wait over all calls ``<= asa_target_seconds`` (Erlang C ``C AHT/(n-A)``; Erlang A
  ``P(abandon) * patience``);
- ``P(abandon) <= abandon_target`` (Erlang A only);
- occupancy ``<= max_occupancy`` (Erlang C ``A/n``; Erlang A ``A (1 - P(abandon))/n``).

Each measure is monotone in ``n``, so this is a search for the first feasible ``n``. The
targets travel as one :class:`StaffingTargets`, validated once when made; the public
functions keep their keyword arguments and build it.

Erlang C: a single pass of the Erlang B recursion ``1/B(k) = 1 + (k/A)/B(k-1)`` started
``10 sqrt(A) + 50`` steps below ``A`` (see :mod:`wfm.erlang_b`), testing the targets at every
``k > A``: ``O(sqrt(A))`` steps, vectorised over intervals (lanes leave when satisfied).
Erlang C needs ``n > A``; Erlang A may need fewer agents than the load, because impatient
callers leave: it bisects on ``n`` between an infeasible and a feasible count, vectorised.

:func:`required_agents_fractional` returns the real ``x > A`` at which the continued
Erlang C service level (incomplete-gamma form) equals the target, so that totals over queues
or intervals are not inflated by rounding each one up first.

Scheduled agents cover shrinkage (breaks, training, absence):
``scheduled = ceil(agents / (1 - shrinkage))``. Zero offered calls need zero agents.

``patience_mean_seconds = math.inf`` (callers never abandon) is Erlang C exactly: such
intervals are staffed by the Erlang C search (an abandonment target is met trivially). The
offered load ``calls * aht_seconds / interval_seconds`` must be at most
:data:`wfm.erlang_b.MAX_LOAD_ERLANGS` (ValueError naming the fields otherwise).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from wfm.erlang_a import check_patience, erlang_a_arrays
from wfm.erlang_b import (
    MAX_AGENTS,
    MAX_LOAD_ERLANGS,
    ArrayLike,
    FloatArray,
    check_non_negative,
    check_positive,
    overflow_steps,
    start_width,
)
from wfm.erlang_c import asa_arrays, erlang_c_arrays, service_level_arrays

__all__ = [
    "StaffingPlan",
    "StaffingResult",
    "StaffingTargets",
    "required_agents",
    "required_agents_erlang_a",
    "required_agents_for_asa",
    "required_agents_fractional",
    "staff_intervals",
]

# Relative slack for ceilings of ratios computed in floating point (7/0.7 = 10.000000000000002).
_CEIL_SLACK = 1e-9


@dataclass(frozen=True)
class StaffingResult:
    """Staffing for one interval.

    ``agents`` is the requirement on the phones (before shrinkage); ``scheduled_agents``
    covers shrinkage. ``service_level`` is measured at the threshold asked for (at 0 s, the
    share answered at once, when only an ASA or abandonment target was given);
    ``asa_seconds`` is the mean wait over all calls; ``occupancy`` the busy share of the
    agents (Erlang A: carried load ``A (1 - P(abandon))`` over ``n``). ``p_abandon`` is
    ``None`` for Erlang C results.
    """

    agents: int
    scheduled_agents: int
    service_level: float
    asa_seconds: float
    occupancy: float
    offered_load_erlangs: float
    p_wait: float
    p_abandon: float | None = None


@dataclass(frozen=True)
class StaffingPlan:
    """Staffing for many intervals (arrays of one shape); see :class:`StaffingResult`."""

    offered_load_erlangs: FloatArray
    agents: np.ndarray
    scheduled_agents: np.ndarray
    service_level: FloatArray
    asa_seconds: FloatArray
    occupancy: FloatArray
    p_wait: FloatArray
    p_abandon: FloatArray | None = None

    def __len__(self) -> int:
        return int(self.agents.size)

    def __getitem__(self, i: int) -> StaffingResult:
        return StaffingResult(
            agents=int(self.agents[i]),
            scheduled_agents=int(self.scheduled_agents[i]),
            service_level=float(self.service_level[i]),
            asa_seconds=float(self.asa_seconds[i]),
            occupancy=float(self.occupancy[i]),
            offered_load_erlangs=float(self.offered_load_erlangs[i]),
            p_wait=float(self.p_wait[i]),
            p_abandon=None if self.p_abandon is None else float(self.p_abandon[i]),
        )


# ----------------------------------------------------------------------------- validation


def _check_fraction(name: str, value: float | None, *, low_open: bool, high_open: bool) -> None:
    if value is None:
        return
    v = float(value)
    lo_ok = v > 0 if low_open else v >= 0
    hi_ok = v < 1 if high_open else v <= 1
    if not (math.isfinite(v) and lo_ok and hi_ok):
        lo, hi = ("(0" if low_open else "[0"), ("1)" if high_open else "1]")
        raise ValueError(f"{name} must be in {lo}, {hi}, got {value!r}")


@dataclass(frozen=True)
class StaffingTargets:
    """What a staffing must meet, validated once when made (ValueError naming the field).

    ``service_level_target`` (in (0, 1), with ``threshold_seconds >= 0``),
    ``asa_target_seconds`` (> 0) and ``abandon_target`` (in (0, 1); Erlang A only): at least
    one of them. ``max_occupancy`` in (0, 1]; ``shrinkage`` in [0, 1).
    """

    service_level_target: float | None = None
    threshold_seconds: float | None = None
    asa_target_seconds: float | None = None
    abandon_target: float | None = None
    max_occupancy: float = 1.0
    shrinkage: float = 0.0

    def __post_init__(self) -> None:
        _check_fraction(
            "service_level_target", self.service_level_target, low_open=True, high_open=True
        )
        _check_fraction("abandon_target", self.abandon_target, low_open=True, high_open=True)
        _check_fraction("max_occupancy", self.max_occupancy, low_open=True, high_open=False)
        _check_fraction("shrinkage", self.shrinkage, low_open=False, high_open=True)
        if self.service_level_target is not None:
            if self.threshold_seconds is None:
                raise ValueError("threshold_seconds is required with service_level_target")
            check_non_negative("threshold_seconds", self.threshold_seconds)
        if self.asa_target_seconds is not None:
            check_positive("asa_target_seconds", self.asa_target_seconds)
        if (
            self.service_level_target is None
            and self.asa_target_seconds is None
            and self.abandon_target is None
        ):
            raise ValueError(
                "give at least one of service_level_target, asa_target_seconds, abandon_target"
            )

    @property
    def threshold(self) -> float:
        """The threshold the service level is reported at (0 s without an SL target)."""
        return float(self.threshold_seconds or 0.0)


def _check_offered_load(load: FloatArray) -> None:
    """ValueError when ``calls * aht_seconds / interval_seconds`` exceeds the Erlang limit."""
    if np.any(load > MAX_LOAD_ERLANGS):
        bad = float(load[load > MAX_LOAD_ERLANGS].ravel()[0])
        raise ValueError(
            "calls * aht_seconds / interval_seconds (the offered load) must be at most"
            f" {MAX_LOAD_ERLANGS:g} Erlangs, got {bad:g}"
        )


def _scheduled(agents: np.ndarray, shrinkage: float) -> np.ndarray:
    return np.ceil(agents / (1.0 - shrinkage) * (1.0 - _CEIL_SLACK)).astype(np.int64)


def _occupancy_floor(load: FloatArray, max_occupancy: float) -> FloatArray:
    """``ceil(A / max_occupancy)``: the fewest agents the occupancy target allows.

    ValueError naming ``max_occupancy`` when that is more than :data:`wfm.erlang_b.MAX_AGENTS`
    (an occupancy of 1e-300 asked for 1e304 agents, which no search can reach)."""
    floor = np.ceil(np.asarray(load, dtype=np.float64) / max_occupancy * (1.0 - _CEIL_SLACK))
    if np.any(floor > MAX_AGENTS):
        i = int(np.flatnonzero(floor > MAX_AGENTS)[0])
        raise ValueError(
            f"max_occupancy {max_occupancy:g} would need {float(floor.flat[i]):g} agents for an"
            f" offered load of {float(np.asarray(load).flat[i]):g} Erlangs; at most"
            f" {MAX_AGENTS:g} agents per interval can be staffed"
        )
    return floor


# ----------------------------------------------------------------------------- Erlang C search


def _erlang_c_search(
    load: FloatArray, aht: FloatArray, n_min: FloatArray, targets: StaffingTargets
) -> FloatArray:
    """Smallest whole ``n >= n_min`` (and ``> A``) meeting the SL and ASA targets, per lane.

    The targets alone are searched for (each measure is monotone in ``n``), then the answer
    jumps to the floor ``n_min`` when that is higher: the floor is never counted up to. The
    search ends within :func:`_search_limit` steps whatever the targets.
    """
    sl_target, asa_target = targets.service_level_target, targets.asa_target_seconds
    threshold = targets.threshold
    start = np.maximum(0.0, np.floor(load) - start_width(load))
    limit = _search_limit(load)
    inv_b = np.where(start > 0, load / np.maximum(load - start, 1e-300), 1.0)
    result = np.empty_like(load)
    lanes = np.arange(load.size)
    a, k, t_aht, top = load.copy(), start.copy(), aht.copy(), limit.copy()
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        while lanes.size:
            k += 1.0
            inv_b = 1.0 + inv_b * (k / a)
            ok = k > a
            surplus = k - a
            c = np.where(np.isinf(inv_b), 0.0, k / (surplus * inv_b + a))
            if sl_target is not None:
                ok &= 1.0 - c * np.exp(-surplus * threshold / t_aht) >= sl_target
            if asa_target is not None:
                ok &= c * t_aht / surplus <= asa_target
            ok |= k >= top  # B has underflowed there: every target is met (C = 0)
            if ok.any():
                result[lanes[ok]] = k[ok]
                keep = ~ok
                lanes = lanes[keep]
                a, k, t_aht, top, inv_b = a[keep], k[keep], t_aht[keep], top[keep], inv_b[keep]
    return np.maximum(result, n_min)


def _search_limit(load: FloatArray) -> FloatArray:
    """The first whole ``k`` at which ``B(k, A)`` has certainly underflowed to 0: there
    ``C = 0``, so every SL target below 1 and every ASA target above 0 is met
    (:func:`wfm.erlang_b.overflow_steps`). The Erlang C search never goes further."""
    return np.asarray(np.floor(load) + 1.0 + overflow_steps(load), dtype=np.float64)


def _erlang_c_search_scalar(
    load: float, aht: float, n_min: float, targets: StaffingTargets
) -> tuple[float, float]:
    """Pure-Python twin of :func:`_erlang_c_search` for one interval: ``(n, C(n))``."""
    sl_target, asa_target = targets.service_level_target, targets.asa_target_seconds
    threshold = targets.threshold
    start = max(0.0, math.floor(load) - (math.ceil(10.0 * math.sqrt(load)) + 50.0))
    top = float(_search_limit(np.array([load]))[0])
    inv_b = load / (load - start) if start > 0 else 1.0
    k = start
    while True:
        k += 1.0
        inv_b = 1.0 + inv_b * (k / load)
        if k <= load:
            continue
        surplus = k - load
        c = 0.0 if inv_b == math.inf else k / (surplus * inv_b + load)
        if k >= top:
            break  # B has underflowed: every target is met
        if sl_target is not None and 1.0 - c * math.exp(-surplus * threshold / aht) < sl_target:
            continue
        if asa_target is not None and c * aht / surplus > asa_target:
            continue
        break
    if n_min <= k:
        return k, c
    return n_min, float(erlang_c_arrays(np.asarray(load), np.asarray(n_min)))


# ----------------------------------------------------------------------------- Erlang A search


def _erlang_a_feasible(
    load: FloatArray, n: FloatArray, aht: FloatArray, patience: FloatArray,
    targets: StaffingTargets,
) -> np.ndarray:
    core = erlang_a_arrays(load, n, aht, patience)
    ok = load * (1.0 - core.p_abandon) <= targets.max_occupancy * n * (1.0 + _CEIL_SLACK)
    if targets.service_level_target is not None:
        ok &= core.answered_within(targets.threshold) >= targets.service_level_target
    if targets.asa_target_seconds is not None:
        ok &= core.mean_wait_seconds <= targets.asa_target_seconds
    if targets.abandon_target is not None:
        ok &= core.p_abandon <= targets.abandon_target
    return np.asarray(ok)


def _erlang_a_search(
    load: FloatArray, aht: FloatArray, patience: FloatArray, targets: StaffingTargets
) -> FloatArray:
    """Bisection on whole ``n >= 1`` per lane: ``lo`` infeasible (or 0), ``hi`` feasible."""

    def feasible(idx: np.ndarray, n: FloatArray) -> np.ndarray:
        return _erlang_a_feasible(load[idx], n, aht[idx], patience[idx], targets)

    lo = np.zeros_like(load)
    hi = np.minimum(np.maximum(1.0, np.ceil(load + 2.0 * np.sqrt(load))), MAX_AGENTS)
    idx = np.arange(load.size)
    while idx.size:  # grow hi until feasible; the last infeasible hi becomes lo
        ok = feasible(idx, hi[idx])
        bad = idx[~ok]
        if np.any(hi[bad] >= MAX_AGENTS):  # at most log2(MAX_AGENTS) ~ 27 doublings
            i = int(bad[hi[bad] >= MAX_AGENTS][0])
            raise ValueError(
                f"the targets need more than {MAX_AGENTS:g} agents for an offered load of"
                f" {float(load[i]):g} Erlangs; check service_level_target, asa_target_seconds,"
                " abandon_target and max_occupancy"
            )
        lo[bad] = hi[bad]
        hi[bad] = np.minimum(2.0 * hi[bad] + 1.0, MAX_AGENTS)
        idx = bad
    idx = np.flatnonzero(hi - lo > 1)
    while idx.size:
        mid = np.floor((lo[idx] + hi[idx]) / 2.0)
        ok = feasible(idx, mid)
        hi[idx[ok]] = mid[ok]
        lo[idx[~ok]] = mid[~ok]
        idx = idx[hi[idx] - lo[idx] > 1]
    return hi


# ----------------------------------------------------------------------------- public API


def staff_intervals(
    calls: ArrayLike,
    interval_seconds: float,
    aht_seconds: ArrayLike,
    *,
    service_level_target: float | None = None,
    threshold_seconds: float | None = None,
    asa_target_seconds: float | None = None,
    abandon_target: float | None = None,
    patience_mean_seconds: ArrayLike | None = None,
    max_occupancy: float = 1.0,
    shrinkage: float = 0.0,
    targets: StaffingTargets | None = None,
) -> StaffingPlan:
    """Required agents for many intervals at once (Erlang C, or Erlang A with patience).

    ``calls`` are offered per interval of ``interval_seconds``; the load is
    ``A = calls * aht_seconds / interval_seconds``. The targets come as keywords or, made
    and validated once, as ``targets`` (not both). ``abandon_target`` needs
    ``patience_mean_seconds`` (Erlang A).
    """
    calls_a = check_non_negative("calls", calls)
    interval = float(check_positive("interval_seconds", interval_seconds))
    aht = check_positive("aht_seconds", aht_seconds)
    given = (service_level_target, threshold_seconds, asa_target_seconds, abandon_target,
             max_occupancy, shrinkage)
    if targets is None:
        targets = StaffingTargets(*given)
    elif given != (None, None, None, None, 1.0, 0.0):
        raise ValueError("give the targets either as keywords or as targets, not both")
    if targets.abandon_target is not None and patience_mean_seconds is None:
        raise ValueError("abandon_target needs patience_mean_seconds (Erlang A)")
    calls_a, aht = (
        np.array(v, dtype=np.float64).ravel() for v in np.broadcast_arrays(calls_a, aht)
    )
    load = calls_a * aht / interval
    _check_offered_load(load)
    floor = _occupancy_floor(load, targets.max_occupancy)  # ValueError past MAX_AGENTS
    agents = np.zeros_like(load)
    if patience_mean_seconds is None:
        never = load > 0
    else:
        patience = check_patience(patience_mean_seconds)
        patience = np.array(np.broadcast_to(patience, load.shape), dtype=np.float64)
        never = (load > 0) & np.isinf(patience)  # never abandon: Erlang C exactly
    c = np.flatnonzero(never)
    agents[c] = _erlang_c_search(load[c], aht[c], floor[c], targets)
    if patience_mean_seconds is None:
        return _erlang_c_plan(load, agents, aht, targets)
    live = np.flatnonzero((load > 0) & ~never)
    agents[live] = _erlang_a_search(load[live], aht[live], patience[live], targets)
    return _erlang_a_plan(load, agents, aht, patience, targets)


def _erlang_c_plan(
    load: FloatArray, agents: FloatArray, aht: FloatArray, targets: StaffingTargets
) -> StaffingPlan:
    live = load > 0
    sl = np.ones_like(load)
    asa = np.zeros_like(load)
    occ = np.zeros_like(load)
    p_wait = np.zeros_like(load)
    if live.any():
        a, n, h = load[live], agents[live], aht[live]
        sl[live] = service_level_arrays(a, n, h, np.asarray(targets.threshold))
        asa[live] = asa_arrays(a, n, h)
        occ[live] = a / n
        p_wait[live] = erlang_c_arrays(a, n)
    n_int = agents.astype(np.int64)
    return StaffingPlan(load, n_int, _scheduled(n_int, targets.shrinkage), sl, asa, occ, p_wait)


def _erlang_a_plan(
    load: FloatArray,
    agents: FloatArray,
    aht: FloatArray,
    patience: FloatArray,
    targets: StaffingTargets,
) -> StaffingPlan:
    live = load > 0
    sl, asa, occ = np.ones_like(load), np.zeros_like(load), np.zeros_like(load)
    p_wait, p_ab = np.zeros_like(load), np.zeros_like(load)
    if live.any():
        core = erlang_a_arrays(load[live], agents[live], aht[live], patience[live])
        sl[live] = core.answered_within(targets.threshold)
        asa[live] = core.mean_wait_seconds
        occ[live] = load[live] * (1.0 - core.p_abandon) / agents[live]
        p_wait[live], p_ab[live] = core.p_wait, core.p_abandon
    n_int = agents.astype(np.int64)
    scheduled = _scheduled(n_int, targets.shrinkage)
    return StaffingPlan(load, n_int, scheduled, sl, asa, occ, p_wait, p_ab)


def _single(
    calls: float, interval_seconds: float, aht_seconds: float
) -> tuple[float, float, float]:
    c = _scalar_at_least("calls", calls, 0.0, strict=False)
    interval = _scalar_at_least("interval_seconds", interval_seconds, 0.0, strict=True)
    aht = _scalar_at_least("aht_seconds", aht_seconds, 0.0, strict=True)
    load = c * aht / interval
    _check_offered_load(np.array([load]))
    return c, aht, load


def _scalar_at_least(name: str, value: float, bound: float, *, strict: bool) -> float:
    """Fast scalar twin of ``check_positive`` / ``check_non_negative`` (same messages)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {v!r}")
    if v < bound or (strict and v == bound):
        shown = repr(int(v)) if v.is_integer() else repr(v)
        raise ValueError(f"{name} must be {'>' if strict else '>='} {bound:g}, got {shown}")
    return v


def _erlang_c_single(
    calls: float, interval_seconds: float, aht_seconds: float, targets: StaffingTargets
) -> StaffingResult:
    """One interval in plain Python floats (the API calls this once per interval)."""
    _, aht, load = _single(calls, interval_seconds, aht_seconds)
    if load == 0:
        return StaffingResult(0, 0, 1.0, 0.0, 0.0, 0.0, 0.0)
    n_min = float(_occupancy_floor(np.array([load]), targets.max_occupancy)[0])
    n, c = _erlang_c_search_scalar(load, aht, n_min, targets)
    agents = int(n)
    return StaffingResult(
        agents=agents,
        scheduled_agents=math.ceil(agents / (1.0 - targets.shrinkage) * (1.0 - _CEIL_SLACK)),
        service_level=1.0 - c * math.exp(-(n - load) * targets.threshold / aht),
        asa_seconds=c * aht / (n - load),
        occupancy=load / n,
        offered_load_erlangs=load,
        p_wait=c,
    )


def required_agents(
    calls: float,
    interval_seconds: float,
    aht_seconds: float,
    service_level_target: float,
    threshold_seconds: float,
    max_occupancy: float = 1.0,
    shrinkage: float = 0.0,
) -> StaffingResult:
    """Smallest whole number of agents with Erlang C ``SL(threshold) >= target`` and
    ``A/n <= max_occupancy``; ``scheduled_agents = ceil(agents / (1 - shrinkage))``."""
    targets = StaffingTargets(
        service_level_target=service_level_target,
        threshold_seconds=threshold_seconds,
        max_occupancy=max_occupancy,
        shrinkage=shrinkage,
    )
    return _erlang_c_single(calls, interval_seconds, aht_seconds, targets)


def required_agents_for_asa(
    calls: float,
    interval_seconds: float,
    aht_seconds: float,
    asa_target_seconds: float,
    max_occupancy: float = 1.0,
    shrinkage: float = 0.0,
) -> StaffingResult:
    """Smallest whole number of agents with Erlang C ``ASA <= asa_target_seconds``."""
    targets = StaffingTargets(
        asa_target_seconds=asa_target_seconds, max_occupancy=max_occupancy, shrinkage=shrinkage
    )
    return _erlang_c_single(calls, interval_seconds, aht_seconds, targets)


def required_agents_erlang_a(
    calls: float,
    interval_seconds: float,
    aht_seconds: float,
    patience_mean_seconds: float,
    *,
    service_level_target: float | None = None,
    threshold_seconds: float | None = None,
    abandon_target: float | None = None,
    asa_target_seconds: float | None = None,
    max_occupancy: float = 1.0,
    shrinkage: float = 0.0,
) -> StaffingResult:
    """Smallest whole number of agents meeting the targets under Erlang A (M/M/n+M).

    Service level is answered within the threshold over offered calls; ASA is the mean
    wait over all calls. May be fewer agents than the offered load.
    """
    return staff_intervals(
        [calls],
        interval_seconds,
        [aht_seconds],
        service_level_target=service_level_target,
        threshold_seconds=threshold_seconds,
        asa_target_seconds=asa_target_seconds,
        abandon_target=abandon_target,
        patience_mean_seconds=patience_mean_seconds,
        max_occupancy=max_occupancy,
        shrinkage=shrinkage,
    )[0]


# Bisection steps for fractional agents: the bracket is one agent wide, 2**-40 ~ 1e-12.
_FRACTIONAL_STEPS = 40


def required_agents_fractional(
    calls: ArrayLike,
    interval_seconds: float,
    aht_seconds: ArrayLike,
    service_level_target: float,
    threshold_seconds: float,
    max_occupancy: float = 1.0,
) -> Any:
    """Real number of agents ``x`` with continued Erlang C ``SL(x) = target`` (and
    ``A/x <= max_occupancy``), vectorised; 0 where no calls are offered.

    ``ceil`` of the result is :func:`required_agents`' answer (up to the last ulp of the
    bisection, about 1e-12 agents). Sum these over queues, then round, for totals.
    """
    calls_a = check_non_negative("calls", calls)
    interval = float(check_positive("interval_seconds", interval_seconds))
    aht = check_positive("aht_seconds", aht_seconds)
    targets = StaffingTargets(
        service_level_target=service_level_target,
        threshold_seconds=threshold_seconds,
        max_occupancy=max_occupancy,
    )
    shape = np.broadcast(calls_a, aht).shape
    flat_calls, flat_aht = (
        np.array(v, dtype=np.float64).ravel() for v in np.broadcast_arrays(calls_a, aht)
    )
    load = flat_calls * flat_aht / interval
    _check_offered_load(load)
    out = np.zeros_like(load)
    live = np.flatnonzero(load > 0)
    if live.size:
        a, h = load[live], flat_aht[live]
        t = np.asarray(targets.threshold)
        hi = _erlang_c_search(a, h, np.zeros_like(a), targets)
        lo = np.maximum(hi - 1.0, a)
        for _ in range(_FRACTIONAL_STEPS):
            mid = 0.5 * (lo + hi)
            ok = service_level_arrays(a, mid, h, t) >= service_level_target
            hi, lo = np.where(ok, mid, hi), np.where(ok, lo, mid)
        out[live] = np.maximum(hi, a / max_occupancy)
    if np.ndim(calls) == 0 and np.ndim(aht_seconds) == 0:
        return float(out[0])
    return out.reshape(shape)
