"""Erlang B / C against an independent mpmath computation, published figures and properties."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

import wfm.erlang as erlang_module
from wfm.erlang_b import erlang_b, inverse_erlang_b
from wfm.erlang_c import average_speed_of_answer, erlang_c, occupancy, service_level

REL = 1e-12


def mp_erlang_b(load: float, agents: int) -> mp.mpf:
    """Direct sum at 50 digits: B = (A^n/n!) / sum_k A^k/k!."""
    with mp.workdps(50):
        a = mp.mpf(load)
        term = mp.mpf(1)
        total = mp.mpf(1)
        for k in range(1, agents + 1):
            term = term * a / k
            total += term
        return term / total


def mp_erlang_b_real(load: float, x: float) -> mp.mpf:
    with mp.workdps(50):
        a, xx = mp.mpf(load), mp.mpf(x)
        return a**xx * mp.exp(-a) / mp.gammainc(xx + 1, a)


def mp_erlang_c(load: float, agents: float, b: mp.mpf) -> mp.mpf:
    with mp.workdps(50):
        return agents * b / (agents - mp.mpf(load) * (1 - b))


def close(value: float, ref: mp.mpf, rel: float = REL) -> bool:
    ref_f = float(ref)
    if ref_f < 1e-290:  # at or below float underflow: absolute agreement is all there is
        return abs(value - ref_f) < 1e-290
    return abs(value - ref_f) <= rel * ref_f


# loads relative to the agent count: overloaded, near critical, comfortably staffed, idle
CASES = [
    (load, n)
    for n in (1, 2, 3, 7, 14, 50, 170, 171, 500, 1000, 2500, 5000, 10_000)
    for load in (n * 1.5, n * 1.01, max(n - 3 * math.sqrt(n), 0.1), n * 0.5, 0.3)
]


@pytest.mark.parametrize(("load", "agents"), CASES)
def test_erlang_b_and_c_match_mpmath(load: float, agents: int) -> None:
    b_ref = mp_erlang_b(load, agents)
    assert close(erlang_b(load, agents), b_ref)
    if agents > load:
        assert close(erlang_c(load, agents), mp_erlang_c(load, agents, b_ref))
    else:
        assert erlang_c(load, agents) == 1.0


@pytest.mark.parametrize(("load", "agents"), [(99_500.0, 100_000), (100_000.0, 100_000)])
def test_erlang_b_at_100000_agents(load: float, agents: int) -> None:
    b_ref = mp_erlang_b(load, agents)
    assert close(erlang_b(load, agents), b_ref)
    assert close(erlang_c(load, agents), mp_erlang_c(load, agents, b_ref))


@pytest.mark.parametrize(
    ("load", "x"),
    [
        (10.0, 13.5),
        (10.0, 0.3),
        (700.0, 0.7),
        (700.0, 5.5),
        (100.0, 100.25),
        (1000.0, 1040.9),
        (50.0, 49.99),
        (3.7, 2.2),
        (16_667.3, 16_800.5),
        (250.0, 260.001),
    ],
)
def test_fractional_erlang_b_and_c_match_mpmath(load: float, x: float) -> None:
    b_ref = mp_erlang_b_real(load, x)
    assert close(erlang_b(load, x), b_ref, rel=1e-12)
    if x > load:
        assert close(erlang_c(load, x), mp_erlang_c(load, x, b_ref), rel=1e-12)


@pytest.mark.parametrize("load", [0.5, 3.0, 10.0, 42.5, 300.0])
def test_incomplete_gamma_form_agrees_with_recursion_at_integers(load: float) -> None:
    for n in range(1, int(load) + 30):
        log_b = (
            n * math.log(load)
            - load
            - special.gammaln(n + 1)
            - math.log(special.gammaincc(n + 1, load))
        )
        assert erlang_b(load, n) == pytest.approx(math.exp(log_b), rel=1e-12, abs=0)


def test_fractional_is_continuous_at_integers() -> None:
    for load, n in [(10.0, 14), (100.0, 110), (1000.0, 1030)]:
        c = erlang_c(load, n)
        assert erlang_c(load, n + 1e-9) == pytest.approx(c, rel=1e-7)
        assert erlang_c(load, n - 1e-9) == pytest.approx(c, rel=1e-7)


def test_published_example() -> None:
    # 100 calls in 30 minutes, AHT 180 s -> 10 Erlangs; 14 agents
    load = 100 * 180 / 1800
    assert round(erlang_c(load, 14), 4) == 0.1741
    assert round(service_level(load, 14, 180, 20), 4) == 0.8884
    assert average_speed_of_answer(load, 14, 180) == pytest.approx(0.17413193 * 180 / 4, rel=1e-7)
    assert occupancy(load, 14) == pytest.approx(10 / 14)


def test_unstable_queue() -> None:
    assert erlang_c(10.0, 10) == 1.0
    assert erlang_c(10.0, 9.5) == 1.0
    assert service_level(10.0, 10, 180, 20) == 0.0
    assert average_speed_of_answer(10.0, 8, 180) == math.inf


def test_zero_load_and_zero_agents() -> None:
    assert erlang_b(0.0, 3) == 0.0
    assert erlang_b(5.0, 0) == 1.0
    assert erlang_c(0.0, 3) == 0.0
    assert service_level(0.0, 3, 180, 0) == 1.0
    assert average_speed_of_answer(0.0, 3, 180) == 0.0


def test_underflow_gives_zero_not_nan() -> None:
    assert erlang_b(3.0, 100_000) == 0.0
    assert erlang_c(3.0, 100_000) == 0.0
    assert service_level(3.0, 100_000, 180, 0) == 1.0


def test_vectorised_equals_scalar() -> None:
    rng = np.random.default_rng(7)
    loads = rng.uniform(0.1, 3000.0, size=300)
    agents = np.floor(loads + rng.uniform(-20, 80, size=300)).clip(1)
    agents[::7] += 0.37  # some fractional lanes
    vec_b = erlang_b(loads, agents)
    vec_c = erlang_c(loads, agents)
    vec_sl = service_level(loads, agents, 180.0, 20.0)
    assert isinstance(vec_b, np.ndarray) and vec_b.shape == (300,)
    for i in range(0, 300, 3):
        assert vec_b[i] == erlang_b(float(loads[i]), float(agents[i]))
        assert vec_c[i] == erlang_c(float(loads[i]), float(agents[i]))
        assert vec_sl[i] == service_level(float(loads[i]), float(agents[i]), 180.0, 20.0)


def test_broadcasting_and_inverse() -> None:
    out = erlang_b(np.array([[1.0], [10.0]]), np.array([1, 2, 3]))
    assert out.shape == (2, 3)
    assert out[0, 0] == pytest.approx(0.5)
    assert inverse_erlang_b(10.0, 14) == pytest.approx(1 / erlang_b(10.0, 14), rel=1e-15)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: service_level(10, 14, -3, 20), "aht_seconds must be > 0, got -3"),
        (lambda: service_level(10, 14, 180, -1), "threshold_seconds must be >= 0, got -1"),
        (lambda: erlang_b(-1.5, 3), "offered_load_erlangs must be >= 0, got -1.5"),
        (lambda: erlang_c(1.0, -2), "agents must be >= 0, got -2"),
        (lambda: erlang_c(float("nan"), 2), "offered_load_erlangs must be finite"),
        (lambda: average_speed_of_answer(1.0, 2, "x"), "aht_seconds must be a number"),
    ],
)
def test_validation_names_the_parameter(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        call()


loads = st.floats(min_value=0.01, max_value=5000.0, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(load=loads, extra=st.integers(min_value=0, max_value=200))
def test_p_wait_falls_and_sl_rises_with_agents(load: float, extra: int) -> None:
    n = math.floor(load) + 1 + extra
    assert erlang_c(load, n + 1) <= erlang_c(load, n)
    assert service_level(load, n + 1, 180, 20) >= service_level(load, n, 180, 20)
    assert erlang_b(load, n + 1) <= erlang_b(load, n)


@settings(max_examples=60, deadline=None)
@given(
    load=loads,
    offset=st.floats(min_value=0.001, max_value=60.0),
    step=st.floats(min_value=1e-6, max_value=1.0),
)
def test_fractional_erlang_c_is_monotone(load: float, offset: float, step: float) -> None:
    x = load + offset
    c0, c1 = erlang_c(load, x), erlang_c(load, x + step)
    assert 0.0 <= c1 <= c0 <= 1.0


@settings(max_examples=40, deadline=None)
@given(
    load=st.floats(min_value=0.5, max_value=2000.0),
    offset=st.floats(min_value=0.01, max_value=40.0),
)
def test_fractional_erlang_c_is_continuous(load: float, offset: float) -> None:
    x = load + offset
    assert erlang_c(load, x + 1e-8) == pytest.approx(erlang_c(load, x), rel=1e-5, abs=1e-12)


def test_cores_import_nothing_from_the_web_and_read_no_clock() -> None:
    forbidden = {"fastapi", "sqlmodel", "sqlalchemy", "jinja2", "app", "time", "datetime", "random"}
    root = Path(erlang_module.__file__).parent
    for name in ("erlang.py", "erlang_b.py", "erlang_c.py", "erlang_a.py", "staffing.py"):
        tree = ast.parse((root / name).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                mods = [node.module or ""]
            else:
                continue
            assert not {m.split(".")[0] for m in mods} & forbidden, (name, mods)


def test_public_names_without_an_import_cycle() -> None:
    """``wfm.erlang`` gathers the public names of issue 3 with plain imports: no module of
    the Erlang family imports it back (issue 8: no re-export facade hiding a cycle)."""
    from wfm.erlang_a import ErlangA, erlang_a
    from wfm.staffing import StaffingResult, required_agents

    root = Path(erlang_module.__file__).parent
    for name in ("erlang_b.py", "erlang_c.py", "erlang_a.py", "staffing.py"):
        tree = ast.parse((root / name).read_text())
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert "wfm.erlang" not in imported, name
    assert not hasattr(erlang_module, "__getattr__")  # no lazy (PEP 562) re-exports
    assert required_agents(100, 1800, 180, 0.8, 20).agents == 14
    assert isinstance(erlang_a(10, 14, 180, 120), ErlangA)
    assert StaffingResult.__name__ == "StaffingResult"
    with pytest.raises(AttributeError):
        erlang_module.no_such_name  # noqa: B018


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: erlang_c(1e17, 1e17 + 1e9), "offered_load_erlangs must be at most 1e\\+07"),
        (lambda: erlang_b(1e8, 10), "offered_load_erlangs must be at most 1e\\+07"),
        (lambda: service_level(10, 1e9, 180, 20), "agents must be at most 1e\\+08"),
        (lambda: erlang_c([1.0, 2e7], [2, 3]), "offered_load_erlangs must be at most"),
        (lambda: average_speed_of_answer(1e300, 2, 180), "offered_load_erlangs must be at most"),
    ],
)
def test_absurd_load_and_agents_are_refused(call, message: str) -> None:  # type: ignore[no-untyped-def]
    """Issue 13: erlang_c(1e17, 1e17 + 1e9) never returned (k + 1 == k in floating point)."""
    with pytest.raises(ValueError, match=message):
        call()


def test_overflow_steps_bound_where_the_recursion_overflows() -> None:
    """Past ``A + overflow_steps(A)`` agents B has underflowed: the plain recursion (no
    shortcut) says so too, and the shortcut returns the same 0 at once for any n."""
    from wfm.erlang_b import overflow_steps

    for load in (0.5, 3.0, 100.0, 2499.0, 2500.0, 40_000.0):
        r, k = 1.0, 0
        top = load + float(overflow_steps(load))
        while k < top:  # exact recursion from B(0) = 1, no rough start
            k += 1
            r = 1.0 + r * k / load
        assert r == math.inf, load
        assert erlang_b(load, math.ceil(top) + 1) == 0.0
        assert erlang_c(load, 1e8) == 0.0 and erlang_b(np.array([load]), 1e8)[0] == 0.0
