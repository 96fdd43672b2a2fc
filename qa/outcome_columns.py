""":mod:`qa.outcomes` over many contacts at once: what each contact adds to its group's sums,
and whether it was repeated (FCR), as numpy columns.

The report summaries (:mod:`app.outcome_summaries`) sum millions of stored contacts into cells;
building one :class:`~qa.outcomes.OutcomeRow` per contact costs more than the database read.
These functions give, for arrays of the row fields, exactly what
:func:`qa.outcomes.outcome_values` gives row by row and what :class:`qa.outcomes.FcrTracker`
marks as *repeated* (the definitions are those of :mod:`qa.outcomes`; a test compares the two
on random contacts).

FCR ``repeated`` is a property of one contact and the contacts after it: an eligible contact is
repeated when an eligible contact of the same ``(customer, reason)`` arrived after it within
``fcr_days`` (``at < later <= at + window``, the tracker's test). It does not depend on the
period a report covers, so it can be kept per contact (and summed per day), provided the
contacts up to ``fcr_days`` after it are known when it is computed.

This module imports only numpy and :mod:`qa.outcomes`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import fields

import numpy as np
import numpy.typing as npt

from qa.outcomes import DAY_SECONDS, FCR_DAYS, TOP_TWO_MIN_SCORE, OutcomeCounts

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
#: The columns of :func:`outcome_columns`, :class:`OutcomeCounts`' fields in order.
COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(OutcomeCounts))


def outcome_columns(
    direction: npt.NDArray[np.object_], served: BoolArray, transfers: FloatArray,
    handle_seconds: FloatArray, talk_seconds: FloatArray, offers_made: FloatArray,
    cross_sell_sales: FloatArray, up_sell_sales: FloatArray, sales: FloatArray,
    sales_amount: FloatArray, complaints: FloatArray, survey_score: FloatArray,
) -> FloatArray:
    """One row per contact, one column per :data:`COLUMNS` entry: :func:`qa.outcomes.
    outcome_values` of each contact (NaN stands for a None handle, talk time or survey; the
    FCR and self-service columns are 0 as there).

    ``handle_seconds`` must be NaN for a contact not served (as :class:`OutcomeRow` holds it)."""
    n = len(served)
    served = np.asarray(served, np.bool_)
    outbound = np.asarray(direction == "outbound", np.bool_).reshape(n)
    inbound = served & ~outbound
    out_served = served & outbound
    handle = np.asarray(handle_seconds, np.float64)
    has_handle = inbound & ~np.isnan(handle)
    talk = np.where(has_handle, np.nan_to_num(np.asarray(talk_seconds, np.float64), nan=0.0), 0.0)
    survey = np.asarray(survey_score, np.float64)
    surveyed = ~np.isnan(survey)
    f = np.float64
    columns = {
        "answered": inbound.astype(f),
        "transferred": (inbound & (np.asarray(transfers) > 0)).astype(f),
        "handled": has_handle.astype(f),
        "handle_seconds": np.where(has_handle, handle, 0.0),
        "talk_seconds": talk,
        "offers_made": np.where(inbound, offers_made, 0.0),
        "cross_sell_sales": np.where(inbound, cross_sell_sales, 0.0),
        "up_sell_sales": np.where(inbound, up_sell_sales, 0.0),
        "sales_amount": np.where(inbound, sales_amount, 0.0),
        "connected": out_served.astype(f),
        "outbound_positive": (out_served & (np.asarray(sales) > 0)).astype(f),
        "complaints": (served & (np.asarray(complaints) > 0)).astype(f),
        "surveys": surveyed.astype(f),
        "survey_score_sum": np.where(surveyed, survey, 0.0),
        "survey_top_two": (surveyed & (np.nan_to_num(survey) >= TOP_TWO_MIN_SCORE)).astype(f),
    }
    matrix = np.zeros((n, len(COLUMNS)), np.float64)
    for k, name in enumerate(COLUMNS):
        if name in columns:
            matrix[:, k] = columns[name]
    return matrix


def fcr_eligible_mask(direction: npt.NDArray[np.object_], served: BoolArray,
                      customers: Iterable[object], reasons: Iterable[object]) -> BoolArray:
    """:func:`qa.outcomes.fcr_eligible` of each contact: inbound, served, with a customer and
    a reason."""
    n = len(served)
    known = np.fromiter((bool(c) and bool(r) for c, r in zip(customers, reasons, strict=True)),
                        np.bool_, n)
    return np.asarray(direction == "inbound", np.bool_).reshape(n) & np.asarray(
        served, np.bool_) & known


def fcr_repeated(keys: Sequence[Hashable], arrived_at: FloatArray, eligible: BoolArray,
                 fcr_days: float = FCR_DAYS) -> BoolArray:
    """Per contact: eligible, and another eligible contact of the same key (``(customer,
    reason)``) arrived after it within ``fcr_days`` (``at < later <= at + window``).

    All contacts at once: the eligible ones sorted by key and arrival; a contact's first
    strictly later contact of its key is the one after its run of equal ``(key, at)``, and it
    is repeated when that one is inside the window (a later one cannot be if it is not)."""
    if not fcr_days > 0:
        raise ValueError(f"fcr_days must be > 0, got {fcr_days!r}")
    at = np.asarray(arrived_at, np.float64)
    out = np.zeros(len(at), np.bool_)
    index = np.flatnonzero(np.asarray(eligible, np.bool_))
    if not index.size:
        return out
    codes: dict[Hashable, int] = {}
    code = np.fromiter((codes.setdefault(keys[i], len(codes)) for i in index.tolist()),
                       np.int64, index.size)
    t = at[index]
    order = np.lexsort((t, code))
    k, ts = code[order], t[order]
    m = len(k)
    starts = np.flatnonzero(np.r_[True, (k[1:] != k[:-1]) | (ts[1:] != ts[:-1])])
    run_end = np.r_[starts[1:], m]  # first position after each run of equal (key, at)
    nxt = np.repeat(run_end, np.diff(np.r_[starts, m]))
    inside = nxt < m
    j = np.where(inside, nxt, 0)
    window = fcr_days * DAY_SECONDS
    repeated = inside & (k[j] == k) & (ts[j] <= ts + window)
    out[index[order]] = repeated
    return out
