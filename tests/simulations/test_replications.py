"""Replications: reproducible from the seed, independent across replications, CIs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulations.replications import DaskUnavailable, run_replications, simulate_once
from simulations.results import json_ready, mean_ci
from simulations.scenario import parse_scenario
from tests.simulations.test_scenario import EXAMPLE


def test_reproducible_from_seed_whatever_the_workers() -> None:
    s = parse_scenario(EXAMPLE)
    a, _ = run_replications(s, 4, seed=7, workers=1)
    b, _ = run_replications(s, 4, seed=7, workers=2)
    c, _ = run_replications(s, 4, seed=8, workers=1)
    assert a == b
    assert a["per_replication"] != c["per_replication"]
    offered = [r["offered"] for r in a["per_replication"]]
    assert len(set(offered)) > 1  # replications differ from each other


def test_replication_r_depends_only_on_seed_and_r() -> None:
    s = parse_scenario(EXAMPLE)
    doc, _ = run_replications(s, 3, seed=9, workers=1)
    seq = np.random.SeedSequence(9).spawn(3)[2]
    alone = simulate_once(s, np.random.default_rng(seq), index=2)
    assert doc["per_replication"][2] == {"replication": 2, **alone.summary}


def test_summary_is_mean_with_t_interval() -> None:
    s = parse_scenario(EXAMPLE)
    doc, reps = run_replications(s, 5, seed=1, workers=1)
    sl = [r.summary["service_level"] for r in reps]
    lo, hi = doc["summary_ci"]["service_level"]
    assert doc["summary"]["service_level"] == pytest.approx(np.mean(sl))
    half = 2.7764451051977987 * np.std(sl, ddof=1) / math.sqrt(5)  # t(0.975, 4)
    assert (lo, hi) == pytest.approx((np.mean(sl) - half, np.mean(sl) + half))
    assert len(doc["per_interval"]) == 2 and "ci95" in doc["per_interval"][0]
    assert set(doc["per_queue"]) == {"general"} and set(doc["per_tier"]) == {"core"}


def test_mean_ci_edge_cases() -> None:
    assert mean_ci([3.0]) == (3.0, None, None)
    m, lo, hi = mean_ci([math.nan, 1.0, 3.0])
    assert m == 2.0 and lo is not None and hi is not None and lo < 2.0 < hi
    assert math.isnan(mean_ci([math.nan])[0])
    assert json_ready({"a": [math.nan, 1.0, math.inf]}) == {"a": [None, 1.0, None]}


def test_dask_missing_is_a_clear_error() -> None:
    pytest.importorskip("numpy")
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        with pytest.raises(DaskUnavailable, match="pip install"):
            run_replications(parse_scenario(EXAMPLE), 2, seed=0, dask_address="tcp://127.0.0.1:1")
    else:  # pragma: no cover - dask installed here
        pytest.skip("dask is installed")


def test_bad_replication_count() -> None:
    with pytest.raises(ValueError, match="replications must be >= 1"):
        run_replications(parse_scenario(EXAMPLE), 0, seed=0)


@pytest.mark.parametrize("workers", [0, -2])
def test_bad_worker_count(workers: int) -> None:
    """``--workers 0`` and ``--workers -2`` used to be accepted silently."""
    with pytest.raises(ValueError, match=rf"--workers must be >= 1 \(default: one per core\), got {workers}"):
        run_replications(parse_scenario(EXAMPLE), 2, seed=0, workers=workers)
