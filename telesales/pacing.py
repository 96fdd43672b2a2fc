"""Dialling modes and predictive pacing under an abandonment cap.

Modes (``routing.events.DialMode``):

``preview``
    the agent sees the lead first, then dials one call (never abandons; the agent waits
    through the preview and the ringing);
``progressive``
    one dial per idle agent, placed when the agent frees (never abandons: an agent is
    reserved for each dial; the agent waits through the ringing and the no-answers);
``predictive``
    more dials than idle agents, betting that only some will be answered: the agents wait
    far less, and a live answer that finds no agent within 2 s is **abandoned** by the
    dialler (the customer hears silence or a message and the call is dropped).

The predictive pacer (:class:`PredictivePacer`) decides how many dials to have in flight:
with ``F`` agents available soon (the idle ones, plus each busy one with the probability
it frees before a dial placed now would be answered) and ``n`` dials in flight, each
answered live with probability ``p``, the live answers are ``A ~ Binomial(n, p)`` and the
expected abandoned ``E[(A - F)+]``. It places the largest number of new dials for which

    E[(A - F)+] <= target * E[A]

where ``target`` is the abandonment rate it aims at now: a fraction of the cap (default
3 %), lowered when the abandonment already spent in the last 24 h or 30 days comes close to
the cap (:meth:`PredictivePacer.target`), so that the rate over **every** 24 h and 30-day
window stays under the cap.

``p`` is estimated online, conservatively: two exponentially weighted estimates of the
live-answer rate, a slow one (half-life ``slow_half_life`` dials) and a fast one
(``fast_half_life``), and the pacer uses the larger, plus ``z`` standard errors of the fast
one. When the answer rate jumps (it doubles at 11:00 as people come back from meetings),
the fast estimate follows within some tens of dials, and the pacer dials less at once.
Answering machines: a machine the detector (AMD) recognises is dropped and costs nothing but
a line; a live answer the detector wrongly calls a machine is dropped too and **counts as
abandoned** (regulators count it so): ``p`` is the rate of live answers, and the expected
false positives are added to the expected abandoned. With fewer than ``warm_up`` dials
observed the pacer dials progressively (one per available agent): no guess without data.

Handle time is estimated online (exponentially weighted); the probability that a busy agent
frees within ``h`` seconds is ``1 - exp(-h / remaining)`` with the mean remaining time.

Pure: no clock (``now`` is an argument), no randomness. Imports only numpy and the
standard library.
"""

from __future__ import annotations

import bisect
import functools
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: the 2-second rule: a live answer not connected to an agent within this is abandoned
CONNECT_LIMIT_SECONDS = 2.0
#: the most dials the pacer keeps in flight per available agent (a hard bound)
MAX_DIALS_PER_AGENT = 8


_LOG_FACT: npt.NDArray[np.float64] = np.zeros(1)


def _log_factorials(n: int) -> npt.NDArray[np.float64]:
    global _LOG_FACT
    if len(_LOG_FACT) <= n:
        size = max(n + 1, 2 * len(_LOG_FACT))
        _LOG_FACT = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, size)))])
    return _LOG_FACT


def binomial_pmf(n: int, p: float) -> npt.NDArray[np.float64]:
    """P(X = k) for k = 0..n, X ~ Binomial(n, p) (``p`` clipped to [0, 1])."""
    p = min(max(p, 0.0), 1.0)
    out = np.zeros(n + 1)
    if p == 0.0 or n == 0:
        out[0] = 1.0
        return out
    if p == 1.0:
        out[n] = 1.0
        return out
    lf = _log_factorials(n)
    k = np.arange(n + 1)
    logs = lf[n] - lf[k] - lf[n - k] + k * math.log(p) + (n - k) * math.log1p(-p)
    out = np.exp(logs - logs.max())
    total: float = float(out.sum())
    return np.asarray(out / total, dtype=np.float64)


@functools.lru_cache(maxsize=65536)
def cached_binomial_pmf(n: int, p: float) -> npt.NDArray[np.float64]:
    """:func:`binomial_pmf`, kept (read-only) for the quantised ``p`` the pacer asks for."""
    out = binomial_pmf(n, p)
    out.flags.writeable = False
    return out


def overflow_by_answers(agents: npt.NDArray[np.float64], n: int) -> npt.NDArray[np.float64]:
    """``g[a] = E[(a - F)+]`` for a = 0..n, F distributed as ``agents`` over 0..len-1."""
    a = np.arange(n + 1, dtype=np.float64)
    pf = np.zeros(n + 1)
    m = min(len(agents), n + 1)
    pf[:m] = agents[:m]
    cdf = np.cumsum(pf)
    first = np.cumsum(pf * a)
    g = np.zeros(n + 1)
    # g[a] = a * P(F <= a-1) - E[F; F <= a-1]
    g[1:] = a[1:] * cdf[:-1] - first[:-1]
    return g


class Ewma:
    """An exponentially weighted mean of 0/1 (or any) observations with a half-life in
    observations; ``n_eff`` is the effective number of observations behind it."""

    __slots__ = ("decay", "mean", "n_eff")

    def __init__(self, half_life: float, prior: float, prior_weight: float = 1.0) -> None:
        if half_life <= 0:
            raise ValueError("half_life must be positive")
        self.decay = 0.5 ** (1.0 / half_life)
        self.mean = prior
        self.n_eff = prior_weight

    def add(self, x: float) -> None:
        self.n_eff = self.n_eff * self.decay + 1.0
        self.mean += (x - self.mean) / self.n_eff

    def upper(self, z: float) -> float:
        """The mean plus ``z`` standard errors (binomial), capped at 1."""
        m = min(max(self.mean, 0.0), 1.0)
        return min(1.0, m + z * math.sqrt(max(m * (1 - m), 1e-4) / max(self.n_eff, 1.0)))


@dataclass(frozen=True, slots=True)
class PacingConfig:
    """The pacer's settings (see the module docstring)."""

    abandon_cap: float = 0.03
    #: aim at this share of the cap while the windows have room
    aim: float = 0.7
    slow_half_life: float = 300.0
    fast_half_life: float = 15.0
    z: float = 1.0
    warm_up: int = 40
    #: the answer detector's false-positive rate on live answers (counted as abandoned)
    amd_false_positive: float = 0.0
    #: the look-ahead: a dial placed now is answered (if at all) after about this long
    answer_seconds: float = 12.0
    #: while the answer rate is rising (:meth:`PredictivePacer.rising`) the target is
    #: multiplied by ``rising_factor``
    rising_ratio: float = 1.25
    rising_factor: float = 0.5
    #: windows the cap holds over (24 h and 30 days) and the bucket of their counts
    short_window: float = 86400.0
    long_window: float = 30 * 86400.0
    bucket: float = 900.0

    def __post_init__(self) -> None:
        if not 0 < self.abandon_cap < 1:
            raise ValueError("abandon_cap must be between 0 and 1")
        if not 0 < self.aim <= 1:
            raise ValueError("aim must be in (0, 1]")
        if not 0 <= self.amd_false_positive < 1:
            raise ValueError("amd_false_positive must be in [0, 1)")


class WindowCounts:
    """Live answers and abandons in time buckets, to read the rate over the last window
    (running totals: adding and reading are O(1) amortised)."""

    __slots__ = ("abandoned", "bucket", "buckets", "live", "window")

    def __init__(self, window: float, bucket: float) -> None:
        self.window = window
        self.bucket = bucket
        self.buckets: deque[list[float]] = deque()  # [bucket start, live, abandoned]
        self.live = 0.0
        self.abandoned = 0.0

    def add(self, now: float, live: int, abandoned: int) -> None:
        start = math.floor(now / self.bucket) * self.bucket
        if not self.buckets or self.buckets[-1][0] != start:
            self.buckets.append([start, 0.0, 0.0])
        self.buckets[-1][1] += live
        self.buckets[-1][2] += abandoned
        self.live += live
        self.abandoned += abandoned
        self._trim(now)

    def _trim(self, now: float) -> None:
        buckets = self.buckets
        while buckets and buckets[0][0] + self.bucket <= now - self.window:
            _, live, abandoned = buckets.popleft()
            self.live -= live
            self.abandoned -= abandoned

    def totals(self, now: float) -> tuple[float, float]:
        self._trim(now)
        return (self.live, self.abandoned)


class PredictivePacer:
    """How many dials to have in flight (see the module docstring)."""

    def __init__(self, config: PacingConfig | None = None, *, prior_answer_rate: float = 0.3,
                 prior_handle_seconds: float = 180.0) -> None:
        self.config = c = config or PacingConfig()
        self.slow = Ewma(c.slow_half_life, prior_answer_rate)
        self.fast = Ewma(c.fast_half_life, prior_answer_rate)
        self.handle = Ewma(50.0, prior_handle_seconds)
        self.dials_seen = 0
        self.short = WindowCounts(c.short_window, c.bucket)
        self.long = WindowCounts(c.long_window, c.bucket)
        self._memo: dict[tuple[int, tuple[tuple[float, int], ...], float, float], int] = {}
        self._live_times: deque[float] = deque(maxlen=500)
        self._other_times: deque[float] = deque(maxlen=500)
        self._sorted: tuple[list[float], list[float]] | None = None
        self._unsorted = 0
        self._free_cache: dict[tuple[float, float], float] = {}
        self._free_live: list[float] | None = None

    # --- what happened ----------------------------------------------------------------

    def observe_dial(self, live: bool, seconds: float | None = None) -> None:
        """A dial ended: ``live`` when a person answered (whether connected or not),
        ``seconds`` after it was placed (the time to the result, when known)."""
        x = 1.0 if live else 0.0
        self.slow.add(x)
        self.fast.add(x)
        self.dials_seen += 1
        if seconds is not None:
            (self._live_times if live else self._other_times).append(seconds)
            self._unsorted += 1
            if self._unsorted >= 50:  # the survival curves are re-read every 50 results
                self._sorted = None

    def _free_chance(self, delay: float, mean: float) -> float:
        """The chance that a busy agent with ``(delay, mean)`` left frees before a live
        answer to a dial placed now (see :meth:`dials_to_place`). ``delay`` is rounded up
        to a whole second and ``mean`` up to 10 s (both: frees later, counted cautiously)
        and the result kept until the answer times are re-read."""
        if self._sorted is None and len(self._live_times) >= 30:
            self._sorted = (sorted(self._live_times), sorted(self._other_times))
            self._unsorted = 0
        live = self._sorted[0] if self._sorted is not None else None
        d, m = float(math.ceil(delay)), math.ceil(mean / 10.0) * 10.0
        key = (d, m)
        if live is not None and self._free_live is live:
            cached = self._free_cache.get(key)
            if cached is not None:
                return cached
        times = live if live else [self.config.answer_seconds]
        total = 0.0
        for t in times:
            if t > d:
                total += 1.0 if m <= 0 else 1.0 - math.exp(-(t - d) / m)
        q = total / len(times)
        if live is not None:
            if self._free_live is not live:
                self._free_cache.clear()
                self._free_live = live
            self._free_cache[key] = q
        return q

    def live_chance(self, age: float, p: float | None = None) -> float:
        """The chance that a dial placed ``age`` seconds ago and still ringing ends in a
        live answer: ``p S_live(age) / (p S_live(age) + (1 - p) S_other(age))`` with the
        survival functions of the observed times to a live answer and to any other
        result (``p``: :meth:`answer_rate` unless given); ``p`` while fewer than 30 of
        each were seen."""
        if p is None:
            p = self.answer_rate()
        if len(self._live_times) < 30 or len(self._other_times) < 30:
            return p
        if self._sorted is None:
            self._sorted = (sorted(self._live_times), sorted(self._other_times))
            self._unsorted = 0
        live, other = self._sorted
        s_live = 1.0 - bisect.bisect_right(live, age) / len(live)
        s_other = 1.0 - bisect.bisect_right(other, age) / len(other)
        den = p * s_live + (1 - p) * s_other
        return p * s_live / den if den > 0 else 0.0

    def observe_connect(self, now: float, abandoned: bool) -> None:
        """A live answer was connected to an agent, or abandoned by the dialler (no agent
        within 2 s, or the machine detector's false positive)."""
        self.short.add(now, 1, 1 if abandoned else 0)
        self.long.add(now, 1, 1 if abandoned else 0)

    def observe_handle(self, seconds: float) -> None:
        """An outbound call's handle time (talk + wrap-up)."""
        self.handle.add(seconds)

    # --- the decision -----------------------------------------------------------------

    def _safe_total(self, idle: int, groups: tuple[tuple[float, int], ...], p: float,
                    target: float) -> int:
        """The most dials in flight with expected abandoned <= ``target`` x expected live
        answers, with ``idle`` agents free and, per ``(q, count)`` of ``groups``, ``count``
        busy agents each freeing with probability ``q`` within the look-ahead (safety
        falls as dials grow: double, then bisect)."""
        agents_pmf = np.ones(1)
        for q, count in groups:
            agents_pmf = np.convolve(agents_pmf, cached_binomial_pmf(count, q))
        agents_pmf = np.concatenate([np.zeros(idle), agents_pmf])
        busy = sum(count for _, count in groups)
        fp = self.config.amd_false_positive
        limit = MAX_DIALS_PER_AGENT * (idle + busy)
        g = overflow_by_answers(agents_pmf, limit)

        def safe(n: int) -> bool:
            if n == 0:
                return True
            answers = cached_binomial_pmf(n, p * (1 - fp))
            abandoned = float(answers @ g[:n + 1]) + n * p * fp
            return abandoned <= target * n * p

        lo, step = 0, 1
        hi = lo + step
        while hi <= limit and safe(hi):
            lo, step = hi, step * 2
            hi = lo + step
        hi = min(hi, limit + 1)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if safe(mid):
                lo = mid
            else:
                hi = mid
        return lo

    def answer_rate(self) -> float:
        """The conservative live-answer rate used for pacing."""
        z = self.config.z
        return max(self.slow.mean, self.fast.mean, self.fast.upper(z) if z > 0 else 0.0)

    def spent(self, now: float) -> tuple[float, float]:
        """The abandonment rate so far over the last 24 h and the last 30 days."""
        s_live, s_ab = self.short.totals(now)
        l_live, l_ab = self.long.totals(now)
        return (s_ab / s_live if s_live else 0.0, l_ab / l_live if l_live else 0.0)

    def target(self, now: float) -> float:
        """The abandonment rate to aim at for the next dials: ``aim × cap`` while the
        windows have room; as the spent rate of a window approaches the cap, the target
        falls linearly to zero (at ``cap`` spent, no abandonment may be risked)."""
        c = self.config
        worst = max(self.spent(now))
        room = max(0.0, c.abandon_cap - worst) / c.abandon_cap
        target = c.aim * c.abandon_cap * min(1.0, room / (1 - c.aim) if c.aim < 1 else room)
        if self.rising():
            target *= c.rising_factor
        return target

    def rising(self) -> bool:
        """The answer rate is rising: the fast estimate is ``rising_ratio`` above the slow
        one (people came back from lunch). Until the slow estimate catches up, the dials
        already in flight were paced for fewer answers: :meth:`target` is lowered."""
        c = self.config
        return self.fast.mean > self.slow.mean * c.rising_ratio

    def dials_to_place(self, now: float, idle_agents: int,
                       busy_remaining: Sequence[float | tuple[float, float]],
                       in_flight: int | Sequence[float]) -> int:
        """New dials to place now, with ``idle_agents`` available for outbound, what is
        left of each busy agent's work in ``busy_remaining`` (the mean remaining seconds,
        exponential; or ``(delay, mean)``: at least ``delay`` seconds, e.g. the wrap-up that
        follows the talk, then an exponential of ``mean``, 0 for none) and the dials
        ringing: their number, or better the seconds each has been ringing (a dial that
        has rung long without a live answer is less likely to bring one:
        :meth:`live_chance`; it counts as that share of a fresh dial). Never negative;
        never fewer than the idle agents not yet covered by a ringing dial (progressive
        is always safe); bounded by :data:`MAX_DIALS_PER_AGENT` per agent."""
        c = self.config
        ages: list[float] | None = None
        if isinstance(in_flight, int):
            ringing = in_flight
        else:
            ages = list(in_flight)
            ringing = len(ages)
        progressive = max(0, idle_agents - ringing)
        busy = len(busy_remaining)
        if idle_agents + busy <= 0:
            return 0
        if self.dials_seen < c.warm_up:
            return progressive
        target = self.target(now)
        if target == 0.0:
            return progressive
        p = self.answer_rate()
        # each busy agent is free for a dial placed now if it frees before the dial's live
        # answer comes: q = E_T[P(free by T)] over the observed times T to a live answer
        # (the look-ahead h while fewer than 30 were seen), with P(free by t) =
        # 1 - exp(-(t - delay) / mean) for t > delay; grouped by q rounded down to 0.05;
        # rounded to the cautious side (answers up, freeing agents and target down), the
        # decision is memoised
        counts: dict[float, int] = {}
        for r in busy_remaining:
            delay, mean = (0.0, r) if isinstance(r, int | float) else r
            q = self._free_chance(delay, mean)
            if q <= 0.0:
                continue
            qk = math.floor(q * 20) / 20
            counts[qk] = counts.get(qk, 0) + 1
        groups = tuple(sorted((qk, n) for qk, n in counts.items() if qk > 0))
        key = (idle_agents, groups, math.ceil(p * 200) / 200,
               math.floor(target * 2000) / 2000)
        total = self._memo.get(key)
        if total is None:
            if len(self._memo) > 50_000:
                self._memo.clear()
            total = self._memo[key] = self._safe_total(idle_agents, groups, key[2], key[3])
        if ages is None:
            counted = ringing
        else:
            chance = self.live_chance
            counted = math.ceil(sum(chance(a, p) for a in ages) / max(p, 1e-6) - 1e-9)
        return max(progressive, total - counted)
