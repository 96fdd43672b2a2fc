"""Erlang A: the M/M/n+M queue (Poisson arrivals, exponential handle times and patience).

After O. Garnett, A. Mandelbaum and M. Reiman, "Designing a call center with impatient
customers", M&SOM 4 (2002), and A. Mandelbaum and S. Zeltyn, "The M/M/n+G queue: summary of
performance measures" (Technion note). Notation: arrival rate ``lambda``, service rate
``mu = 1/AHT``, abandonment rate ``theta = 1/patience``, load ``A = lambda/mu``, ``n`` agents,
``r = theta/mu = AHT/patience``, ``x = n/r = n mu/theta`` and ``z = A/r = lambda/theta``.

Exact birth-death solution (states ``k <= n``: ``p_k ~ A**k/k!``; states ``n + j``:
``p_{n+j} = p_n prod_{i=1..j} A/(n + i r)``). Relative to ``p_n``::

    E = sum_{k<=n} p_k/p_n = 1/B(n, A)                        (Erlang B, wfm.erlang_b)
    G = sum_{j>=0} p_{n+j}/p_n = sum_j z**j/((x+1)...(x+j)) = P(x, z)/pi(x, z)

with ``P`` scipy's regularised lower incomplete gamma and ``pi(x, z) = z**x e**-z/Gamma(x+1)``
(Mandelbaum-Zeltyn's ``J`` function in regularised form). A caller who finds ``n + j`` in
the system would wait ``V_j = sum_{l=0..j} Exp(n mu + l theta)`` if infinitely patient; the
mixture over ``j`` (PASTA) has density, for ``s > 0``::

    h(s) = p_n n mu exp(-n mu s + (lambda/theta)(1 - e**(-theta s)))

and a caller is served iff ``V < tau`` (patience), so with ``y_t = z e**(-t/patience)``::

    P(wait)                 = p_n G = 1 / (1 + (E - 1)/G),  E - 1 = (n/A)/B(n-1, A)
    P(V > t | wait)         = P(x, y_t) / P(x, z)
    P(served, V > t | wait) = (x/z) P(x+1, y_t) / P(x, z)
    P(abandon | wait)       = (n/A)/G - (n - A)/A      (= M(2; x+2; z)/((x+1) G) for x >= 1.1 z)
    P(answered within t)    = 1 - P(wait) + P(wait) [P(served | wait) - P(served, V > t | wait)]
    E[W] (all calls)        = P(abandon) * patience     (Little: lambda P(ab) = theta E[queue])
    E[W | served]           = integral of s e**(-theta s) h(s) ds / P(served)   (quadrature)

Incomplete gammas come from scipy in logs; where ``P`` would underflow (``a >= 1.1 y``) the
ratio is summed directly as ``pi(a, y) sum_k y**k/((a+1)...(a+k))`` with ``log pi`` computed
through Loader's ``bd0``/``stirlerr`` (no cancellation of large logarithms).

Patient callers (``x = n/r >`` :data:`_X_QUAD` ``= 1e3`` with ``n > A``; ``patience =
math.inf``): the incomplete-gamma route cancels logarithms of size ``x``, so its relative
error grows like ``1e-16 x`` (against mpmath: below 1e-13 up to ``x = 1e3``, 1e-12 at 5e3,
1e-10 at 1e5; at 1e16 s patience it gave a service level of 0, at 1e300 P(wait) fell to
Erlang B's value). There the quantities are integrals of the waiting-time density in units
of AHT, ``u = mu s``, with the exponent written so that it is exact at ``r = 0`` (about
1e-15 relative at any ``x``, in a fraction of a millisecond per interval)::

    g_k(u) = -(n + k r) u + A u phi(r u),   phi(v) = (1 - e**-v)/v  (phi(0) = 1)
    G                       = n int_0^inf e**g_0(u) du
    P(served, V > t)        = (P(wait)/G) n int_tau^inf e**g_1(u) du          (tau = t/AHT)
    P(V > t, waiting at t)  = e**(-r tau) (P(wait)/G) n int_tau^inf e**g_0(u) du
    P(abandon)              = (P(wait)/G) n r int_0^inf u phi(r u) e**g_0(u) du

each integrated by QUADPACK after rescaling to the peak of the (log-concave) integrand.
Abandoned within ``t`` is summed from two positive parts on either route (its difference
form ``1 - answered - still waiting`` cancels: relative errors of 1e-6 at 1e6 s patience)::

    P(abandon, wait <= t)   = (P(wait)/G) n int_0^tau (1 - e**(-r u)) e**g_0(u) du
                              + (e**(r tau) - 1) P(V > t, waiting at t)

As
``patience -> inf`` they tend to Erlang C's ``G = n/(n-A)``, ``P(V > t | wait) =
e**(-(n-A) tau)`` and ``P(abandon) = 0``. ``patience_mean_seconds = math.inf`` means callers
never abandon: Erlang C exactly, which needs ``n > A`` (ValueError otherwise).

Service-level definitions (t = threshold; "answered within t" counts callers answered with
wait <= t, including those answered at once; "abandoned within t" those who hung up first):

- ``answered_of_offered``: answered within t / offered
- ``answered_of_answered``: answered within t / answered
- ``excluding_abandoned_within_threshold``: answered within t / (offered - abandoned within t)
- ``abandoned_within_threshold_as_met``: (answered within t + abandoned within t) / offered
- ``excluding_short_abandons``: answered within t / (offered - abandoned within s seconds)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from scipy import integrate, special

from wfm.erlang_b import (
    ArrayLike,
    FloatArray,
    check_agents,
    check_load,
    check_non_negative,
    check_positive,
    inverse_erlang_b_arrays,
)

__all__ = ["ErlangA", "ErlangAArrays", "check_patience", "erlang_a", "erlang_a_arrays"]

_LN_2PI = math.log(2.0 * math.pi)
# Direct summation when a >= 1.1 y: terms shrink at least by 1/1.1 each, so <= ~420 terms.
_SERIES_RATIO = 1.1
_SERIES_TOL = 1e-17
_SERIES_MAX_TERMS = 200_000
# gammainc below this is treated as underflowed (lost relative precision).
_TINY = 1e-280
# Above this x = n mu/theta the gamma route loses precision (error ~ 1e-16 x, module doc):
# use the integrals, exact at any x. 1e3 keeps the gamma route's error below ~1e-13; the
# integrals cost about 0.1 ms per interval (1,667 Erlangs are staffed in a few ms either way).
_X_QUAD = 1e3
_QUAD_REL = 1e-13


# ----------------------------------------------------------------------------- special functions


def _stirlerr(a: FloatArray) -> FloatArray:
    """``log Gamma(a+1) - (a + 1/2) log a + a - log(2 pi)/2`` (Stirling's remainder)."""
    out = np.empty_like(a)
    big = a >= 15.0
    inv = 1.0 / a[big]
    inv2 = inv * inv
    # asymptotic series; first omitted term 691/(360360 a**11) < 3e-16 for a >= 15
    out[big] = inv * (
        1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 * (1 / 1680 - inv2 / 1188)))
    )
    s = a[~big]
    out[~big] = special.gammaln(s + 1.0) - (s + 0.5) * np.log(s) + s - 0.5 * _LN_2PI
    return out


def _bd0(a: FloatArray, y: FloatArray) -> FloatArray:
    """``a log(a/y) + y - a`` without cancellation (C. Loader, 2000)."""
    out = np.empty_like(a)
    near = np.abs(a - y) < 0.1 * (a + y)
    an, yn = a[near], y[near]
    v = (an - yn) / (an + yn)
    s = (an - yn) * v
    ej = 2.0 * an * v
    v2 = v * v
    for j in range(1, 12):  # |v| < 0.1: terms fall by 100 per step
        ej = ej * v2
        s = s + ej / (2 * j + 1)
    out[near] = s
    af, yf = a[~near], y[~near]
    out[~near] = af * (np.log(af) - np.log(yf)) + yf - af  # a/y may overflow
    return out


def _log_pi(a: FloatArray, y: FloatArray) -> FloatArray:
    """``log(y**a e**-y / Gamma(a+1))`` for ``a > 0, y > 0``."""
    return -_stirlerr(a) - 0.5 * np.log(2.0 * np.pi * a) - _bd0(a, y)


def _kummer_series(a: FloatArray, y: FloatArray, second: bool = False) -> FloatArray:
    """``M(1; a+1; y) = sum_k y**k/((a+1)...(a+k))``, or with ``second``
    ``M(2; a+2; y) = sum_k (k+1) y**k/((a+2)...(a+k+1))``; positive terms, vectorised."""
    if a.size == 1:  # one lane (single-interval staffing): a plain loop is far cheaper
        return np.full_like(a, _kummer_scalar(float(a.ravel()[0]), float(y.ravel()[0]), second))
    total = np.ones_like(a)
    term = np.ones_like(a)
    lanes = np.arange(a.size)
    a_l, y_l = a.copy(), y.copy()
    for k in range(1, _SERIES_MAX_TERMS):
        denom = a_l + k + (1.0 if second else 0.0)
        term = term * y_l / denom
        add = term * (k + 1) if second else term
        total[lanes] += add
        keep = add > _SERIES_TOL * total[lanes]
        if not keep.all():
            lanes, term, a_l, y_l = lanes[keep], term[keep], a_l[keep], y_l[keep]
            if lanes.size == 0:
                break
    return total


def _kummer_scalar(a: float, y: float, second: bool) -> float:
    """Pure-Python twin of :func:`_kummer_series` for one lane (same arithmetic)."""
    total = term = 1.0
    shift = 1.0 if second else 0.0
    for k in range(1, _SERIES_MAX_TERMS):
        term = term * y / (a + k + shift)
        add = term * (k + 1) if second else term
        total += add
        if not add > _SERIES_TOL * total:
            break
    return total


def _log_lower_ratio(a: FloatArray, y: FloatArray, log_pi: FloatArray) -> FloatArray:
    """``log(P(a, y)) - log_pi`` (``-inf`` where ``y == 0``)."""
    out = np.full_like(a, -np.inf)
    pos = y > 0
    series = pos & (a >= _SERIES_RATIO * y)
    gi = np.flatnonzero(pos & ~series)
    if gi.size:
        p = special.gammainc(a[gi], y[gi])
        fine = p > _TINY
        out[gi[fine]] = np.log(p[fine]) - log_pi[gi[fine]]
        series[gi[~fine]] = True
    si = np.flatnonzero(series)
    if si.size:
        a_s, y_s = a[si], y[si]
        out[si] = _log_pi(a_s, y_s) + np.log(_kummer_series(a_s, y_s)) - log_pi[si]
    return out


# ----------------------------------------------------------------------------- vectorised core


class ErlangAArrays(NamedTuple):
    """Erlang A quantities for many intervals at once (all arrays of one shape)."""

    load: FloatArray
    agents: FloatArray
    aht_seconds: FloatArray
    patience_seconds: FloatArray
    p_wait: FloatArray
    p_abandon: FloatArray
    log_g: FloatArray  # log G (see module doc); nan where the load is zero
    log_pi: FloatArray

    @property
    def mean_wait_seconds(self) -> FloatArray:
        """Mean wait over all calls (answered and abandoned): ``P(ab) * patience``; with
        ``patience = inf`` Erlang C's ``P(wait) AHT / (n - A)``."""
        finite = np.isfinite(self.patience_seconds)
        out = np.zeros_like(self.load)
        out[finite] = self.p_abandon[finite] * self.patience_seconds[finite]
        never = ~finite & (self.load > 0)
        out[never] = (
            self.p_wait[never] * self.aht_seconds[never] / (self.agents[never] - self.load[never])
        )
        return out

    def _tail(self, threshold_seconds: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """``P(served, V > t)`` and ``P(V > t, still waiting at t)``, over all calls."""
        t = np.broadcast_to(np.asarray(threshold_seconds, dtype=np.float64), self.load.shape)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            x = self.agents * self.patience_seconds / self.aht_seconds
            z = self.load / self.r  # inf or nan with infinite patience: such lanes use quad
        quad = (self.load > 0) & (self.agents > self.load) & (x > _X_QUAD)
        live = (self.load > 0) & ~quad
        served_late = np.zeros_like(self.load)
        waiting = np.zeros_like(self.load)
        for i in map(tuple, np.argwhere(quad & (self.p_wait > 0))):
            a, n, r = float(self.load[i]), float(self.agents[i]), float(self.r[i])
            tau = float(t[i]) / float(self.aht_seconds[i])
            scale = math.log(float(self.p_wait[i])) - float(self.log_g[i]) + math.log(n)
            served_late[i] = math.exp(scale + _log_integral(a, n, r, tau, 1.0))
            waiting[i] = math.exp(scale + _log_integral(a, n, r, tau, 0.0) - r * tau)
        if np.any(live):
            xl, zl, tl = x[live], z[live], t[live]
            y = zl * np.exp(-tl / self.patience_seconds[live])
            lg, lp, pw = self.log_g[live], self.log_pi[live], self.p_wait[live]
            served_late[live] = pw * (xl / zl) * np.exp(_log_lower_ratio(xl + 1.0, y, lp) - lg)
            still = np.exp(_log_lower_ratio(xl, y, lp) - lg - tl / self.patience_seconds[live])
            waiting[live] = pw * still
        return served_late, waiting

    @property
    def r(self) -> FloatArray:
        return np.asarray(self.aht_seconds / self.patience_seconds, dtype=np.float64)

    def answered_within(self, threshold_seconds: ArrayLike) -> FloatArray:
        """``P(answered with wait <= t)`` over offered calls."""
        served_late, _ = self._tail(threshold_seconds)
        return np.clip(1.0 - self.p_abandon - served_late, 0.0, 1.0)

    def abandoned_within(self, seconds: ArrayLike) -> FloatArray:
        """``P(abandoned with wait <= s)`` over offered calls, as the sum of its two positive
        parts (module docstring): hung up before ``s`` while ``V`` was shorter, or longer."""
        t = np.broadcast_to(np.asarray(seconds, dtype=np.float64), self.load.shape)
        _, waiting = self._tail(t)
        out = np.zeros_like(self.load)
        r = self.r
        lanes = (self.load > 0) & (self.p_wait > 0) & (t > 0) & (r > 0)
        for i in map(tuple, np.argwhere(lanes)):
            a, n, ri = float(self.load[i]), float(self.agents[i]), float(r[i])
            tau = float(t[i]) / float(self.aht_seconds[i])
            scale = math.log(float(self.p_wait[i])) - float(self.log_g[i]) + math.log(n)
            before = math.exp(scale + _log_abandon_integral(a, n, ri, tau))
            out[i] = before + float(waiting[i]) * math.expm1(ri * tau)
        return np.clip(out, 0.0, 1.0)


def erlang_a_arrays(
    offered_load_erlangs: ArrayLike,
    agents: ArrayLike,
    aht_seconds: ArrayLike,
    patience_mean_seconds: ArrayLike,
) -> ErlangAArrays:
    """Vectorised Erlang A; ``agents`` must be whole numbers >= 1."""
    load = check_load("offered_load_erlangs", offered_load_erlangs)
    n = check_agents("agents", agents, positive=True)
    if np.any(n != np.floor(n)):
        bad = n[n != np.floor(n)].ravel()[0]
        raise ValueError(f"agents must be a whole number for Erlang A, got {bad!r}")
    aht = check_positive("aht_seconds", aht_seconds)
    patience = check_patience(patience_mean_seconds)
    load, n, aht, patience = (
        np.array(v, dtype=np.float64) for v in np.broadcast_arrays(load, n, aht, patience)
    )
    never = np.isinf(patience) & (n <= load) & (load > 0)
    if np.any(never):
        i = tuple(np.argwhere(never)[0])
        raise ValueError(
            "patience_mean_seconds = inf (callers never abandon) needs agents > load,"
            f" got {n[i]:g} agents for {load[i]:g} erlangs"
        )
    p_wait = np.zeros_like(load)
    p_ab = np.zeros_like(load)
    log_g = np.full_like(load, np.nan)
    log_pi = np.full_like(load, np.nan)
    with np.errstate(over="ignore"):
        quad = (load > 0) & (n > load) & (n * patience / aht > _X_QUAD)
    for i in map(tuple, np.argwhere(quad)):
        p_wait[i], p_ab[i], log_g[i] = _patient_lane(
            float(load[i]), float(n[i]), float(aht[i] / patience[i])
        )
    live = (load > 0) & ~quad
    if np.any(live):
        a, nl = load[live], n[live]
        r = aht[live] / patience[live]
        x, z = nl / r, a / r
        lp = _log_pi(x, z)
        lg = _log_lower_ratio(x, z, lp)
        with np.errstate(divide="ignore"):
            log_e_minus_1 = np.log(nl / a) + np.log(inverse_erlang_b_arrays(a, nl - 1.0))
        pw = special.expit(lg - log_e_minus_1)
        ab_given_wait = _abandon_given_wait(a, nl, x, z, lg)
        p_wait[live], p_ab[live], log_g[live], log_pi[live] = pw, pw * ab_given_wait, lg, lp
    return ErlangAArrays(load, n, aht, patience, p_wait, p_ab, log_g, log_pi)


def check_patience(value: ArrayLike) -> FloatArray:
    """Patience > 0; ``math.inf`` (never abandons) allowed, NaN and -inf not."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"patience_mean_seconds must be a number, got {value!r}") from None
    bad = np.isnan(arr) | (arr <= 0)
    if np.any(bad):
        raise ValueError(f"patience_mean_seconds must be > 0, got {arr[bad].ravel()[0]:g}")
    return arr


def _phi(v: float) -> float:
    """``(1 - e**-v)/v``, 1 at ``v = 0``."""
    return -math.expm1(-v) / v if v > 0 else 1.0


def _log_integral(
    a: float, n: float, r: float, tau: float, k: float, moment: bool = False
) -> float:
    """``log int_tau^inf f(u) e**g_k(u) du`` with ``f = 1`` or (``moment``) ``u phi(r u)``.

    ``g_k(u) = -(n + k r) u + a u phi(r u)`` is concave (``g'' = -a r e**(-r u)``); the
    integral is taken around its peak on ``[tau, inf)``, in units of its width there.
    """
    c = n + k * r

    def g(u: float) -> float:
        return -c * u + a * u * _phi(r * u)

    peak = math.log(a / c) / r if (r > 0 and a > c) else 0.0
    u0 = max(tau, peak)
    slope = c - a * math.exp(-r * u0)
    curvature = a * r * math.exp(-r * u0)
    sigma = 1.0 / max(slope, math.sqrt(curvature), 1e-300)
    g0 = g(u0)

    def f(s: float) -> float:
        u = u0 + sigma * s
        weight = u * _phi(r * u) if moment else 1.0
        return weight * math.exp(g(u) - g0)

    opts = {"epsabs": 0.0, "epsrel": _QUAD_REL, "limit": 200}
    total = float(integrate.quad(f, 0.0, np.inf, **opts)[0])
    if u0 > tau:
        total += float(integrate.quad(f, (tau - u0) / sigma, 0.0, **opts)[0])
    return g0 + math.log(sigma) + math.log(total)


def _log_abandon_integral(a: float, n: float, r: float, tau: float) -> float:
    """``log int_0^tau (1 - e**(-r u)) e**g_0(u) du`` (``-inf`` if it underflows).

    The integrand is taken relative to ``g_0``'s maximum on ``[0, tau]``, with break points
    at multiples of its width there so that QUADPACK sees a narrow peak.
    """

    def g(u: float) -> float:
        return -n * u + a * u * _phi(r * u)

    peak = math.log(a / n) / r if a > n else 0.0
    u0 = min(peak, tau)
    slope = abs(n - a * math.exp(-r * u0))
    sigma = 1.0 / max(slope, math.sqrt(a * r * math.exp(-r * u0)), 1e-300)
    g0 = g(u0)

    def f(u: float) -> float:
        return -math.expm1(-r * u) * math.exp(g(u) - g0)

    points = sorted(
        {p for k in (1.0, 5.0, 20.0, 80.0) for p in (u0 - k * sigma, u0 + k * sigma) if 0 < p < tau}
    )
    total = float(
        integrate.quad(f, 0.0, tau, points=points or None, epsabs=0.0, epsrel=_QUAD_REL, limit=200)[
            0
        ]
    )
    return g0 + math.log(total) if total > 0 else -math.inf


def _patient_lane(a: float, n: float, r: float) -> tuple[float, float, float]:
    """``P(wait)``, ``P(abandon)`` and ``log G`` by the integrals (very patient callers)."""
    log_g = math.log(n) + _log_integral(a, n, r, 0.0, 0.0)
    log_e_minus_1 = math.log(n / a) + math.log(
        float(inverse_erlang_b_arrays(np.array(a), np.array(n - 1.0)))
    )
    log_p_wait = -float(np.logaddexp(0.0, log_e_minus_1 - log_g))
    p_wait = math.exp(log_p_wait)
    if r == 0.0:
        return p_wait, 0.0, log_g
    log_ab = math.log(r) + math.log(n) + _log_integral(a, n, r, 0.0, 0.0, moment=True)
    return p_wait, min(1.0, math.exp(log_p_wait - log_g + log_ab)), log_g


def _abandon_given_wait(
    a: FloatArray, n: FloatArray, x: FloatArray, z: FloatArray, log_g: FloatArray
) -> FloatArray:
    """``P(abandon | wait) = (n/A)/G - (n-A)/A``; series form where that would cancel."""
    out = (n / a) * np.exp(-log_g) - (n - a) / a
    series = x >= _SERIES_RATIO * z
    if np.any(series):
        xs, zs = x[series], z[series]
        m2 = _kummer_series(xs, zs, second=True)
        out[series] = m2 / ((xs + 1.0) * np.exp(log_g[series]))
    return np.clip(out, 0.0, 1.0)


# ----------------------------------------------------------------------------- result object


@dataclass(frozen=True)
class ErlangA:
    """Steady-state Erlang A (M/M/n+M) figures for one interval.

    Attributes
    ----------
    p_wait : probability that a call finds all agents busy.
    p_abandon : probability that a call abandons.
    mean_wait_seconds : mean wait over all calls (answered and abandoned).
    """

    offered_load_erlangs: float
    agents: int
    aht_seconds: float
    patience_mean_seconds: float
    p_wait: float
    p_abandon: float
    _core: ErlangAArrays = field(repr=False, compare=False)

    @property
    def p_answered(self) -> float:
        return 1.0 - self.p_abandon

    @property
    def mean_wait_seconds(self) -> float:
        """Mean wait over all calls: ``P(abandon) * patience`` (Little's law); with
        ``patience = inf`` Erlang C's ``P(wait) AHT/(n - A)``."""
        if math.isinf(self.patience_mean_seconds):
            return self._erlang_c_wait()
        return self.p_abandon * self.patience_mean_seconds

    def _erlang_c_wait(self) -> float:
        if self.offered_load_erlangs == 0:
            return 0.0
        return self.p_wait * self.aht_seconds / (self.agents - self.offered_load_erlangs)

    @property
    def mean_wait_answered_seconds(self) -> float:
        """Mean wait of answered calls, ``E[W | served]`` (numerical quadrature)."""
        if self.p_wait == 0.0:
            return 0.0
        if math.isinf(self.patience_mean_seconds):
            return self._erlang_c_wait()
        return _mean_wait_served(self) * self.aht_seconds / self.p_answered

    @property
    def mean_wait_abandoned_seconds(self) -> float:
        """Mean time to abandon of callers who abandon, ``E[W | abandoned]``."""
        if self.p_abandon == 0.0:
            return 0.0
        served_part = _mean_wait_served(self) * self.aht_seconds if self.p_wait else 0.0
        return (self.mean_wait_seconds - served_part) / self.p_abandon

    def _answered_within(self, t: float) -> float:
        return float(self._core.answered_within(t)[()])

    def _abandoned_within(self, t: float) -> float:
        return float(self._core.abandoned_within(t)[()])

    def service_level(self, threshold_seconds: float) -> float:
        """Answered within the threshold over offered calls (= ``answered_of_offered``)."""
        return self.answered_of_offered(threshold_seconds)

    def answered_of_offered(self, threshold_seconds: float) -> float:
        t = _check_threshold(threshold_seconds)
        return self._answered_within(t)

    def answered_of_answered(self, threshold_seconds: float) -> float:
        t = _check_threshold(threshold_seconds)
        return self._answered_within(t) / self.p_answered if self.p_answered > 0 else 0.0

    def excluding_abandoned_within_threshold(self, threshold_seconds: float) -> float:
        t = _check_threshold(threshold_seconds)
        return self._answered_within(t) / (1.0 - self._abandoned_within(t))

    def abandoned_within_threshold_as_met(self, threshold_seconds: float) -> float:
        t = _check_threshold(threshold_seconds)
        return min(1.0, self._answered_within(t) + self._abandoned_within(t))

    def excluding_short_abandons(
        self, threshold_seconds: float, short_abandon_seconds: float
    ) -> float:
        t = _check_threshold(threshold_seconds)
        s = float(check_non_negative("short_abandon_seconds", short_abandon_seconds))
        return self._answered_within(t) / (1.0 - self._abandoned_within(s))

    def p_abandon_within(self, seconds: float) -> float:
        """Probability that a call abandons after waiting at most ``seconds``."""
        return self._abandoned_within(float(check_non_negative("seconds", seconds)))


def _check_threshold(threshold_seconds: float) -> float:
    return float(check_non_negative("threshold_seconds", threshold_seconds))


def _mean_wait_served(e: ErlangA) -> float:
    """``E[W; served] / AHT = p_n n int u e**(-r u) exp(-n u + z(1 - e**(-r u))) du``.

    The integrand is log-concave; it is rescaled to its peak ``u*`` and width ``sigma`` and
    integrated with QUADPACK on both sides of the peak.
    """
    a, n = e.offered_load_erlangs, float(e.agents)
    r = e.aht_seconds / e.patience_mean_seconds
    z = a / r
    u_star = math.log(a / (n + r)) / r if a > n + r else 0.0

    def g(u: float) -> float:
        return -(n + r) * u - z * math.expm1(-r * u)

    slope = n + r - a * math.exp(-r * u_star)
    curvature = a * r * math.exp(-r * u_star)
    sigma = 1.0 / max(slope, math.sqrt(curvature))
    g_star = g(u_star)

    def f(s: float) -> float:
        u = u_star + sigma * s
        return u * math.exp(g(u) - g_star)

    left = float(integrate.quad(f, -u_star / sigma, 0.0, epsabs=0.0, epsrel=1e-13, limit=200)[0])
    right = float(integrate.quad(f, 0.0, np.inf, epsabs=0.0, epsrel=1e-13, limit=200)[0])
    integral = sigma * (left + right)
    log_g = float(e._core.log_g[()])
    return math.exp(math.log(e.p_wait) - log_g + math.log(n) + g_star) * integral


def erlang_a(
    offered_load_erlangs: float,
    agents: int,
    aht_seconds: float,
    patience_mean_seconds: float,
) -> ErlangA:
    """Erlang A (M/M/n+M) for one interval; see the module docstring for the formulas.

    ``patience_mean_seconds`` is the mean of the callers' exponential patience; as it grows
    the figures tend to Erlang C's, which ``math.inf`` (never abandons) gives exactly (then
    ``agents`` must exceed the load).
    """
    core = erlang_a_arrays(offered_load_erlangs, agents, aht_seconds, patience_mean_seconds)
    return ErlangA(
        offered_load_erlangs=float(core.load),
        agents=int(core.agents),
        aht_seconds=float(core.aht_seconds),
        patience_mean_seconds=float(core.patience_seconds),
        p_wait=float(core.p_wait),
        p_abandon=float(core.p_abandon),
        _core=core,
    )
