"""The contact state machine: the transition table and errors naming both states."""

from __future__ import annotations

import itertools

import pytest

from routing.contact_state import ALLOWED, ContactState, check_contact_transition
from routing.errors import IllegalTransition


def test_table_covers_every_state_and_final_states_are_final() -> None:
    assert set(ALLOWED) == set(ContactState)
    assert ALLOWED[ContactState.ENDED] == frozenset()
    assert ALLOWED[ContactState.ABANDONED] == frozenset()


def test_values_are_the_documented_names() -> None:
    assert [s.value for s in ContactState] == [
        "queued", "offered", "connected", "held", "transferred", "abandoned", "ended",
    ]


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("queued", "offered"),
        ("queued", "abandoned"),
        ("offered", "queued"),
        ("offered", "connected"),
        ("offered", "abandoned"),
        ("connected", "held"),
        ("held", "connected"),
        ("connected", "transferred"),
        ("transferred", "queued"),
        ("transferred", "offered"),
        ("held", "ended"),
        ("offered", "ended"),  # a callback closed after its last failed dial
        ("connected", "queued"),  # a callback waiting for its retry
        ("held", "queued"),
    ],
)
def test_allowed_moves_pass(current: str, target: str) -> None:
    check_contact_transition("c1", ContactState(current), ContactState(target))


def test_every_forbidden_move_names_both_states() -> None:
    for current, target in itertools.product(ContactState, ContactState):
        if target in ALLOWED[current]:
            continue
        with pytest.raises(IllegalTransition, match=f"contact c9: cannot go from {current.value} "
                                                    f"to {target.value}"):
            check_contact_transition("c9", current, target)


def test_final_state_message_says_so() -> None:
    with pytest.raises(IllegalTransition, match="final state"):
        check_contact_transition("c1", ContactState.ENDED, ContactState.QUEUED)
