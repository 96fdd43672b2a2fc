"""Replications on a Dask cluster give the same figures as the local process pool.

Runs on a small in-process ``distributed.LocalCluster`` (``processes=False``): the
``dask_address`` path of :func:`simulations.replications.run_replications` connects a
``Client`` to its scheduler and maps the replications through ``Client.get_executor()``.
"""

from __future__ import annotations

import pytest

from simulations.replications import run_replications
from simulations.scenario import parse_scenario
from tests.simulations.test_scenario import EXAMPLE

distributed = pytest.importorskip("distributed")


def test_local_cluster_matches_process_pool() -> None:
    scenario = parse_scenario(EXAMPLE)
    local, _ = run_replications(scenario, 4, seed=11, workers=2)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        on_dask, reps = run_replications(
            scenario, 4, seed=11, dask_address=cluster.scheduler_address
        )
    assert [r.index for r in reps] == [0, 1, 2, 3]
    assert on_dask == local  # same seeds: the same document, figure for figure
    assert on_dask["summary"]["offered"] > 0
