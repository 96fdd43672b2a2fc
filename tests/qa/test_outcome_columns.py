"""The column twins of :func:`qa.outcomes.outcome_values` and :class:`qa.outcomes.FcrTracker`
give the row-by-row results on random contacts (ties, repeats exactly at the window's edge)."""

from __future__ import annotations

import numpy as np
import pytest

from qa.outcome_columns import COLUMNS, fcr_eligible_mask, fcr_repeated, outcome_columns
from qa.outcomes import DAY_SECONDS, FcrTracker, OutcomeRow, fcr_eligible, outcome_values


def _rows(rng: np.random.Generator, n: int) -> list[OutcomeRow]:
    rows = []
    for i in range(n):
        direction = str(rng.choice(["inbound", "outbound", "callback"]))
        served = bool(rng.random() < 0.7)
        handle = float(rng.exponential(200)) if served and rng.random() < 0.8 else None
        at = float(rng.choice([0.0, 3600.0, 7 * DAY_SECONDS, float(rng.uniform(0, 20 * DAY_SECONDS))]))
        rows.append(OutcomeRow(
            f"c{i}", direction, at, served, int(rng.integers(0, 3)), handle,
            float(rng.exponential(100)) if rng.random() < 0.7 else None,
            int(rng.integers(0, 3)), int(rng.integers(0, 2)), int(rng.integers(0, 2)),
            int(rng.integers(0, 3)), float(rng.exponential(1000)), int(rng.integers(0, 2)),
            int(rng.integers(1, 6)) if rng.random() < 0.4 else None,
            str(rng.choice(["", "k1", "k2", "k3"])) or None,
            str(rng.choice(["", "card", "loan"])) or None))
    return rows


def _arrays(rows: list[OutcomeRow]) -> dict[str, np.ndarray]:
    def num(values: list[float | None]) -> np.ndarray:
        return np.array([np.nan if v is None else v for v in values], np.float64)

    return {
        "direction": np.array([r.direction for r in rows], dtype=object),
        "served": np.array([r.served for r in rows], np.bool_),
        "transfers": num([r.transfers for r in rows]),
        "handle_seconds": num([r.handle_seconds for r in rows]),
        "talk_seconds": num([r.talk_seconds for r in rows]),
        "offers_made": num([r.offers_made for r in rows]),
        "cross_sell_sales": num([r.cross_sell_sales for r in rows]),
        "up_sell_sales": num([r.up_sell_sales for r in rows]),
        "sales": num([r.sales for r in rows]),
        "sales_amount": num([r.sales_amount for r in rows]),
        "complaints": num([r.complaints for r in rows]),
        "survey_score": num([r.survey_score for r in rows]),
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_outcome_columns_are_outcome_values(seed: int) -> None:
    rows = _rows(np.random.default_rng(seed), 600)
    got = outcome_columns(**_arrays(rows))
    want = np.array([outcome_values(r) for r in rows], np.float64)
    assert got.shape == (len(rows), len(COLUMNS))
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_fcr_repeated_is_the_trackers(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows = _rows(rng, 800)
    a = _arrays(rows)
    eligible = fcr_eligible_mask(a["direction"], a["served"], [r.customer for r in rows],
                                 [r.reason for r in rows])
    assert eligible.tolist() == [fcr_eligible(r) for r in rows]
    tracker = FcrTracker()
    order = rng.permutation(len(rows))
    for i in order.tolist():
        r = rows[i]
        if fcr_eligible(r):
            tracker.add(r.customer or "", r.reason or "", r.arrived_at, i)
    got = fcr_repeated([(r.customer, r.reason) for r in rows],
                       np.array([r.arrived_at for r in rows]), eligible)
    assert got.tolist() == [tracker.of(i)[1] == 1 for i in range(len(rows))]
    assert got.any() and not got.all()


def test_fcr_repeated_edges() -> None:
    keys = [("k", "r")] * 5 + [("j", "r")]
    at = np.array([0.0, 0.0, 7 * DAY_SECONDS, 7 * DAY_SECONDS + 1, 30 * DAY_SECONDS, 1.0])
    got = fcr_repeated(keys, at, np.ones(6, np.bool_))
    # a tie is no repeat; exactly at the window's end is; the last of a key never is
    assert got.tolist() == [True, True, True, False, False, False]
    assert fcr_repeated(keys[:3], at[:3], np.ones(3, np.bool_)).tolist() == [True, True, False]
    assert not fcr_repeated(keys[:2], at[:2], np.ones(2, np.bool_)).any()
    assert not fcr_repeated([], np.zeros(0), np.zeros(0, np.bool_)).any()
    with pytest.raises(ValueError, match="fcr_days"):
        fcr_repeated(keys, at, np.ones(6, np.bool_), 0)
