"""The agent state machine: the transition table and errors naming both states."""

from __future__ import annotations

import itertools

import pytest

from routing.agent_state import ALLOWED, LOGGED_IN, AgentState, check_agent_transition
from routing.errors import IllegalTransition, RoutingError


def test_table_covers_every_state() -> None:
    assert set(ALLOWED) == set(AgentState)
    for targets in ALLOWED.values():
        assert targets <= set(AgentState)


def test_values_are_the_event_strings() -> None:
    assert [s.value for s in AgentState] == [
        "logged_out", "not_ready", "ready", "reserved", "talking", "hold", "wrap_up",
    ]


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("logged_out", "not_ready"),
        ("not_ready", "ready"),
        ("not_ready", "not_ready"),
        ("ready", "reserved"),
        ("reserved", "talking"),
        ("reserved", "not_ready"),
        ("reserved", "wrap_up"),  # a callback's dial did not reach the customer
        ("talking", "hold"),
        ("hold", "talking"),
        ("talking", "wrap_up"),
        ("wrap_up", "ready"),
        ("ready", "logged_out"),
    ],
)
def test_allowed_moves_pass(current: str, target: str) -> None:
    check_agent_transition("a1", AgentState(current), AgentState(target))


def test_every_forbidden_move_names_both_states() -> None:
    forbidden = [
        (a, b) for a, b in itertools.product(AgentState, AgentState) if b not in ALLOWED[a]
    ]
    assert (AgentState.READY, AgentState.TALKING) in forbidden
    assert (AgentState.TALKING, AgentState.LOGGED_OUT) in forbidden
    for current, target in forbidden:
        with pytest.raises(IllegalTransition) as info:
            check_agent_transition("a7", current, target)
        message = str(info.value)
        assert f"from {current.value} to {target.value}" in message
        assert "agent a7" in message
        assert isinstance(info.value, ValueError) and isinstance(info.value, RoutingError)
        assert (info.value.current, info.value.target) == (current.value, target.value)


def test_no_way_out_of_a_call_but_wrap_up() -> None:
    assert AgentState.LOGGED_OUT not in ALLOWED[AgentState.TALKING]
    assert AgentState.LOGGED_OUT not in ALLOWED[AgentState.HOLD]
    # ready: a colleague whose consult call ends without a transfer (routing.consult)
    assert ALLOWED[AgentState.TALKING] == {AgentState.HOLD, AgentState.WRAP_UP, AgentState.READY}


def test_logged_in_is_everything_but_logged_out() -> None:
    assert AgentState.LOGGED_OUT not in LOGGED_IN
    assert len(LOGGED_IN) == len(AgentState) - 1
