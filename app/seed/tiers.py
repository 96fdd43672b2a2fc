"""Value tiers and the revenue they bring: the top 7 % of customers bring 90 % of revenue.

Tier shares (of customers) and mean annual revenue per customer (KRW) are chosen so that

    share of revenue from the top 7 % = sum_top(p_t * m_t) / sum_all(p_t * m_t) ≈ 0.90

with the top 7 % = private_banker 0.3 % + platinum 1.2 % + gold 5.5 %:

    top    = 0.003*60e6 + 0.012*15e6 + 0.055*4.6e6 ≈ 613,000 KRW per customer of the base
    bottom = 0.15*250e3 + 0.50*60e3  + 0.28*5e3    ≈  68,900
    share  = 613,000 / 681,900 ≈ 0.899

Within a tier, revenue is lognormal with ``sigma`` = :data:`REVENUE_SIGMA` and the tier mean
(``mu = ln m - sigma**2 / 2``); the tiers are ~18x apart, so they barely overlap and the
revenue ranking follows the tiers. Tier counts are exact (rounded shares, remainder to
``core``), so the rule holds even for a small base.
"""

from __future__ import annotations

import numpy as np

from app.models import ValueTier

TIERS: tuple[str, ...] = tuple(t.value for t in ValueTier)  # best first
TIER_SHARES: dict[str, float] = {
    "private_banker": 0.003,
    "platinum": 0.012,
    "gold": 0.055,
    "silver": 0.15,
    "core": 0.50,
    "inactive": 0.28,
}
TIER_MEAN_REVENUE_KRW: dict[str, float] = {
    "private_banker": 60e6,
    "platinum": 15e6,
    "gold": 4.6e6,
    "silver": 250e3,
    "core": 60e3,
    "inactive": 5e3,
}
REVENUE_SIGMA = 0.5
#: Tiers kept by a relationship manager (the top 7 % by revenue). Not the VIP callers of the
#: reports and service-level goals: those are :data:`routing.events.VIP_TIERS` (gold calls
#: are answered to the general goal).
MANAGED_TIERS: tuple[str, ...] = ("private_banker", "platinum", "gold")
TIER_CODE: dict[str, int] = {t: i for i, t in enumerate(TIERS)}


def tier_counts(n: int) -> np.ndarray:
    """Exact number of customers per tier (in :data:`TIERS` order) for a base of ``n``."""
    counts = np.array([round(TIER_SHARES[t] * n) for t in TIERS])
    counts[TIER_CODE["core"]] += n - counts.sum()
    return counts


def assign_tiers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Tier codes (int8, index into :data:`TIERS`) for customers 1..n, shuffled."""
    codes = np.repeat(np.arange(len(TIERS), dtype=np.int8), tier_counts(n))
    rng.shuffle(codes)
    return codes


def annual_revenue_krw(rng: np.random.Generator, tier_codes: np.ndarray) -> np.ndarray:
    means = np.array([TIER_MEAN_REVENUE_KRW[t] for t in TIERS])[tier_codes]
    mu = np.log(means) - REVENUE_SIGMA**2 / 2
    revenue: np.ndarray = np.round(rng.lognormal(mu, REVENUE_SIGMA)).astype(np.int64)
    return revenue


def top_share(revenue: np.ndarray, top_fraction: float = 0.07) -> float:
    """Share of total revenue brought by the top ``top_fraction`` of customers."""
    ordered = np.sort(np.asarray(revenue, dtype=float))[::-1]
    k = int(np.ceil(top_fraction * len(ordered)))
    return float(ordered[:k].sum() / ordered.sum())
