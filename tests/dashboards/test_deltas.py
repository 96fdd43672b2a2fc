"""dashboards.deltas: a delta carries what changed, and applied to the old picture gives the new."""

from __future__ import annotations

import pytest

from dashboards.deltas import apply_delta, delta, is_empty
from dashboards.wallboard import WallboardState
from routing.events import AgentStateChanged, ContactAnswered, ContactArrived


def _picture(board: WallboardState, now: float, version: int) -> dict:  # type: ignore[type-arg]
    return {**board.snapshot(now), "version": version}


def test_apply_delta_rebuilds_the_new_picture_and_carries_only_changes() -> None:
    board = WallboardState()
    board.apply(1, ContactArrived(0, "c1", "deposits", "core"))
    board.apply(2, ContactArrived(0, "c2", "cards", "core"))
    board.apply(3, AgentStateChanged(0, "a1", "ready"))
    board.set_roster(["a1", "a2"], 0)
    old = _picture(board, 5, 1)
    board.apply(4, ContactAnswered(6, "c1", "a1", "deposits"))
    board.apply(5, AgentStateChanged(6, "a1", "talking", "ready"))
    board.set_roster(["a1"], 6)
    new = _picture(board, 7, 2)
    change = delta(old, new)
    assert apply_delta(old, change) == new
    assert [q["queue"] for q in change["queues"]] == ["cards", "deposits"]  # both waits grew
    assert [a["agent_id"] for a in change["agents"]] == ["a1"]
    assert change["agents_removed"] == ["a2"]
    assert "totals" in change["set"] and "demo" not in change["set"]
    assert (change["seq"], change["base_seq"], change["version"]) == (5, 3, 2)
    assert not is_empty(change)
    assert is_empty(delta(new, {**new, "version": 3, "at": 8}))


def test_a_delta_is_refused_on_another_picture() -> None:
    board = WallboardState()
    a, b = _picture(board, 1, 1), _picture(board, 2, 2)
    with pytest.raises(ValueError, match="version 2"):
        apply_delta(b, delta(a, b))
