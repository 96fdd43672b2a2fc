"""qa.wait_histogram: cells give counts_by_group's counts for every T on the grid."""

from __future__ import annotations

import numpy as np
import pytest

from qa.counts import counts_by_group
from qa.records import OUTCOMES, ContactTable
from qa.wait_histogram import (
    NOT_CLOSED,
    OVER_GRID,
    WAIT_GRID_SECONDS,
    cells_of_table,
    counts_by_cell_group,
    counts_of_cells,
    not_closed_of_cells,
    on_grid,
    wait_buckets,
)


def test_grid() -> None:
    assert on_grid(20) and on_grid(20.0) and on_grid(130) and on_grid(3600)
    assert not on_grid(12.5) and not on_grid(125) and not on_grid(3601) and not on_grid(-1)
    assert list(wait_buckets(np.array([0.0, 0.2, 1.0, 120.0, 120.5, 3600.0, 3600.1, np.nan]))) \
        == [0, 1, 1, 120, 130, 3600, OVER_GRID, OVER_GRID]


def test_within_t_iff_bucket_within_t() -> None:
    rng = np.random.default_rng(0)
    w = np.concatenate([rng.exponential(60, 20_000), WAIT_GRID_SECONDS.astype(float),
                        np.nextafter(WAIT_GRID_SECONDS, np.inf)])
    b = wait_buckets(w)
    for t in WAIT_GRID_SECONDS:
        assert np.array_equal(w <= t, b <= t)


def _table(rng: np.random.Generator, n: int) -> tuple[ContactTable, np.ndarray]:
    arrived = rng.integers(0, 10**9, n).astype(float)
    wait = np.round(rng.exponential(30e6, n))
    code = rng.choice([-1, 0, 1, 2], n, p=[0.05, 0.7, 0.2, 0.05])
    answered_at = np.where(code == OUTCOMES.index("answered"), arrived + wait, np.nan)
    ended = np.where(code >= 0, arrived + wait, np.nan)
    handle = np.where(rng.random(n) < 0.8, rng.exponential(200, n), np.nan)
    table = ContactTable.from_times(arrived, answered_at, ended, code, rng.integers(0, 3, n),
                                    np.zeros(n, np.int64), ["a", "b", "c"], ["core"],
                                    handle_seconds=handle, ticks_per_second=1e6)
    return table, code < 0


@pytest.mark.parametrize("t", [0, 1, 5, 20, 45, 130, 600, 3600])
def test_cells_give_counts_by_group(t: int) -> None:
    rng = np.random.default_rng(t)
    table, open_rows = _table(rng, 5000)
    groups, buckets, sums = cells_of_table(table, table.queue_index, open_rows, 5.0)
    rows = counts_by_group(table, table.queue_index, 3, float(t), 5.0)
    for g in range(3):
        mine = counts_of_cells(buckets[groups == g], sums[groups == g], t)
        for name in ("offered", "answered", "abandoned", "answered_within", "abandoned_within",
                     "short_abandoned", "callback_failed", "unserved", "handled"):
            assert getattr(mine, name) == getattr(rows[g], name), name
        for name in ("wait_answered_seconds", "wait_all_seconds", "handle_seconds"):
            assert getattr(mine, name) == pytest.approx(getattr(rows[g], name), rel=1e-11)
        assert not_closed_of_cells(sums[groups == g]) == int(
            (open_rows & (table.queue_index == g)).sum())
    assert (buckets[sums[:, -1] > 0] == NOT_CLOSED).all()
    together = counts_by_cell_group(groups, 3, buckets, sums, np.full(len(groups), float(t)))
    assert together == [counts_of_cells(buckets[groups == g], sums[groups == g], t)
                        for g in range(3)]
    with pytest.raises(ValueError, match="grid"):
        counts_of_cells(buckets, sums, 12.5)
