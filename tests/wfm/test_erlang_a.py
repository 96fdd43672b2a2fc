"""Erlang A (M/M/n+M) against a direct birth-death summation in mpmath, and properties."""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.erlang_a import ErlangA, erlang_a, erlang_a_arrays
from wfm.erlang_c import average_speed_of_answer, erlang_c, service_level

REL = 1e-12


@dataclass
class Reference:
    p_wait: float
    p_abandon: float
    answered_within: float
    abandoned_within: float
    mean_wait_answered: float


def mp_erlang_a(load: float, n: int, aht: float, patience: float, t: float) -> Reference:
    """Direct summation over the states of the birth-death chain.

    States k <= n: A^k/k!; states n+j: times prod A/(n + i r). A caller finding n+j waits
    through stages l = 0..j with rates n + l r (time in units of AHT); being served with
    probability n/(n + (j+1) r), and, given served, waiting sum_{l=1..j+1} Exp(n + l r).
    The hypoexponential tails use partial fractions at high precision.
    """
    with mp.workdps(60):
        a, r = mp.mpf(load), mp.mpf(aht) / patience
        term, total = mp.mpf(1), mp.mpf(1)
        for k in range(1, n + 1):
            term = term * a / k
            total += term
        e = total / term
        pis = [mp.mpf(1)]
        while pis[-1] > mp.mpf(10) ** -25 * sum(pis):  # far below the 1e-12 asked
            pis.append(pis[-1] * a / (n + len(pis) * r))
        g = sum(pis)
        p_n = 1 / (e - 1 + g)
        p_ab = p_n * sum(j * pj for j, pj in enumerate(pis)) * r / a
    tt = mp.mpf(t) / aht
    answered, abandoned, wait_served = 1 - p_n * g, mp.mpf(0), mp.mpf(0)
    with mp.workdps(40 + len(pis)):  # partial fractions alternate: digits grow with j
        for j, pj in enumerate(pis):
            served = mp.mpf(n) / (n + (j + 1) * r)
            tilted = [n + l * r for l in range(1, j + 2)]  # given served
            answered += p_n * pj * served * (1 - _hypo_tail(tilted, tt))
            wait_served += p_n * pj * served * sum(1 / x for x in tilted)
            stages = [n + l * r for l in range(j + 1)]  # offered wait V_j
            coef = _partial_fractions(stages)
            abandoned += (
                p_n
                * pj
                * sum(
                    c * r * (1 - mp.exp(-(lam + r) * tt)) / (lam + r)
                    for c, lam in zip(coef, stages)
                )
            )
    return Reference(
        float(p_n * g),
        float(p_ab),
        float(answered),
        float(abandoned),
        float(wait_served * aht / (1 - p_ab)),
    )


def _partial_fractions(rates: list[mp.mpf]) -> list[mp.mpf]:
    """Coefficients c_i of P(sum Exp(rates) > t) = sum_i c_i exp(-rate_i t) for rates in
    arithmetic progression (step d): c_i = prod_{k!=i} rate_k/(rate_k - rate_i)
    = (prod rate / rate_i) / (d^(m-1) (-1)^i i! (m-1-i)!)."""
    m = len(rates)
    d = rates[1] - rates[0] if m > 1 else mp.mpf(1)
    prod = mp.fprod(rates)
    return [
        prod / rates[i] / (d ** (m - 1) * (-1) ** i * mp.factorial(i) * mp.factorial(m - 1 - i))
        for i in range(m)
    ]


def _hypo_tail(rates: list[mp.mpf], t: mp.mpf) -> mp.mpf:
    return sum(c * mp.exp(-lam * t) for c, lam in zip(_partial_fractions(rates), rates))


CASES = [
    # load, agents, aht, patience, threshold
    (10.0, 12, 180.0, 120.0, 20.0),
    (10.0, 9, 180.0, 300.0, 20.0),  # fewer agents than the load
    (50.0, 45, 120.0, 60.0, 10.0),
    (20.0, 25, 200.0, 400.0, 30.0),
    (10.0, 14, 180.0, 1000.0, 20.0),
    (20.0, 25, 200.0, 2000.0, 30.0),
    (3.3, 2, 300.0, 30.0, 15.0),
]


@pytest.fixture(scope="module", params=CASES, ids=lambda c: "-".join(f"{v:g}" for v in c))
def case(
    request: pytest.FixtureRequest,
) -> tuple[tuple[float, int, float, float, float], Reference]:
    return request.param, mp_erlang_a(*request.param)


def test_matches_direct_summation(
    case: tuple[tuple[float, int, float, float, float], Reference],
) -> None:
    (load, n, aht, patience, t), ref = case
    e = erlang_a(load, n, aht, patience)
    assert e.p_wait == pytest.approx(ref.p_wait, rel=REL)
    assert e.p_abandon == pytest.approx(ref.p_abandon, rel=REL)
    assert e.service_level(t) == pytest.approx(ref.answered_within, rel=REL)
    assert e.p_abandon_within(t) == pytest.approx(ref.abandoned_within, rel=1e-11)
    assert e.mean_wait_answered_seconds == pytest.approx(ref.mean_wait_answered, rel=1e-10)
    assert e.mean_wait_seconds == pytest.approx(ref.p_abandon * patience, rel=REL)


def test_named_service_levels(
    case: tuple[tuple[float, int, float, float, float], Reference],
) -> None:
    (load, n, aht, patience, t), ref = case
    e = erlang_a(load, n, aht, patience)
    answered, ab_t = ref.answered_within, ref.abandoned_within
    assert e.answered_of_offered(t) == pytest.approx(answered, rel=REL)
    assert e.answered_of_answered(t) == pytest.approx(answered / (1 - ref.p_abandon), rel=REL)
    assert e.excluding_abandoned_within_threshold(t) == pytest.approx(
        answered / (1 - ab_t), rel=1e-11
    )
    assert e.abandoned_within_threshold_as_met(t) == pytest.approx(answered + ab_t, rel=1e-11)
    assert e.excluding_short_abandons(t, 0.0) == pytest.approx(answered, rel=REL)
    assert e.excluding_short_abandons(t, t) == pytest.approx(
        e.excluding_abandoned_within_threshold(t)
    )


def test_large_load_matches_direct_summation() -> None:
    ref = mp_erlang_a_probabilities(1667.0, 1650, 180.0, 120.0)
    e = erlang_a(1667.0, 1650, 180.0, 120.0)
    assert e.p_wait == pytest.approx(ref[0], rel=1e-11)
    assert e.p_abandon == pytest.approx(ref[1], rel=1e-11)


def mp_erlang_a_probabilities(
    load: float, n: int, aht: float, patience: float
) -> tuple[float, float]:
    with mp.workdps(40):
        a, r = mp.mpf(load), mp.mpf(aht) / patience
        term, total = mp.mpf(1), mp.mpf(1)
        for k in range(1, n + 1):
            term = term * a / k
            total += term
        e = total / term
        pis, weighted, j = mp.mpf(1), mp.mpf(0), 0
        pj = mp.mpf(1)
        while True:
            j += 1
            pj = pj * a / (n + j * r)
            pis += pj
            weighted += j * pj
            if pj < mp.mpf(10) ** -35 * pis:
                break
        p_n = 1 / (e - 1 + pis)
        return float(p_n * pis), float(p_n * weighted * r / a)


def test_tends_to_erlang_c_as_patience_grows() -> None:
    for load, n in [(10.0, 14), (100.0, 110), (1667.0, 1700)]:
        e = erlang_a(load, n, 180.0, 1e9)
        assert e.p_wait == pytest.approx(erlang_c(load, n), rel=1e-5)
        assert e.service_level(20) == pytest.approx(service_level(load, n, 180, 20), rel=1e-5)
        assert e.mean_wait_answered_seconds == pytest.approx(
            average_speed_of_answer(load, n, 180), rel=1e-5
        )
        assert e.p_abandon < 1e-6


def test_stable_for_large_loads() -> None:
    n = np.arange(1000, 2400, dtype=float)
    core = erlang_a_arrays(1667.0, n, 180.0, 120.0)
    for arr in (
        core.p_wait,
        core.p_abandon,
        core.answered_within(20.0),
        core.abandoned_within(20.0),
    ):
        assert np.all(np.isfinite(arr)) and np.all((arr >= 0) & (arr <= 1))
    assert np.all(np.diff(core.p_wait) <= 1e-15)
    assert np.all(np.diff(core.p_abandon) <= 1e-15)
    assert np.all(np.diff(core.answered_within(20.0)) >= -1e-15)
    assert core.p_abandon[0] == pytest.approx(1 - 1000 / 1667, rel=0.02)  # fluid limit


def test_scalar_result_matches_arrays() -> None:
    core = erlang_a_arrays([10.0, 50.0, 0.0], [12, 45, 3], 180.0, [120.0, 60.0, 60.0])
    e = erlang_a(50.0, 45, 180.0, 60.0)
    assert core.p_wait[1] == e.p_wait and core.p_abandon[1] == e.p_abandon
    assert core.p_wait[2] == 0.0 and core.answered_within(20.0)[2] == 1.0
    assert isinstance(e, ErlangA)


@settings(max_examples=50, deadline=None)
@given(
    load=st.floats(min_value=0.05, max_value=800.0),
    n=st.integers(min_value=1, max_value=900),
    patience=st.floats(min_value=5.0, max_value=5000.0),
    t=st.floats(min_value=0.0, max_value=120.0),
)
def test_properties(load: float, n: int, patience: float, t: float) -> None:
    e, more = erlang_a(load, n, 180.0, patience), erlang_a(load, n + 1, 180.0, patience)
    assert 0.0 <= e.p_abandon <= e.p_wait <= 1.0
    assert more.p_wait <= e.p_wait + 1e-15
    assert more.p_abandon <= e.p_abandon + 1e-15
    assert more.service_level(t) >= e.service_level(t) - 1e-12
    assert e.answered_of_answered(t) >= e.answered_of_offered(t) - 1e-15
    assert e.abandoned_within_threshold_as_met(t) >= e.answered_of_offered(t) - 1e-15
    assert e.excluding_abandoned_within_threshold(t) >= e.answered_of_offered(t) - 1e-15
    assert e.service_level(t) <= e.service_level(t + 10.0) + 1e-15
    # impatience can only help the callers who stay: less waiting than Erlang C
    if n > load:
        assert e.p_wait <= erlang_c(load, n) + 1e-12


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((10.0, 12.5, 180.0, 120.0), "agents must be a whole number"),
        ((10.0, 12, 180.0, 0.0), "patience_mean_seconds must be > 0, got 0"),
        ((10.0, 12, -3.0, 120.0), "aht_seconds must be > 0, got -3"),
        ((-1.0, 12, 180.0, 120.0), "offered_load_erlangs must be >= 0"),
        ((10.0, 0, 180.0, 120.0), "agents must be > 0, got 0"),
    ],
)
def test_validation(args: tuple[float, float, float, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        erlang_a(*args)  # type: ignore[arg-type]


def test_threshold_validation() -> None:
    e = erlang_a(10.0, 12, 180.0, 120.0)
    with pytest.raises(ValueError, match="threshold_seconds must be >= 0, got -5"):
        e.service_level(-5)
    with pytest.raises(ValueError, match="short_abandon_seconds must be >= 0"):
        e.excluding_short_abandons(20, -1)
    assert math.isclose(e.service_level(0), 1 - e.p_wait, rel_tol=1e-12)


# ------------------------------------------------------------------ very patient callers


def test_very_long_patience_is_erlang_c() -> None:
    """Regression: at 1e16 s the service level was 0.0; at 1e300 P(wait) was Erlang B's."""
    c_wait, c_sl = erlang_c(10.0, 14), service_level(10.0, 14, 180.0, 20.0)
    for patience in (1e12, 1e16, 1e20, 1e100, 1e300, 1.7e308):
        e = erlang_a(10.0, 14, 180.0, patience)
        assert e.p_wait == pytest.approx(c_wait, rel=1e-9, abs=1e-12)
        assert e.service_level(20) == pytest.approx(c_sl, rel=1e-9)
        assert e.mean_wait_seconds == pytest.approx(average_speed_of_answer(10.0, 14, 180.0))
        assert 0.0 < e.p_abandon < 1e-9


def test_infinite_patience_is_erlang_c_exactly() -> None:
    e = erlang_a(10.0, 14, 180.0, math.inf)
    assert e.p_wait == pytest.approx(erlang_c(10.0, 14), rel=1e-13)
    assert e.service_level(20) == pytest.approx(service_level(10.0, 14, 180.0, 20), rel=1e-12)
    asa = average_speed_of_answer(10.0, 14, 180.0)
    assert e.p_abandon == 0.0 and e.p_answered == 1.0
    assert e.mean_wait_seconds == pytest.approx(asa, rel=1e-12)
    assert e.mean_wait_answered_seconds == pytest.approx(asa, rel=1e-12)
    assert e.p_abandon_within(30) < 1e-15
    with pytest.raises(ValueError, match="needs agents > load, got 10 agents for 10 erlangs"):
        erlang_a(10.0, 10, 180.0, math.inf)
    with pytest.raises(ValueError, match="patience_mean_seconds must be > 0, got nan"):
        erlang_a(10.0, 14, 180.0, math.nan)


def mp_patient(load: float, n: int, aht: float, patience: float, t: float) -> Reference:
    """Reference for patient callers (where :func:`mp_erlang_a`'s partial fractions fail):
    state sums for P(wait) and P(abandon), and mpmath quadrature of the waiting-time density
    ``h(u) = p_n n exp(-n u + (A/r)(1 - e**(-r u)))`` (u in AHTs) for the tails."""
    with mp.workdps(40):
        a, r, tau = mp.mpf(load), mp.mpf(aht) / patience, mp.mpf(t) / aht
        term, total = mp.mpf(1), mp.mpf(1)
        for k in range(1, n + 1):
            term = term * a / k
            total += term
        q = [term]
        while q[-1] > mp.mpf(10) ** -45 * q[0] or len(q) < 10:
            q.append(q[-1] * a / (n + len(q) * r))
        z = total - term + mp.fsum(q)
        p_n, p_wait = term / z, mp.fsum(q) / z
        p_ab = mp.fsum(qj * (j + 1) * r / (n + (j + 1) * r) for j, qj in enumerate(q)) / z

        def h(u: mp.mpf) -> mp.mpf:
            return p_n * n * mp.exp(-n * u - (a / r) * mp.expm1(-r * u))

        served_by_t = mp.quad(lambda u: mp.exp(-r * u) * h(u), [0, tau])
        still = mp.exp(-r * tau) * mp.quad(h, [tau, mp.inf])
        return Reference(
            float(p_wait),
            float(p_ab),
            float(1 - p_wait + served_by_t),
            float(p_wait - served_by_t - still),
            float("nan"),
        )


@pytest.mark.parametrize(
    ("load", "n", "patience"),
    [
        (100.0, 110, 1.62e5),  # x = 9.9e4: the gamma route gave P(abandon) 1.2e-10 off
        (10.0, 14, 1.273e6),  # x = 9.9e4: service level 1.7e-11 off
        (10.0, 14, 1e6),  # abandoned within 20 s was 3.2e-6 off (a difference of O(1) terms)
        (10.0, 14, 3e3 * 180 / 14),  # x = 3e3
        (5.0, 6, 1e4 * 180 / 6),  # x = 1e4
        (1667.0, 1700, 1e4),  # a large center, x = 9.4e4
        (10.0, 14, 300.0),  # x = 23: the gamma route, abandoned within 20 s
    ],
)
def test_patient_callers_exact_to_1e12(load: float, n: int, patience: float) -> None:
    ref = mp_patient(load, n, 180.0, patience, 20.0)
    e = erlang_a(load, n, 180.0, patience)
    assert e.p_wait == pytest.approx(ref.p_wait, rel=REL, abs=0)
    assert e.p_abandon == pytest.approx(ref.p_abandon, rel=REL, abs=0)
    assert e.service_level(20.0) == pytest.approx(ref.answered_within, rel=REL, abs=0)
    assert e.p_abandon_within(20.0) == pytest.approx(ref.abandoned_within, rel=REL, abs=0)


def test_both_routes_agree_where_they_meet() -> None:
    """The incomplete-gamma route (x <= _X_QUAD) and the integrals (x above) join smoothly."""
    from wfm.erlang_a import _X_QUAD

    for load, n, aht in [(10.0, 14, 180.0), (50.0, 52, 300.0), (0.5, 1, 60.0)]:
        below = erlang_a(load, n, aht, (1 - 1e-12) * _X_QUAD * aht / n)
        above = erlang_a(load, n, aht, (1 + 1e-12) * _X_QUAD * aht / n)
        for f in (
            lambda e: e.p_wait,
            lambda e: e.p_abandon,
            lambda e: e.service_level(20.0),
            lambda e: e.p_abandon_within(10.0),
            lambda e: e.mean_wait_answered_seconds,
        ):
            assert f(above) == pytest.approx(f(below), rel=1e-9, abs=1e-12)


def test_arrays_mix_ordinary_and_patient_lanes() -> None:
    patience = np.array([120.0, 1e12, math.inf, 1e300])
    core = erlang_a_arrays(10.0, 14, 180.0, patience)
    for i, p in enumerate(patience):
        e = erlang_a(10.0, 14, 180.0, float(p))
        assert core.p_wait[i] == e.p_wait and core.p_abandon[i] == e.p_abandon
        assert core.answered_within(20.0)[i] == pytest.approx(e.service_level(20.0), rel=1e-15)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=400),
    utilisation=st.floats(min_value=0.02, max_value=0.995),
    aht=st.floats(min_value=5.0, max_value=1800.0),
    log_patience=st.floats(min_value=6.0, max_value=300.0),
    t=st.floats(min_value=0.0, max_value=300.0),
)
def test_converges_to_erlang_c_for_any_long_patience(
    n: int, utilisation: float, aht: float, log_patience: float, t: float
) -> None:
    """Over patience 1e6..1e300 s the figures are Erlang C's up to O(r), r = AHT/patience:
    each differs by at most ``10 r n/(n-A)**2`` (plus rounding)."""
    load, patience = utilisation * n, 10.0**log_patience
    e = erlang_a(load, n, aht, patience)
    bound = 10.0 * (aht / patience) * n / (n - load) ** 2 + 1e-10
    assert abs(e.p_wait - erlang_c(load, n)) <= bound
    assert abs(e.service_level(t) - service_level(load, n, aht, t)) <= bound
    assert 0.0 <= e.p_abandon <= bound
    asa = average_speed_of_answer(load, n, aht)
    assert abs(e.mean_wait_answered_seconds - asa) <= bound * max(asa, aht)


def test_zero_load_with_infinite_patience_raises_no_warning() -> None:
    """Issue 12: a RuntimeWarning (0/0), an error under filterwarnings = error."""
    e = erlang_a(0.0, 5, 180.0, math.inf)
    assert e.service_level(20) == 1.0 and e.p_abandon_within(20) == 0.0
    assert e.mean_wait_seconds == 0.0
    core = erlang_a_arrays([0.0, 10.0], 14, 180.0, math.inf)
    assert core.mean_wait_seconds[0] == 0.0
    assert core.mean_wait_seconds[1] == pytest.approx(average_speed_of_answer(10.0, 14, 180.0))


def test_absurd_load_is_refused() -> None:
    with pytest.raises(ValueError, match="offered_load_erlangs must be at most 1e\\+07"):
        erlang_a(1e17, 10, 180.0, 60.0)
