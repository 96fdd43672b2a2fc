"""Special days: public holidays, paydays and month end, and their effects on volume.

Each day gets a set of *features* (:func:`day_features`):

``holiday``
    a public holiday of ``country`` from the ``holidays`` package (for ``"KR"`` this includes
    the lunar holidays Seollal and Chuseok with the days either side, and substitute days).
``after_holiday``
    the first business day after one or more holidays or a weekend containing a holiday
    (callers who could not get through come back).
``payday``
    the 10th and the 25th of the month (the usual Korean paydays); when that day is a
    Saturday, Sunday or holiday, the business day before it.
``month_end``
    the last business day of the month.

Effects are multiplicative factors estimated from history (:func:`estimate_effects`): for every
past day with a feature, the ratio of its total to a baseline (the median total of the same
weekday in the surrounding weeks, ordinary days only). The factor is the geometric mean of
those ratios shrunk toward 1 by a normal–normal credibility weight (Bühlmann)::

    w = n / (n + k0 + s² / τ²),     factor = exp(w · mean(log ratio))

with ``n`` the days observed, ``s²`` the variance of ``log(total / baseline)`` over ordinary
days (how noisy one day is), ``τ²`` the prior variance of the feature's log effect
(:data:`EFFECT_PRIOR_VARIANCE`: 1 for holidays, which range from closed to busy; 0.1 for the
others, expected within about ×0.7 to ×1.4), and ``k0`` (``prior_days``, 0.25 by default) a
floor so that a single day never counts in full: one clean observation moves the factor about
80 % of the way, five about 95 %; on a noisy series much less. With no observation the factor
is 1. Factors are clipped to [0.02, 5] (a holiday open only for urgent lines runs at a few
per cent of a weekday).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

FEATURES: tuple[str, ...] = ("holiday", "after_holiday", "payday", "month_end")
FACTOR_BOUNDS = (0.02, 5.0)
EFFECT_PRIOR_VARIANCE: dict[str, float] = {
    "holiday": 1.0,
    "after_holiday": 0.1,
    "payday": 0.1,
    "month_end": 0.1,
}
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


def holiday_dates(days: Sequence[date], country: str | None) -> set[date]:
    """Public holidays of ``country`` (ISO code for the ``holidays`` package) among ``days``."""
    if country is None or not days:
        return set()
    import holidays

    years = sorted({d.year for d in days} | {days[-1].year + 1})
    try:
        table = holidays.country_holidays(country, years=years)
    except NotImplementedError:
        raise ValueError(
            f"country must be a code known to the holidays package, got {country!r}"
        ) from None
    return {d for d in table}


def _is_business(day: date, hol: set[date]) -> bool:
    return day.weekday() < 5 and day not in hol


def _previous_business(day: date, hol: set[date]) -> date:
    while not _is_business(day, hol):
        day -= timedelta(days=1)
    return day


def day_features(
    days: Sequence[date], country: str | None = "KR", extra_holidays: Collection[date] = ()
) -> dict[str, BoolArray]:
    """Boolean arrays (one per :data:`FEATURES` name) telling which ``days`` have the feature.

    ``extra_holidays`` are the center's own holidays (one-off closures, see
    :mod:`wfm.business_hours`), counted as holidays besides the public ones."""
    if not days:
        return {name: np.zeros(0, dtype=bool) for name in FEATURES}
    span = [days[0] - timedelta(days=10)] + list(days) + [days[-1] + timedelta(days=40)]
    hol = holiday_dates(span, country) | set(extra_holidays)
    paydays: set[date] = set()
    month_ends: set[date] = set()
    months = sorted({(d.year, d.month) for d in days})
    for year, month in months:
        for dom in (10, 25):
            paydays.add(_previous_business(date(year, month, dom), hol))
        nxt = date(year + month // 12, month % 12 + 1, 1)
        month_ends.add(_previous_business(nxt - timedelta(days=1), hol))
    after: set[date] = set()
    for h in hol:
        day = h + timedelta(days=1)
        while not _is_business(day, hol):
            day += timedelta(days=1)
        after.add(day)
    return {
        "holiday": np.array([d in hol for d in days]),
        "after_holiday": np.array([d in after for d in days]),
        "payday": np.array([d in paydays for d in days]),
        "month_end": np.array([d in month_ends for d in days]),
    }


@dataclass(frozen=True)
class SpecialDayEffects:
    """Multiplicative effects per feature, with the number of days each rests on."""

    factors: dict[str, float]
    observations: dict[str, int]

    def multiplier(self, features: dict[str, BoolArray]) -> FloatArray:
        """Product of the factors of the features each day has (1 for an ordinary day)."""
        n = len(next(iter(features.values()))) if features else 0
        out = np.ones(n)
        for name, mask in features.items():
            out[mask] *= self.factors.get(name, 1.0)
        return out


def baseline_totals(totals: FloatArray, usable: BoolArray, weeks: int = 3) -> FloatArray:
    """Median total of the same weekday within ``weeks`` weeks either side (usable days only).

    NaN where no such day exists.
    """
    n = len(totals)
    offsets = np.array([7 * k for k in range(-weeks, weeks + 1) if k])
    near = np.arange(n)[:, None] + offsets[None, :]  # (days, neighbours)
    inside = (near >= 0) & (near < n)
    safe = np.clip(near, 0, max(n - 1, 0))
    vals = np.where(inside & np.asarray(usable, dtype=bool)[safe], totals[safe], np.nan)
    out = np.full(n, np.nan)
    some = ~np.isnan(vals).all(axis=1)
    if some.any():
        out[some] = np.nanmedian(vals[some], axis=1)
    return out


def estimate_effects(
    totals: FloatArray,
    features: dict[str, BoolArray],
    open_day: BoolArray,
    prior_days: float = 0.25,
    prior_log: dict[str, float] | None = None,
) -> SpecialDayEffects:
    """Estimate one multiplicative factor per feature from daily totals (see module docstring).

    Parameters
    ----------
    totals : daily calls offered.
    features : from :func:`day_features` for the same days.
    open_day : days that were open (a closed holiday says nothing about the size of the effect).
    prior_days : the floor ``k0`` of the credibility constant (module docstring).
    prior_log : prior mean of the log factor per feature (0, i.e. no effect, when absent);
        the estimate is shrunk toward it: ``w · mean(log ratio) + (1 − w) · prior``.
    """
    special = np.zeros(len(totals), dtype=bool)
    for mask in features.values():
        special |= mask
    ordinary = open_day & ~special
    base = baseline_totals(totals, ordinary)
    clean = ordinary & np.isfinite(base) & (base > 0) & (totals > 0)
    noise = float(np.var(np.log(totals[clean] / base[clean]))) if clean.sum() >= 5 else 0.05
    factors: dict[str, float] = {}
    counts: dict[str, int] = {}
    for name in FEATURES:
        mask = features.get(name, np.zeros(len(totals), dtype=bool)) & open_day
        mask &= np.isfinite(base) & (base > 0) & (totals > 0)
        n = int(mask.sum())
        counts[name] = n
        prior = (prior_log or {}).get(name, 0.0)
        log_ratio = float(np.mean(np.log(totals[mask] / base[mask]))) if n else prior
        weight = n / (n + prior_days + max(noise, 1e-4) / EFFECT_PRIOR_VARIANCE.get(name, 0.1))
        estimate = weight * log_ratio + (1 - weight) * prior
        factors[name] = float(np.clip(np.exp(estimate), *FACTOR_BOUNDS))
    return SpecialDayEffects(factors, counts)
