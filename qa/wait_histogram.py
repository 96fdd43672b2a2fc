"""Contacts summed into cells of (group, wait bucket), and :class:`~qa.counts.KpiCounts` back.

A report over months must not read millions of contact rows each time; it reads sums kept per
group (an interval or a day, a queue, a tier) instead. Service level needs, per group, how many
answered and abandoned contacts waited ``<= T``, for whatever ``T`` the report holds the callers
to. So the sums are kept per *wait bucket*: each contact falls in the bucket

    bucket(w) = min { g in WAIT_GRID_SECONDS : g >= w }      (OVER_GRID when w > 3600 s or unknown)

and for ``T`` in :data:`WAIT_GRID_SECONDS`, ``w <= T  <=>  bucket(w) <= T`` (if ``w <= T`` then
``T`` is a grid point ``>= w``, so the least one is ``<= T``; if ``bucket(w) <= T`` then
``w <= bucket(w) <= T``). The within-``T`` counts summed over the buckets ``<= T`` are therefore
exactly :func:`qa.counts.counts_by_group`'s, for every ``T`` on the grid: each whole second up to
2 minutes, each 10 s up to 10 minutes, each minute up to an hour. A short abandon (``w < S``)
is not a function of the ceiling bucket, so the cells count it for one ``S`` given when they are
made (the reports' fixed :data:`S`); the others come from the contacts.

Waits are summed as whole microseconds (``round(w * 1e6)``; the rows' times are whole
microseconds, so this is exact) and handle times as whole nanoseconds: integers, so cells added
in any order, in the database or here, give the very same sums.

The cell's fields are :data:`CELL_FIELDS`; ``not_closed`` counts contacts whose wait has not
ended (still waiting: not offered yet), in the bucket :data:`NOT_CLOSED`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from qa.counts import KpiCounts
from qa.records import BoolArray, ContactTable, FloatArray, IntArray

#: The bucket ceilings, in seconds: 0, 1, ..., 120, 130, ..., 600, 660, ..., 3600.
WAIT_GRID_SECONDS: npt.NDArray[np.int64] = np.concatenate([
    np.arange(0, 121, 1), np.arange(130, 601, 10), np.arange(660, 3601, 60)]).astype(np.int64)
#: The bucket of a wait beyond the grid (or not known): never within any ``T`` on the grid.
OVER_GRID = 1_000_000
#: The bucket of a contact still waiting (not offered yet).
NOT_CLOSED = -1
#: The sums of a cell, in this order (waits in microseconds, handle times in nanoseconds).
CELL_FIELDS: tuple[str, ...] = (
    "offered", "answered", "abandoned", "callback_failed", "unserved", "short_abandoned",
    "wait_answered_micros", "wait_all_micros", "handled", "handle_nanos", "not_closed",
)
MICROS = 1_000_000
#: Handle times come from the event log's float seconds (not whole microseconds): kept to the
#: nanosecond, so the sums differ from the rows' float sums by under a nanosecond per call.
NANOS = 1_000_000_000
_F = {name: i for i, name in enumerate(CELL_FIELDS)}
_GRID_SET = frozenset(int(g) for g in WAIT_GRID_SECONDS)

IntMatrix = npt.NDArray[np.int64]


def on_grid(threshold_seconds: float) -> bool:
    """Whether cells give the exact within-``T`` counts for ``threshold_seconds``."""
    return float(threshold_seconds).is_integer() and int(threshold_seconds) in _GRID_SET


def wait_buckets(wait_seconds: FloatArray) -> IntArray:
    """The bucket of each wait (module docstring): its ceiling on the grid, else OVER_GRID."""
    w = np.asarray(wait_seconds, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        index = np.searchsorted(WAIT_GRID_SECONDS.astype(np.float64), w, side="left")
    index = np.where(np.isnan(w), len(WAIT_GRID_SECONDS), index)
    grid = np.append(WAIT_GRID_SECONDS, OVER_GRID)
    return grid[index].astype(np.int64)


def cells_of_table(
    table: ContactTable,
    group_index: IntArray,
    open_rows: BoolArray,
    short_abandon_seconds: float,
) -> tuple[IntArray, IntArray, IntMatrix]:
    """The cells of ``table``'s rows: ``(group, bucket, sums)``, one entry per distinct pair
    (``sums[k]`` in :data:`CELL_FIELDS` order). ``open_rows``: contacts whose wait has not
    ended (counted in ``not_closed``, bucket :data:`NOT_CLOSED`); rows with a negative group
    are left out."""
    n = len(table)
    group = np.asarray(group_index, dtype=np.int64)
    if group.shape != (n,):
        raise ValueError(f"group_index has {group.size} rows, the table has {n}")
    keep = group >= 0
    wait = table.wait_seconds
    known = ~np.isnan(wait)
    ans, ab, failed, un = table.answered, table.abandoned, table.failed, table.unserved
    offered = ans | ab | un | failed
    handle = table.handle_seconds
    has_handle = np.zeros(n, np.bool_) if handle is None else ans & ~np.isnan(handle)
    bucket = np.where(open_rows, NOT_CLOSED, wait_buckets(wait))
    wait_micros = np.where(known, np.rint(np.where(known, wait, 0.0) * MICROS), 0).astype(np.int64)
    handle_nanos = (np.zeros(n, np.int64) if handle is None else
                    np.rint(np.where(has_handle, handle, 0.0) * NANOS).astype(np.int64))
    with np.errstate(invalid="ignore"):
        short = ab & (wait < short_abandon_seconds)
    columns = [offered, ans, ab, failed, un, short, np.where(ans, wait_micros, 0),
               np.where(offered, wait_micros, 0), has_handle, handle_nanos,
               np.asarray(open_rows, np.bool_) & ~offered]
    g, b = group[keep], bucket[keep]
    if not g.size:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, len(CELL_FIELDS)),
                                                                      np.int64)
    pairs, inverse = np.unique(np.stack([g, b], axis=1), axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    # float weights are exact here: a cell's sum stays below 2**53 (285 years of waits in
    # microseconds, 104 days of handle time in nanoseconds, per group of one chunk of rows)
    sums = np.stack([np.rint(np.bincount(inverse, np.asarray(c)[keep].astype(np.float64),
                                         minlength=len(pairs))) for c in columns], axis=1)
    return pairs[:, 0].copy(), pairs[:, 1].copy(), sums.astype(np.int64)


def counts_of_cells(buckets: IntArray, sums: IntMatrix, threshold_seconds: float) -> KpiCounts:
    """:class:`KpiCounts` of the cells of one group held to ``T = threshold_seconds``
    (which must be :func:`on_grid`): the sums added up, and the within-``T`` counts those of
    the buckets ``<= T`` (module docstring). Waits and handle times back in seconds."""
    if not on_grid(threshold_seconds):
        raise ValueError(f"threshold_seconds must be on the wait grid, got {threshold_seconds!r}")
    s = np.asarray(sums, dtype=np.int64).reshape(-1, len(CELL_FIELDS))
    b = np.asarray(buckets, dtype=np.int64)
    total = s.sum(axis=0)
    within = (b != NOT_CLOSED) & (b <= threshold_seconds)
    return KpiCounts(
        offered=int(total[_F["offered"]]), answered=int(total[_F["answered"]]),
        abandoned=int(total[_F["abandoned"]]),
        answered_within=int(s[within, _F["answered"]].sum()),
        abandoned_within=int(s[within, _F["abandoned"]].sum()),
        short_abandoned=int(total[_F["short_abandoned"]]),
        wait_answered_seconds=int(total[_F["wait_answered_micros"]]) / MICROS,
        wait_all_seconds=int(total[_F["wait_all_micros"]]) / MICROS,
        unserved=int(total[_F["unserved"]]), callback_failed=int(total[_F["callback_failed"]]),
        handled=int(total[_F["handled"]]), handle_seconds=int(total[_F["handle_nanos"]]) / NANOS,
    )


def not_closed_of_cells(sums: IntMatrix) -> int:
    """How many contacts of the cells have not ended their wait."""
    s = np.asarray(sums, dtype=np.int64).reshape(-1, len(CELL_FIELDS))
    return int(s[:, _F["not_closed"]].sum())


def counts_by_cell_group(
    group_index: IntArray, n_groups: int, buckets: IntArray, sums: IntMatrix,
    threshold_seconds: FloatArray,
) -> list[KpiCounts]:
    """:func:`counts_of_cells` of many groups at once: cell ``k`` belongs to group
    ``group_index[k]`` and is held to ``threshold_seconds[k]`` (its own caller's ``T``, on the
    grid); one :class:`KpiCounts` per group ``0 .. n_groups-1``."""
    g = np.asarray(group_index, dtype=np.int64)
    b = np.asarray(buckets, dtype=np.int64)
    s = np.asarray(sums, dtype=np.int64).reshape(-1, len(CELL_FIELDS))
    t = np.asarray(threshold_seconds, dtype=np.float64)
    if not all(on_grid(x) for x in np.unique(t)):
        raise ValueError("every threshold_seconds must be on the wait grid")
    within = (b != NOT_CLOSED) & (b <= t)

    def total(values: npt.NDArray[np.int64]) -> list[int]:
        out = np.zeros(n_groups, np.int64)
        np.add.at(out, g, values)
        return [int(x) for x in out]

    col = {name: total(s[:, i]) for i, name in enumerate(CELL_FIELDS)}
    a_within = total(np.where(within, s[:, _F["answered"]], 0))
    b_within = total(np.where(within, s[:, _F["abandoned"]], 0))
    return [KpiCounts(
        offered=col["offered"][k], answered=col["answered"][k], abandoned=col["abandoned"][k],
        answered_within=a_within[k], abandoned_within=b_within[k],
        short_abandoned=col["short_abandoned"][k],
        wait_answered_seconds=col["wait_answered_micros"][k] / MICROS,
        wait_all_seconds=col["wait_all_micros"][k] / MICROS, unserved=col["unserved"][k],
        callback_failed=col["callback_failed"][k], handled=col["handled"][k],
        handle_seconds=col["handle_nanos"][k] / NANOS) for k in range(n_groups)]
