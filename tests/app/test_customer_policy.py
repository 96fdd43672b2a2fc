"""The need-to-know rules as a pure function: one test per rule."""

from __future__ import annotations

import pytest

from app.customer_policy import (
    NONE,
    STATED_REASONS,
    Relationship,
    StatedReason,
    decide,
    decide_profile_change,
    fields_shown,
)

REASON = StatedReason("customer_request", "asked at the Gangnam branch to check a transfer")


@pytest.mark.parametrize("tie", ["current_contact", "recent_contact", "managed_book",
                                 "outbound_agenda"])
def test_agent_reads_full_record_of_a_related_customer(tie: str) -> None:
    decision = decide("agent", "read", Relationship(**{tie: True}))
    assert decision.allowed and decision.view == "full" and decision.basis == tie


def test_agent_reads_unrelated_customer_only_with_a_stated_reason_and_masked() -> None:
    assert not decide("agent", "read", NONE).allowed
    assert not decide("agent", "read", NONE, StatedReason("customer_request", "hi")).allowed
    assert not decide("agent", "read", NONE, StatedReason("curiosity", "just looking")).allowed
    assert not decide("agent", "read", NONE, StatedReason("current_contact", "trust me")).allowed
    decision = decide("agent", "read", NONE, REASON)
    assert decision.allowed and decision.view == "masked" and decision.basis == "customer_request"
    assert "balances" not in fields_shown("masked") and "phones" not in fields_shown("masked")


def test_agent_never_lists_and_searches_by_phone_only_with_a_reason() -> None:
    assert not decide("agent", "list", Relationship(managed_book=True), REASON).allowed
    assert not decide("agent", "lookup", NONE).allowed
    assert decide("agent", "lookup", NONE, REASON).view == "masked"


def test_agent_writes_notes_only_within_a_contact_they_handled() -> None:
    assert decide("agent", "write", Relationship(current_contact=True)).allowed
    assert decide("agent", "write", Relationship(recent_contact=True)).allowed
    assert not decide("agent", "write", Relationship(managed_book=True)).allowed
    assert not decide("agent", "write", NONE, REASON).allowed


def test_supervisor_lists_and_reads_and_writes_with_a_reason_or_contact() -> None:
    assert decide("supervisor", "list").allowed
    assert decide("supervisor", "read").view == "full"
    assert not decide("supervisor", "write").allowed
    assert decide("supervisor", "write", NONE, StatedReason("complaint", "escalated call")).allowed


def test_qa_and_admin_read_masked_and_write_nothing() -> None:
    assert decide("qa", "read").view == "masked"
    assert not decide("qa", "list").allowed and not decide("qa", "write").allowed
    assert decide("admin", "list").view == "masked"
    assert not decide("admin", "write").allowed


@pytest.mark.parametrize("role", ["planner", "auditor", "nobody"])
@pytest.mark.parametrize("action", ["read", "list", "lookup", "write"])
def test_other_roles_see_no_customer_data(role: str, action: str) -> None:
    assert not decide(role, action, Relationship(current_contact=True), REASON).allowed  # type: ignore[arg-type]


def test_reasons_are_documented_codes() -> None:
    assert "current_contact" not in STATED_REASONS  # a relationship is found, never stated


def test_profile_changes_only_on_the_call_for_agents() -> None:
    on_call = Relationship(current_contact=True)
    assert decide_profile_change("agent", on_call).allowed
    for tie in ("recent_contact", "managed_book", "outbound_agenda"):
        assert not decide_profile_change("agent", Relationship(**{tie: True})).allowed
    reason = StatedReason("customer_request", "asked at the branch")
    assert not decide_profile_change("agent", NONE, reason).allowed
    assert decide_profile_change("supervisor", NONE, reason).basis == "customer_request"
    assert not decide_profile_change("supervisor", NONE, StatedReason("customer_request")).allowed
    assert decide_profile_change("supervisor", on_call).basis == "current_contact"
    for role in ("qa", "admin", "planner", "auditor"):
        assert not decide_profile_change(role, on_call, reason).allowed
