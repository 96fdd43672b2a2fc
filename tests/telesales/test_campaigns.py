"""Campaign and rule validation: every bad value is refused with the field named."""

from __future__ import annotations

from typing import Any

import pytest

from telesales.campaigns import CampaignError, campaign_from_dict, rules_from_dict

GOOD: dict[str, Any] = {
    "name": "Deposit renewals", "type": "telesales", "country": "kr", "priority": 300,
    "dial_mode": "progressive",
    "rules": {"targets": [{"rule": "deposit_maturing", "within_days": 30},
                          {"rule": "birthday", "within_days": 7, "weight": 0.5},
                          {"rule": "life_event", "days_before": 10, "days_after": 30,
                           "kinds": ["child_wedding"]},
                          {"rule": "tier_upgrade", "within_percent": 10}],
              "filters": [{"rule": "lifecycle_stage", "stages": ["new", "growth"]},
                          {"rule": "min_propensity", "offer": "fund", "min": 0.1}],
              "cool_down_days": 7, "max_entries": 1000},
}


def test_a_good_campaign_round_trips() -> None:
    spec = campaign_from_dict(GOOD)
    assert (spec.name, spec.campaign_type, spec.country, spec.priority, spec.dial_mode) == (
        "Deposit renewals", "telesales", "KR", 300, "progressive")
    assert [r.kind for r in spec.rules.targets] == [
        "deposit_maturing", "birthday", "life_event", "tier_upgrade"]
    assert spec.rules.targets[1].weight == 0.5
    assert spec.rules.filters[1].min_probability == 0.1
    assert rules_from_dict(spec.rules.to_dict(), "telesales") == spec.rules


def with_rules(**changes: Any) -> dict[str, Any]:
    rules = {**GOOD["rules"], **changes}
    return {**GOOD, "rules": rules}


@pytest.mark.parametrize(("data", "field"), [
    ({**GOOD, "name": ""}, "name"),
    ({**GOOD, "name": "x" * 81}, "name"),
    ({**GOOD, "type": "sales"}, "type"),
    ({**GOOD, "country": "XX"}, "country"),
    ({**GOOD, "country": 3}, "country"),
    ({**GOOD, "priority": -1}, "priority"),
    ({**GOOD, "priority": True}, "priority"),
    ({**GOOD, "dial_mode": "auto"}, "dial_mode"),
    ({**GOOD, "active": "yes"}, "active"),
    ({**GOOD, "rules": []}, "rules"),
    (with_rules(targets=[]), "rules.targets"),
    (with_rules(targets={}), "rules.targets"),
    (with_rules(targets=[{"rule": "birthday", "within_days": 1}] * 21), "rules.targets"),
    (with_rules(extra=1), "rules.extra"),
    (with_rules(cool_down_days=-1), "rules.cool_down_days"),
    (with_rules(max_entries=0), "rules.max_entries"),
    (with_rules(targets=[1]), "rules.targets[0]"),
    (with_rules(targets=[{"rule": "magic"}]), "rules.targets[0].rule"),
    (with_rules(targets=[{"rule": "birthday"}]), "rules.targets[0].within_days"),
    (with_rules(targets=[{"rule": "birthday", "within_days": 400}]),
     "rules.targets[0].within_days"),
    (with_rules(targets=[{"rule": "birthday", "within_days": 2.5}]),
     "rules.targets[0].within_days"),
    (with_rules(targets=[{"rule": "birthday", "within_days": 3, "stages": []}]),
     "rules.targets[0].stages"),
    (with_rules(targets=[{"rule": "birthday", "within_days": 3, "weight": 0}]),
     "rules.targets[0].weight"),
    (with_rules(targets=[{"rule": "life_event", "kinds": ["party"]}]),
     "rules.targets[0].kinds"),
    (with_rules(targets=[{"rule": "lifecycle_stage", "stages": []}]),
     "rules.targets[0].stages"),
    (with_rules(targets=[{"rule": "lifecycle_stage", "stages": ["old"]}]),
     "rules.targets[0].stages"),
    (with_rules(targets=[{"rule": "tier_upgrade", "within_percent": 95}]),
     "rules.targets[0].within_percent"),
    (with_rules(filters=[{"rule": "min_propensity", "offer": "yacht", "min": 0.1}]),
     "rules.filters[0].offer"),
    (with_rules(filters=[{"rule": "min_propensity", "offer": "fund", "min": 1.5}]),
     "rules.filters[0].min"),
    (with_rules(filters=[{"rule": "min_propensity", "offer": "fund", "min": float("nan")}]),
     "rules.filters[0].min"),
    (with_rules(targets=[{"rule": "delinquent_loan", "min_days_past_due": 30}]),
     "rules.targets[0].rule"),
])
def test_bad_values_name_their_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(CampaignError) as caught:
        campaign_from_dict(data)
    assert caught.value.field == field
    assert str(caught.value).startswith(field + ": ")


def test_delinquent_loans_are_for_collections() -> None:
    spec = campaign_from_dict({"name": "Arrears", "type": "collections", "rules": {
        "targets": [{"rule": "delinquent_loan", "min_days_past_due": 30}]}})
    assert spec.rules.targets[0].min_days_past_due == 30
    with pytest.raises(CampaignError, match="min_days_past_due"):
        campaign_from_dict({"name": "Arrears", "type": "collections", "rules": {
            "targets": [{"rule": "delinquent_loan", "min_days_past_due": 0}]}})
