"""Outbound dials: how many were placed, how they ended, the connect rate.

An outbound contact (telesales, collections) is a *dial*, not an offered call: it has
no queue wait and no service level, so it never counts in :class:`~qa.counts.KpiCounts`
(those are inbound only, see :mod:`qa.kpis`). Its figures come from the dial's result,
``routing.events.DialResult.result``::

    connected   the customer answered (the dialler put the call through to an agent)
    no_answer   nobody picked up        busy      the line was busy
    machine     an answering machine    invalid   the number does not work
    abandoned   the customer answered but no agent was free (the dialler hung up)

plus ``other`` for a dial with no result yet or a result outside that list.

Formulas (``D`` dials, ``C`` connected, ``X`` abandoned by the dialler)::

    connect rate           = C / D
    dialler abandon rate   = X / (C + X)    (live answers the dialler dropped)

The abandon rate is the one regulators watch for predictive dialling (Ofcom's
persistent-misuse policy: at most 3 % of live calls abandoned per campaign per day).

This module imports only numpy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt

from qa.counts import ratio
from routing.events import DIAL_RESULTS  # in the order of DialCounts' fields


@dataclass(slots=True)
class DialCounts:
    """Dials of one group by result; adding two adds the counts.
    ``dials = connected + no_answer + busy + machine + invalid + abandoned + other``."""

    dials: int = 0
    connected: int = 0
    no_answer: int = 0
    busy: int = 0
    machine: int = 0
    invalid: int = 0
    abandoned: int = 0
    other: int = 0

    def __add__(self, other: DialCounts) -> DialCounts:
        return DialCounts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


def count_dials(
    results: Sequence[str],
    group_index: npt.ArrayLike | None = None,
    n_groups: int = 1,
    weights: npt.ArrayLike | None = None,
) -> list[DialCounts]:
    """:class:`DialCounts` per group ``0 .. n_groups-1`` (all in group 0 by default).

    ``results[i]`` is the result of row ``i`` (a :data:`DIAL_RESULTS` name, else it
    counts as ``other``); ``weights[i]`` how many dials the row stands for (1 each by
    default: a row per dial, or a row per distinct result with its count). Rows whose
    ``group_index`` is negative are left out.
    """
    n = len(results)
    group = np.zeros(n, np.int64) if group_index is None else np.asarray(group_index, np.int64)
    weight = np.ones(n, np.int64) if weights is None else np.asarray(weights, np.int64)
    if group.shape != (n,) or weight.shape != (n,):
        raise ValueError(f"group_index and weights need one value per result ({n})")
    if n and group.max(initial=-1) >= n_groups:
        raise ValueError(f"group_index must be < n_groups = {n_groups}")
    position: dict[str, int] = {name: i for i, name in enumerate(DIAL_RESULTS)}
    other = len(DIAL_RESULTS)
    code = np.fromiter((position.get(r, other) for r in results), np.int64, count=n)
    keep = group >= 0
    cells = np.zeros((n_groups, other + 1), np.int64)
    np.add.at(cells, (group[keep], code[keep]), weight[keep])
    return [DialCounts(int(row.sum()), *(int(x) for x in row)) for row in cells]


def connect_rate(counts: DialCounts) -> float:
    """Share of dials that reached the customer, ``connected / dials`` (NaN with no dial)."""
    return ratio(counts.connected, counts.dials)


def dialler_abandon_rate(counts: DialCounts) -> float:
    """Share of live answers the dialler dropped for want of an agent,
    ``abandoned / (connected + abandoned)`` (NaN with no live answer)."""
    return ratio(counts.abandoned, counts.connected + counts.abandoned)
