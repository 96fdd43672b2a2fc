"""Handle-time and patience distributions, sampled with a caller's ``np.random.Generator``.

* ``exponential(mean)``: ``rng.exponential(mean)``; CV = 1 (Erlang C / Erlang A assumption).
* ``lognormal(mean, cv)``: ``exp(N(mu, sigma^2))`` with ``sigma^2 = ln(1 + cv^2)`` and
  ``mu = ln(mean) - sigma^2 / 2``, so that the mean is ``mean`` and the coefficient of
  variation ``cv`` (moments of the lognormal: ``E = exp(mu + sigma^2/2)``,
  ``CV^2 = exp(sigma^2) - 1``). Call-centre talk times are close to lognormal
  (Brown et al. 2005, *Statistical analysis of a telephone call center*, JASA 100).
* ``empirical(samples)``: draws with replacement from observed values (bootstrap).
* ``deterministic(mean)``: always ``mean`` (M/D/n checks).
* ``never``: infinite (patience ``null``: nobody abandons).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

DistributionKind = Literal["exponential", "lognormal", "empirical", "deterministic", "never"]
DISTRIBUTION_KINDS: tuple[str, ...] = (
    "exponential",
    "lognormal",
    "empirical",
    "deterministic",
    "never",
)


@dataclass(frozen=True)
class Distribution:
    """A non-negative duration distribution in seconds."""

    kind: DistributionKind
    mean_seconds: float = math.inf
    cv: float = 1.0
    samples: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in DISTRIBUTION_KINDS:
            raise ValueError(f"kind must be one of {DISTRIBUTION_KINDS}, got {self.kind!r}")
        if self.kind == "empirical":
            if not self.samples:
                raise ValueError("samples must not be empty for an empirical distribution")
            if min(self.samples) < 0:
                raise ValueError(f"samples must be >= 0, got {min(self.samples)!r}")
        elif self.kind != "never" and not (0 < self.mean_seconds < math.inf):
            raise ValueError(f"mean_seconds must be > 0 and finite, got {self.mean_seconds!r}")
        if self.kind == "lognormal" and not self.cv > 0:
            raise ValueError(f"cv must be > 0, got {self.cv!r}")

    @property
    def mean(self) -> float:
        if self.kind == "empirical":
            return float(np.mean(self.samples))
        return self.mean_seconds

    def sample(self, rng: np.random.Generator, size: int) -> npt.NDArray[np.float64]:
        """``size`` independent draws (seconds)."""
        if self.kind == "exponential":
            return rng.exponential(self.mean_seconds, size)
        if self.kind == "lognormal":
            sigma2 = math.log1p(self.cv * self.cv)
            mu = math.log(self.mean_seconds) - sigma2 / 2
            return rng.lognormal(mu, math.sqrt(sigma2), size)
        if self.kind == "empirical":
            return rng.choice(np.asarray(self.samples, dtype=np.float64), size, replace=True)
        if self.kind == "deterministic":
            return np.full(size, self.mean_seconds)
        return np.full(size, math.inf)


NEVER = Distribution("never")
