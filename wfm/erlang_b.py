"""Erlang B: the blocking probability through its recursion, and the checks of the Erlang inputs.

Notation (queueing textbook): calls arrive as a Poisson stream at rate ``lambda``, handle
times are exponential with mean ``aht_seconds`` (rate ``mu``), the offered load is
``A = lambda / mu`` Erlangs and ``n`` agents serve the queue (M/M/n).

Erlang B (M/M/n/n loss)::

    B(0, A) = 1,        1/B(n, A) = 1 + (n/A) / B(n-1, A)

The inverse form of the recursion ``B(n) = A B(n-1) / (n + A B(n-1))`` never forms
``A**n / n!`` (which overflows past about 170 agents). It is forward-stable: an error in
``1/B(n-1)`` reaches ``1/B(n)`` multiplied by ``1 - B(n)`` in relative terms, so errors
contract and never grow. Below the load (``k <= A``) the factor is at most ``k/A``, so a
start ``w = 10 sqrt(A) + 50`` steps below ``min(n, A)`` from the rough value
``1/B(k) ~ A/(A-k)`` forgets its error by ``exp(-w**2 / 2A) < e**-50``: the recursion then
costs ``O(n - A + sqrt(A))`` steps instead of ``O(n)``, and stops as soon as ``1/B``
overflows (``B`` then underflows, and does so for every larger ``n`` as well).

That point is known in advance (:func:`overflow_steps`): since ``1/B >= 1`` and
``1/B(k) >= (k/A) / B(k-1)``, ``d`` steps above the load multiply ``1/B`` by at least
``prod_{i<d} (1 + i/A)``. With ``log(1 + u) >= u log 2`` for ``u <= 1`` that exceeds
``2**1100`` (far past the largest float, ``2**1024``) after ``47 sqrt(A) + 2`` steps when
``A >= 2500``, and after ``A + 1102`` steps for any ``A`` (1,100 factors of at least 2). So
``n`` further above the load than that gives ``1/B = inf`` at once: the work is
``O(sqrt(A))`` steps whatever ``n`` is asked for.

For real ``x`` agents (the continued Erlang B function)::

    B(x, A) = A**x e**-A / Gamma(x + 1, A)

with ``Gamma(., .)`` the upper incomplete gamma function; the same recursion holds in ``x``,
so it is started from ``B(frac(x), A)`` (scipy's ``gammaincc`` in logs for ``A <= 600``,
the asymptotic series ``1/B(f, A) = sum_k f(f-1)...(f-k+1) / A**k`` above) or from the
rough value when the start lies far enough below ``A``.

Limits: ``A <=`` :data:`MAX_LOAD_ERLANGS` (10 million Erlangs) and ``n <=``
:data:`MAX_AGENTS` (100 million agents), else ValueError naming the field. The figures are
exact far beyond any contact center (checked to 100,000 agents); the limits keep the work
bounded (``O(n - A + sqrt A)`` recursion steps, and ``k + 1`` exact in floating point: at
``A = 1e17`` the start ``A - 10 sqrt(A)`` rounds to ``A`` and the search never ended).

References: A. K. Erlang (1917); D. L. Jagerman, "Some properties of the Erlang loss
function", Bell System Technical Journal 53 (1974).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import special

__all__ = [
    "MAX_AGENTS",
    "MAX_LOAD_ERLANGS",
    "ArrayLike",
    "FloatArray",
    "as_output",
    "check_agents",
    "check_load",
    "check_non_negative",
    "check_positive",
    "erlang_b",
    "inverse_erlang_b",
    "inverse_erlang_b_arrays",
    "inverse_erlang_b_scalar",
    "overflow_steps",
    "start_width",
]

FloatArray = npt.NDArray[np.float64]
ArrayLike = float | int | npt.ArrayLike

# Exact start below this load (scipy's gammaincc(f+1, A) ~ e**-A stays far from underflow);
# above it the asymptotic series with _SERIES_TERMS terms is exact to float precision
# (the first omitted term is below 12! / 600**12 ~ 2e-25).
_EXACT_START_MAX_LOAD = 600.0
_SERIES_TERMS = 12
# Bounds on the inputs (module docstring): far beyond a contact center, small enough that the
# recursion's steps stay few and exact in floating point.
MAX_LOAD_ERLANGS = 1e7
MAX_AGENTS = 1e8
# From this load on, 47 sqrt(A) + 2 <= A, so the sqrt bound of overflow_steps applies.
_OVERFLOW_SQRT_FROM = 2500.0


# ----------------------------------------------------------------------------- validation


def _as_float_array(name: str, value: ArrayLike) -> FloatArray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not np.all(np.isfinite(arr)):
        bad = arr[~np.isfinite(arr)].ravel()[0]
        raise ValueError(f"{name} must be finite, got {bad!r}")
    return arr


def check_positive(name: str, value: ArrayLike) -> FloatArray:
    """Coerce to float array; ``ValueError`` naming ``name`` unless every entry is > 0."""
    arr = _as_float_array(name, value)
    if np.any(arr <= 0):
        bad = arr[arr <= 0].ravel()[0]
        raise ValueError(f"{name} must be > 0, got {_show(bad)}")
    return arr


def check_non_negative(name: str, value: ArrayLike) -> FloatArray:
    """Coerce to float array; ``ValueError`` naming ``name`` unless every entry is >= 0."""
    arr = _as_float_array(name, value)
    if np.any(arr < 0):
        bad = arr[arr < 0].ravel()[0]
        raise ValueError(f"{name} must be >= 0, got {_show(bad)}")
    return arr


def check_load(name: str, value: ArrayLike) -> FloatArray:
    """:func:`check_non_negative`, and at most :data:`MAX_LOAD_ERLANGS`."""
    return _check_at_most(name, check_non_negative(name, value), MAX_LOAD_ERLANGS, "Erlangs")


def check_agents(name: str, value: ArrayLike, *, positive: bool = False) -> FloatArray:
    """:func:`check_non_negative` (or positive), and at most :data:`MAX_AGENTS`."""
    arr = check_positive(name, value) if positive else check_non_negative(name, value)
    return _check_at_most(name, arr, MAX_AGENTS, "agents")


def _check_at_most(name: str, arr: FloatArray, bound: float, unit: str) -> FloatArray:
    if np.any(arr > bound):
        bad = arr[arr > bound].ravel()[0]
        raise ValueError(f"{name} must be at most {bound:g} {unit}, got {float(bad):g}")
    return arr


def _show(x: float) -> str:
    x = float(x)
    return repr(int(x)) if x.is_integer() else repr(x)


def as_output(arr: FloatArray, *inputs: ArrayLike) -> Any:
    """A Python float when every input was a scalar, else the array."""
    if all(np.ndim(v) == 0 for v in inputs):
        return float(arr.reshape(-1)[0]) if arr.size else float("nan")
    return arr


# ----------------------------------------------------------------------------- Erlang B core


def start_width(load: FloatArray) -> FloatArray:
    """Steps below ``min(x, A)`` after which a rough start is forgotten (see module doc)."""
    return np.ceil(10.0 * np.sqrt(load)) + 50.0


def overflow_steps(load: ArrayLike) -> Any:
    """Steps above the load ``A`` after which ``1/B`` certainly overflows (module doc):
    ``47 sqrt(A) + 2`` when ``A >= 2500``, else ``A + 1102``. Vectorised."""
    a = np.asarray(load, dtype=np.float64)
    return np.where(a >= _OVERFLOW_SQRT_FROM, np.ceil(47.0 * np.sqrt(a)) + 2.0, np.ceil(a) + 1102.0)


def _fractional_start(load: FloatArray, frac: FloatArray) -> FloatArray:
    """``1/B(f, A)`` for ``0 <= f < 1``, exact to float precision."""
    out = np.ones_like(load)
    need = frac > 0
    small = need & (load <= _EXACT_START_MAX_LOAD)
    if np.any(small):
        a, f = load[small], frac[small]
        log_r = np.log(special.gammaincc(f + 1.0, a)) + special.gammaln(f + 1.0) + a - f * np.log(a)
        out[small] = np.exp(log_r)
    large = need & ~small
    if np.any(large):
        a, f = load[large], frac[large]
        term = np.ones_like(a)
        total = np.ones_like(a)
        for k in range(_SERIES_TERMS):
            term = term * (f - k) / a
            total += term
        out[large] = total
    return out


def _start_values(load: FloatArray, start: FloatArray, frac: FloatArray) -> FloatArray:
    """``1/B(start, A)``: exact when ``start == frac``, rough ``A/(A - start)`` otherwise."""
    rough = start > frac
    out = _fractional_start(load, frac)
    out[rough] = load[rough] / (load[rough] - start[rough])
    return out


def inverse_erlang_b(offered_load_erlangs: ArrayLike, agents: ArrayLike) -> Any:
    """``1 / B(x, A)`` (may be ``inf`` where ``B`` underflows), vectorised.

    Parameters
    ----------
    offered_load_erlangs : float or array, ``A >= 0``
    agents : float or array, ``x >= 0`` (real: the continued Erlang B function)
    """
    load = check_load("offered_load_erlangs", offered_load_erlangs)
    x = check_agents("agents", agents)
    return as_output(inverse_erlang_b_arrays(load, x), offered_load_erlangs, agents)


def inverse_erlang_b_arrays(load: FloatArray, agents: FloatArray) -> FloatArray:
    a_all, x_all = np.broadcast_arrays(load, agents)
    shape = a_all.shape
    a_all = a_all.astype(np.float64).ravel()
    x_all = x_all.astype(np.float64).ravel()
    result = np.empty_like(a_all)
    zero = a_all == 0
    result[zero] = np.where(x_all[zero] == 0, 1.0, np.inf)
    far = ~zero & (x_all - a_all > overflow_steps(a_all))
    result[far] = np.inf  # B underflows: no need to run the recursion (module doc)
    live = np.flatnonzero(~zero & ~far)
    if live.size == 1:  # one lane: the pure-Python loop is ~10x faster than numpy views
        result[live] = inverse_erlang_b_scalar(float(a_all[live[0]]), float(x_all[live[0]]))
    elif live.size:
        result[live] = _recursion(a_all[live], x_all[live])
    return result.reshape(shape)


def _recursion(a: FloatArray, x: FloatArray) -> FloatArray:
    """Run ``1/B(k) = 1 + (k/A)/B(k-1)`` from each lane's start up to ``x``.

    Lanes are sorted by their number of steps, longest first, so that at step ``i`` the
    lanes still running are a prefix: every update works on views, never on copies.
    """
    frac = x - np.floor(x)
    start = frac + np.maximum(0.0, np.floor(np.minimum(x, a) - start_width(a) - frac))
    steps = np.rint(x - start).astype(np.int64)
    order = np.argsort(-steps, kind="stable")
    a_s = a[order]
    k_s = start[order].copy()
    r_s = _start_values(a_s, k_s, frac[order])
    neg_steps = -steps[order]
    n_steps = int(-neg_steps[0]) if neg_steps.size else 0
    # running[i] = number of lanes with at least i steps
    running = np.searchsorted(neg_steps, -np.arange(n_steps + 1), side="right")
    ratio = np.empty_like(a_s)
    with np.errstate(over="ignore"):
        for i in range(1, n_steps + 1):
            m = running[i]
            k = k_s[:m]
            k += 1.0
            q = ratio[:m]
            np.divide(k, a_s[:m], out=q)
            r = r_s[:m]
            r *= q
            r += 1.0
            if i % 64 == 0 and np.isinf(r).all():
                break  # every running lane has underflowed B; larger k underflow too
    result = np.empty_like(r_s)
    result[order] = r_s
    return result


def inverse_erlang_b_scalar(a: float, x: float) -> float:
    """Pure-Python twin of :func:`_recursion` for one lane (same rounding sequence)."""
    if a == 0:
        return 1.0 if x == 0 else math.inf
    if x - a > float(overflow_steps(a)):
        return math.inf  # B underflows (module doc)
    frac = x - math.floor(x)
    start = frac + max(0.0, math.floor(min(x, a) - (math.ceil(10.0 * math.sqrt(a)) + 50.0) - frac))
    steps = round(x - start)
    arr_a = np.array([a])
    r = float(_start_values(arr_a, np.array([start]), np.array([frac]))[0])
    k = start
    for _ in range(steps):
        k += 1.0
        r *= k / a
        r += 1.0
        if r == math.inf:
            break
    return r


# ----------------------------------------------------------------------------- public API


def erlang_b(offered_load_erlangs: ArrayLike, agents: ArrayLike) -> Any:
    """Erlang B blocking probability ``B(n, A)`` (M/M/n/n), real ``n >= 0``, vectorised.

    Computed through ``1/B(n) = 1 + (n/A)/B(n-1)`` (no factorials; see module doc).
    Returns a float for scalar arguments, an array otherwise.
    """
    load = check_load("offered_load_erlangs", offered_load_erlangs)
    x = check_agents("agents", agents)
    if load.ndim == 0 and x.ndim == 0:
        return 1.0 / inverse_erlang_b_scalar(float(load), float(x))
    return 1.0 / inverse_erlang_b_arrays(load, x)

