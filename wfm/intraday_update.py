"""Within-day update: the rest of a day from the calls seen so far, every choice learnt
from the history's own backtest days (day-ahead forecasts against what came).

Two updates of the rest of the day are combined.

*Shrunk ratio.* With ``A`` calls seen and ``F`` forecast over the intervals observed so
far today, ``w = F / F_day`` the share of the day's forecast they hold, the rest of the day
is multiplied by

    s = 1 + λ (A/F − 1),        λ = w / (w + κ)

(a credibility weight: early in the day a surprise moves the rest little, late in the day
nearly in full). ``κ`` is the share of a day's volume that counts as much as the day's own
evidence: small trusts the morning, large the day-ahead forecast.

*Penalised least squares on the day's error shapes* (Shen and Huang 2008, dynamic
updating). On the root scale ``r = √(a + 1/4) − √(f + 1/4)`` (where Poisson noise has a
nearly constant variance) the backtest days' errors are a day × interval matrix; its first
``K`` right singular vectors ``V`` are the shapes a day's error takes (a level; a morning
against evening tilt). Today's seen errors ``r_s`` give scores
``β = (V_s V_sᵀ + μ I)⁻¹ V_s r_s`` and the rest of the day becomes
``(√(f + 1/4) + βᵀ V_rest)² − 1/4``: the penalty ``μ`` keeps a few noisy intervals from
swinging the afternoon, and the tilt lets a morning that ran hot only in its last hours
move the afternoon more than one hot at 07:00.

The update is ``ω · ratio + (1 − ω) · shapes``. At each full hour's cut (the intervals
before it seen), ``κ``, ``K`` ∈ :data:`SHAPE_COUNTS`, ``μ`` and ``ω`` are chosen on grids
as the values with the least absolute error over the rest of the backtest days
(:func:`learn_update`): the backtest days are all before the day forecast, so nothing is
learnt from the day being updated. A cut between hours uses the nearest hour's values.
With fewer than :data:`MIN_SHAPE_DAYS` backtest days (a month of history or less) the
shapes and per-hour values are too noisy (measured: they made February's update worse), so
only the ratio is used, with one ``κ`` for all cuts (:func:`learn_update_prior`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from wfm.history import FloatArray

DEFAULT_UPDATE_PRIOR = 1.0  # without a backtest: λ = w/(w+1), at most a half at day's end
# Candidate κ: 0.01 to 100 on a log grid (every ~26 %); κ = 100 is practically "no update"
# (λ < 1 % even at the end of the day).
KAPPA_GRID: FloatArray = np.logspace(-2, 2, 41)
# Candidate penalties μ (in units of squared root counts): 0.1 to 1000, every ~78 %.
PENALTY_GRID: FloatArray = np.logspace(-1, 3, 17)
WEIGHT_GRID: FloatArray = np.linspace(0.0, 1.0, 11)  # ω, the ratio's weight
SHAPE_COUNTS = (1, 2)  # K: a level, then a tilt (a third shape was noise on the bank year)
MIN_LEARNING_DAYS = 5  # fewer backtest days: keep the default
MIN_SHAPE_DAYS = 28  # fewer: the ratio alone, one κ for all cuts
ROOT_SHIFT = 0.25


def update_scale(f_seen: float, a_seen: float, f_day: float, kappa: float) -> float:
    """The factor ``s`` for the rest of the day (module docstring); 1 when ``F`` is 0."""
    if f_seen <= 0 or f_day <= 0 or not np.isfinite(kappa):
        return 1.0
    w = f_seen / f_day
    return 1.0 + w / (w + kappa) * (a_seen / f_seen - 1.0)


@dataclass(frozen=True)
class CutUpdate:
    """The values learnt for one cut (see module docstring)."""

    kappa: float
    shapes: int  # K
    penalty: float  # μ
    weight: float  # ω


@dataclass(frozen=True)
class IntradayUpdate:
    """A learnt within-day update: ``kappa`` for the ratio alone, and per cut (the number of
    intervals of the day seen) the combined update's values over ``shapes`` ``(K, slots)``."""

    kappa: float = DEFAULT_UPDATE_PRIOR
    shapes: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))
    cuts: Mapping[int, CutUpdate] = field(default_factory=dict)

    def rest(
        self, day: FloatArray, seen: Sequence[int], calls: Sequence[float], rest: Sequence[int]
    ) -> FloatArray:
        """The updated forecast at the slots ``rest`` of a day whose forecast is ``day``
        (one value per slot of the day), from ``calls`` seen at the slots ``seen``."""
        idx, rest_idx = np.asarray(seen, dtype=int), np.asarray(rest, dtype=int)
        a = np.asarray(calls, dtype=float)
        cut = self._cut(int(idx.max()) + 1, len(day))
        kappa = self.kappa if cut is None else cut.kappa
        s = update_scale(float(day[idx].sum()), float(a.sum()), float(day.sum()), kappa)
        ratio = day[rest_idx] * s
        if cut is None or cut.weight >= 1.0:
            return np.asarray(ratio, dtype=float)
        v = self.shapes[: cut.shapes]
        shaped = _shape_update(day, idx, a, rest_idx, v, cut.penalty)
        return np.asarray(cut.weight * ratio + (1.0 - cut.weight) * shaped, dtype=float)

    def _cut(self, n_seen: int, slots: int) -> CutUpdate | None:
        if not self.cuts or self.shapes.shape[1] != slots:
            return None
        nearest = min(self.cuts, key=lambda c: (abs(c - n_seen), c))
        return self.cuts[nearest]

    def to_json(self) -> dict[str, Any]:
        """A JSON-able form (the API hands it out with a forecast and takes it back)."""
        return {
            "kappa": self.kappa,
            "shapes": [[round(float(x), 6) for x in row] for row in self.shapes],
            "cuts": {
                str(c): {
                    "kappa": u.kappa,
                    "shapes": u.shapes,
                    "penalty": u.penalty,
                    "weight": u.weight,
                }
                for c, u in sorted(self.cuts.items())
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> IntradayUpdate:
        """Inverse of :meth:`to_json`; ValueError naming the part at fault."""
        try:
            kappa = float(data["kappa"])
            shapes = np.asarray(data.get("shapes") or np.zeros((0, 0)), dtype=float)
            if shapes.size == 0:
                shapes = np.zeros((0, 0))
            cuts = {
                int(c): CutUpdate(
                    float(u["kappa"]), int(u["shapes"]), float(u["penalty"]), float(u["weight"])
                )
                for c, u in dict(data.get("cuts") or {}).items()
            }
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"update: not a learnt update ({exc})") from None
        if (
            not (np.isfinite(kappa) and kappa > 0)
            or shapes.ndim != 2
            or not np.isfinite(shapes).all()
        ):
            raise ValueError("update: kappa must be > 0 and shapes a finite matrix")
        for c, u in cuts.items():
            if not (
                1 <= c <= max(shapes.shape[1], 1)
                and 1 <= u.shapes <= shapes.shape[0]
                and u.kappa > 0
                and u.penalty > 0
                and 0.0 <= u.weight <= 1.0
            ):
                raise ValueError(f"update: cut {c} has values out of range")
        return cls(kappa, shapes, cuts)


def learn_update(forecast: FloatArray, actual: FloatArray, slots_per_hour: int) -> IntradayUpdate:
    """The within-day update learnt on the days (rows) of ``forecast`` and ``actual`` (same
    shape; day-ahead backtest forecasts and what came): see the module docstring."""
    kappa = learn_update_prior(forecast, actual, slots_per_hour)
    days = (forecast.sum(axis=1) > 0) & (actual.sum(axis=1) > 0)
    if days.sum() < MIN_SHAPE_DAYS:
        return IntradayUpdate(kappa)
    f, a = forecast[days], actual[days]
    slots = f.shape[1]
    resid = np.where(f > 0, np.sqrt(a + ROOT_SHIFT) - np.sqrt(f + ROOT_SHIFT), 0.0)
    vt = _shapes(resid)
    # K, μ and ω are chosen with the shapes of all these days (cross-fitted shapes, each half
    # of the days updated with the other half's, were noisier and did worse on the eight
    # weeks before the bank year's test window: 10.9 % / 9.8 % less error at 10:00 / 13:00
    # against 12.1 % / 12.7 %).
    per_day = np.broadcast_to(vt, (len(f), *vt.shape))
    cuts: dict[int, CutUpdate] = {}
    cum_f = np.cumsum(f, axis=1)
    for cut in range(slots_per_hour, slots, slots_per_hour):
        live = (cum_f[:, cut - 1] > 0) & (cum_f[:, -1] > cum_f[:, cut - 1])
        if live.sum() < MIN_LEARNING_DAYS:
            continue
        cuts[cut] = _learn_cut(f, a, resid, per_day, cut)
    return IntradayUpdate(kappa, vt, cuts)


def _shapes(resid: FloatArray) -> FloatArray:
    """The first ``max(SHAPE_COUNTS)`` right singular vectors of the residual matrix."""
    return np.asarray(np.linalg.svd(resid, full_matrices=False)[2][: max(SHAPE_COUNTS)])


def _learn_cut(
    f: FloatArray, a: FloatArray, resid: FloatArray, shapes: FloatArray, cut: int
) -> CutUpdate:
    """κ, then K and μ, then ω at one cut, each the least absolute rest-of-day error;
    ``shapes`` ``(days, K, slots)`` are the shapes each day is updated with."""
    rest_a = a[:, cut:]
    w = f[:, :cut].sum(axis=1) / np.maximum(f.sum(axis=1), 1e-12)
    f_seen = f[:, :cut].sum(axis=1)
    ratio = np.where(f_seen > 0, a[:, :cut].sum(axis=1) / np.maximum(f_seen, 1e-12), 1.0)
    kappas = KAPPA_GRID[:, None]
    scales = 1.0 + w[None, :] / (w[None, :] + kappas) * (ratio[None, :] - 1.0)  # (κ, days)
    errs = np.abs(rest_a[None] - f[None, :, cut:] * scales[:, :, None]).sum(axis=(1, 2))
    k_best = int(np.argmin(errs))
    by_ratio = f[:, cut:] * scales[k_best][:, None]
    best: tuple[float, int, float, FloatArray] | None = None
    root_rest = np.sqrt(f[:, cut:] + ROOT_SHIFT)
    for k in SHAPE_COUNTS:
        v = shapes[:, :k]  # (days, K, slots): each day's shapes
        vs, vr = v[:, :, :cut], v[:, :, cut:]
        gram = vs @ vs.transpose(0, 2, 1)  # (days, K, K)
        proj = (vs @ resid[:, :cut, None])[:, :, 0]  # (days, K)
        for mu in PENALTY_GRID:
            beta = np.linalg.solve(gram + mu * np.eye(k), proj[:, :, None])  # (days, K, 1)
            shaped = _unroot(root_rest + (beta.transpose(0, 2, 1) @ vr)[:, 0], f[:, cut:])
            err = float(np.abs(rest_a - shaped).sum())
            if best is None or err < best[0] - 1e-9:
                best = (err, k, float(mu), shaped)
    assert best is not None
    _, k_shapes, mu_best, shaped = best
    mix = [float(np.abs(rest_a - (om * by_ratio + (1 - om) * shaped)).sum()) for om in WEIGHT_GRID]
    omega = float(WEIGHT_GRID[int(np.argmin(mix))])
    return CutUpdate(float(KAPPA_GRID[k_best]), k_shapes, mu_best, omega)


def _unroot(root: FloatArray, f: FloatArray) -> FloatArray:
    """Back from the root scale; 0 where the forecast was 0 (closed stays closed)."""
    return np.asarray(
        np.where(f > 0, np.maximum(np.maximum(root, 0.0) ** 2 - ROOT_SHIFT, 0.0), 0.0),
        dtype=float,
    )


def _shape_update(
    day: FloatArray,
    seen: np.ndarray,
    calls: FloatArray,
    rest: np.ndarray,
    v: FloatArray,
    penalty: float,
) -> FloatArray:
    """Penalised least squares on the day's error shapes (module docstring)."""
    f_seen = day[seen]
    r = np.where(f_seen > 0, np.sqrt(calls + ROOT_SHIFT) - np.sqrt(f_seen + ROOT_SHIFT), 0.0)
    vs = v[:, seen]
    beta = np.linalg.solve(vs @ vs.T + penalty * np.eye(len(v)), vs @ r)
    return _unroot(np.sqrt(day[rest] + ROOT_SHIFT) + beta @ v[:, rest], day[rest])


def learn_update_prior(forecast: FloatArray, actual: FloatArray, slots_per_hour: int) -> float:
    """``κ`` with the least rest-of-day absolute error over the days (rows) of ``forecast``
    and ``actual`` (same shape, one row per day), cutting each day after every full hour in
    which between 5 % and 95 % of its forecast volume had been seen; the default when fewer
    than :data:`MIN_LEARNING_DAYS` days have calls."""
    days = [i for i in range(len(forecast)) if forecast[i].sum() > 0 and actual[i].sum() > 0]
    if len(days) < MIN_LEARNING_DAYS:
        return DEFAULT_UPDATE_PRIOR
    f, a = forecast[days], actual[days]
    cum_f, cum_a = np.cumsum(f, axis=1), np.cumsum(a, axis=1)
    f_day = cum_f[:, -1:]
    cuts = np.arange(slots_per_hour - 1, f.shape[1] - 1, slots_per_hour)
    w = cum_f[:, cuts] / f_day  # (days, cuts)
    usable = (w >= 0.05) & (w <= 0.95)
    if not usable.any():
        return DEFAULT_UPDATE_PRIOR
    ratio = np.where(cum_f[:, cuts] > 0, cum_a[:, cuts] / np.maximum(cum_f[:, cuts], 1e-12), 1.0)
    best, best_err = DEFAULT_UPDATE_PRIOR, np.inf
    for kappa in KAPPA_GRID:
        scale = 1.0 + w / (w + kappa) * (ratio - 1.0)
        err = _rest_error(f[:, :, None], a[:, :, None], cuts, scale, usable)
        if err < best_err - 1e-12:
            best, best_err = float(kappa), err
    return best


def _rest_error(
    f: FloatArray, a: FloatArray, cuts: np.ndarray, scale: FloatArray, usable: np.ndarray
) -> float:
    """Σ over usable (day, cut) of Σ over the intervals after the cut of |a − s·f|."""
    slots = f.shape[1]
    after = np.arange(slots)[None, :, None] > cuts[None, None, :]  # (1, slots, cuts)
    diff = np.abs(a - f * scale[:, None, :]) * after  # (days, slots, cuts)
    return float((diff.sum(axis=1) * usable).sum())
