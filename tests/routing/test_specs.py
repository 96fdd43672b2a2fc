"""What the outside world tells the engine: checked specs, and the simulator's own."""

from __future__ import annotations

import dataclasses

import pytest

from routing.specs import ContactSpec, checked_contact_spec


def test_checked_contact_spec_is_the_spec_the_constructor_makes() -> None:
    fields = ("c7", "cards", "gold", "cust-1", "rm-0", "busan", "callback")
    made = checked_contact_spec(*fields)  # type: ignore[arg-type]
    assert type(made) is ContactSpec
    assert made == ContactSpec(*fields)  # type: ignore[arg-type]
    assert hash(made) == hash(ContactSpec(*fields))  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.tier = "core"  # type: ignore[misc]


def test_the_constructor_still_checks() -> None:
    with pytest.raises(ValueError, match="tier must be one of"):
        ContactSpec("c1", "q", "diamond")
    with pytest.raises(ValueError, match="contact_id must not be empty"):
        ContactSpec("", "q")
