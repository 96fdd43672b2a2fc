"""Independent replications of a scenario, in parallel, with reproducible seeds.

Replication ``r`` uses ``np.random.default_rng(SeedSequence(seed).spawn(R)[r])``: the
streams are independent (NumPy's ``SeedSequence`` spawning) and a replication's
figures depend only on ``(seed, R, r)``, not on which worker ran it or in what order.

Executors: a :class:`concurrent.futures.ProcessPoolExecutor` locally (one worker per
core, capped at ``R``); a Dask cluster when an address is given (``dask.distributed``
is imported only then, through ``Client.get_executor()``); in-process when there is one
replication or one worker.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

import numpy as np

from simulations.results import ReplicationResult, aggregate, replication_figures
from simulations.scenario import Scenario


class DaskUnavailable(RuntimeError):
    """``dask.distributed`` is not installed but a Dask address was given."""


def simulate_once(
    scenario: Scenario, rng: np.random.Generator, *, index: int = 0, keep_events: bool = False
) -> ReplicationResult:
    """One replication on the fast path when the scenario allows it, else the general path."""
    if scenario.uses_fast_path() and not keep_events:
        from simulations.fcfs import simulate_fcfs

        out = simulate_fcfs(scenario, rng)
        return replication_figures(scenario, out.table, out.agent_time, index)
    from simulations.center import simulate_center

    run = simulate_center(scenario, rng, keep_events=keep_events)
    result = replication_figures(scenario, run.table, run.agent_time, index, run.callbacks)
    result.events = run.events
    return result


def _job(args: tuple[Scenario, np.random.SeedSequence, int, bool]) -> ReplicationResult:
    scenario, seq, index, keep_events = args
    return simulate_once(scenario, np.random.default_rng(seq), index=index, keep_events=keep_events)


@contextmanager
def _dask_executor(address: str) -> Iterator[Executor]:
    try:
        from dask.distributed import Client
    except ImportError as exc:
        raise DaskUnavailable(
            "--dask needs dask.distributed: pip install 'dask[distributed]'"
        ) from exc
    client_type: Any = Client  # untyped where dask is installed, absent where it is not
    with client_type(address) as client:
        yield client.get_executor()


@contextmanager
def _executor(
    replications: int, workers: int | None, dask_address: str | None
) -> Iterator[Executor | None]:
    if dask_address:
        with _dask_executor(dask_address) as ex:
            yield ex
        return
    n = min(replications, workers or os.cpu_count() or 1)
    if n <= 1:
        yield None
        return
    with ProcessPoolExecutor(max_workers=n) as ex:
        yield ex


def run_replications(
    scenario: Scenario,
    replications: int,
    seed: int,
    *,
    workers: int | None = None,
    dask_address: str | None = None,
    keep_events_of_first: bool = False,
    progress: Callable[[int], None] | None = None,
) -> tuple[dict[str, Any], list[ReplicationResult]]:
    """Run ``replications`` seeded replications; return the RESULT document and the raw results."""
    if replications < 1:
        raise ValueError(f"replications must be >= 1, got {replications}")
    if workers is not None and (isinstance(workers, bool) or workers < 1):
        raise ValueError(f"--workers must be >= 1 (default: one per core), got {workers}")
    seqs = np.random.SeedSequence(seed).spawn(replications)
    jobs = [(scenario, s, r, keep_events_of_first and r == 0) for r, s in enumerate(seqs)]
    with _executor(replications, workers, dask_address) as ex:
        results: list[ReplicationResult] = []
        mapped = map(_job, jobs) if ex is None else ex.map(_job, jobs)
        for res in mapped:
            results.append(res)
            if progress is not None:
                progress(len(results))
    engine = "general"
    if scenario.uses_fast_path():
        engine = "fast, replication 0 general (event log)" if keep_events_of_first else "fast"
    return aggregate(scenario, results, seed=seed, engine=engine), results
