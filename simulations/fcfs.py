"""Fast path: one FCFS queue, identical agents, a count per interval (M/G/n(t)+G).

Under first-come-first-served with identical agents, caller ``i`` (arrival ``t_i``) is
served at the earliest moment an agent is free *and on duty* after ``t_i``, whatever
the callers behind them do; callers who hang up take no agent time. So one pass over
the callers in arrival order, with a heap of the agents' next free-and-on-duty
moments, is an exact simulation: the multi-server form of the Kiefer–Wolfowitz
workload recursion (Kiefer & Wolfowitz 1955, *On the theory of queues with many
servers*, Trans. AMS 78), extended to abandonment (a caller whose wait would exceed
their patience leaves at ``t_i + patience``) and to staffing that changes per interval.

Staffing: agent slot ``j`` is on duty in interval ``k`` iff ``j < n_k``; after the
horizon ``n`` stays at the last interval's value until the last caller is done. An
agent whose slot goes off duty finishes the call in hand (the overrun is counted as
available time), then leaves; a call never *starts* on an off-duty slot.

Agent time counts inside the horizon only (the occupancy of :mod:`qa.kpis`): interval
``k`` has ``n_k L`` seconds on duty plus the overrun of agents finishing a call in it,
and busy time is cut at the interval boundaries; what happens after the last interval
counts in neither.

Output: the flat per-contact columns (:class:`qa.records.ContactTable`) and the agent
time (:class:`qa.agent_time.AgentTime`), not an event log; ask the general path
(:mod:`simulations.center`) when the events themselves are wanted. Given the same
generator state it serves the same callers as the general path; with constant staffing
the waits are identical, call for call.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from qa.agent_time import AgentTime, seconds_per_interval
from qa.records import ContactTable
from simulations.arrivals import draw_contacts
from simulations.scenario import Scenario

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class FcfsOutcome:
    table: ContactTable
    agent_time: AgentTime
    end_seconds: float


def _next_on_table(counts: tuple[int, ...]) -> npt.NDArray[np.int64]:
    """``nxt[j, k]``: first interval ``>= k`` in which slot ``j`` is on duty (``K`` = never).

    Column ``K - 1`` stands for the last interval and everything after it.
    """
    n = np.asarray(counts, dtype=np.int64)
    k_count = len(n)
    slots = max(int(n.max()), 1)
    on = np.arange(slots)[:, None] < n[None, :]
    nxt = np.full((slots, k_count + 1), k_count, dtype=np.int64)
    for k in range(k_count - 1, -1, -1):
        nxt[:, k] = np.where(on[:, k], k, nxt[:, k + 1])
    return nxt


def simulate_fcfs(scenario: Scenario, rng: np.random.Generator) -> FcfsOutcome:
    """One replication of a :meth:`Scenario.fast_path_ok` scenario."""
    if not scenario.fast_path_ok():
        raise ValueError(
            "the fast path needs one queue, one tier, one agent group, no routing options"
        )
    queue, group = scenario.queues[0], scenario.groups[0]
    length = scenario.interval_seconds
    counts = group.agents_per_interval
    k_last = len(counts) - 1
    draws = draw_contacts(
        queue.calls_per_interval, length, queue.handle, queue.patience, [1.0], rng
    )
    nxt = _next_on_table(counts).tolist()
    inf = math.inf

    def next_on(j: int, t: float) -> float:
        """First moment ``>= t`` at which slot ``j`` is on duty."""
        k = int(t // length)
        k = min(k, k_last)
        k2 = nxt[j][k]
        if k2 == k:
            return t
        return inf if k2 > k_last else k2 * length

    heap = [(next_on(j, 0.0), j) for j in range(len(nxt))]
    heapq.heapify(heap)
    arrivals = draws.arrived_at.tolist()
    handles = (draws.handle_seconds + queue.wrap_up_seconds).tolist()
    patience = draws.patience_seconds.tolist()
    n = len(arrivals)
    wait = np.empty(n)
    answered = np.zeros(n, dtype=np.bool_)
    busy_start: list[float] = []
    busy_end: list[float] = []
    overrun = np.zeros(len(counts))
    heapreplace = heapq.heapreplace
    for i in range(n):
        t = arrivals[i]
        kt = min(int(t // length), k_last)
        while True:
            key, j = heap[0]
            if key >= t:
                start = key
                break
            if nxt[j][kt] == kt:  # free since before t and on duty now
                start = t
                break
            heapreplace(heap, (next_on(j, t), j))  # off duty at t: wake when next on
        w = start - t
        if w > patience[i]:
            wait[i] = patience[i]
            continue
        wait[i] = w
        answered[i] = True
        free = start + handles[i]
        busy_start.append(start)
        busy_end.append(free)
        k = int(start // length)
        if k < k_last and free > (k + 1) * length:
            _add_overrun(overrun, nxt[j], start, free, length, k_last)
        heapreplace(heap, (next_on(j, free), j))
    handle = np.where(answered, np.asarray(handles, dtype=np.float64), np.nan)
    return _outcome(scenario, draws.arrived_at, wait, answered, handle, busy_start, busy_end,
                    overrun)


def _add_overrun(
    overrun: FloatArray, nxt_j: list[int], start: float, end: float, length: float, k_last: int
) -> None:
    """Time an off-duty agent spends finishing a call, per interval of the horizon
    (counted as available)."""
    k = int(start // length) + 1
    while k <= k_last and k * length < end:
        if nxt_j[k] != k:
            overrun[k] += min(end, (k + 1) * length) - k * length
        k += 1


def _outcome(
    scenario: Scenario,
    arrived: FloatArray,
    wait: FloatArray,
    answered: npt.NDArray[np.bool_],
    handle: FloatArray,
    busy_start: list[float],
    busy_end: list[float],
    overrun: FloatArray,
) -> FcfsOutcome:
    n = len(arrived)
    length, k_count = scenario.interval_seconds, scenario.n_intervals
    counts = np.asarray(scenario.groups[0].agents_per_interval, dtype=np.float64)
    table = ContactTable(
        arrived_at=arrived,
        wait_seconds=wait,
        answered=answered,
        abandoned=~answered,
        queue_index=np.zeros(n, dtype=np.int64),
        tier_index=np.zeros(n, dtype=np.int64),
        queues=(scenario.queues[0].name,),
        tiers=scenario.tiers,
        handle_seconds=handle,  # talk + wrap-up of the answered (AHT, as the general path)
    )
    ends = np.asarray(busy_end)
    ab_end = (arrived + wait)[~answered]
    end = max(
        float(ends.max()) if len(ends) else 0.0,
        float(ab_end.max()) if len(ab_end) else 0.0,
        scenario.horizon_seconds,
    )
    busy = seconds_per_interval(np.asarray(busy_start), ends, length, k_count)
    available = counts * length + overrun
    return FcfsOutcome(table, AgentTime(busy, available), end)
