"""Korean local time for the seed: KST is UTC+9 all year (no daylight saving since 1988)."""

from __future__ import annotations

from datetime import date

import numpy as np

KST_OFFSET = np.timedelta64(9, "h")


def day(d: date) -> np.datetime64:
    return np.datetime64(d, "D")


def kst_to_utc(local: np.ndarray) -> np.ndarray:
    """Local Korean wall-clock times (datetime64, naive) → UTC (datetime64, naive UTC)."""
    return (local - KST_OFFSET).astype("datetime64[s]")
