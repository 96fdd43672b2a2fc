"""Campaigns and the rules that pick their customers, as data validated at the edge.

A campaign (telesales, collections or service) has a ``priority``, a dial mode, the country
whose contact rules it dials under (:func:`telesales.contact_rules.rules_for`) and its
**targeting rules**, a JSON object::

    {"targets": [{"rule": "deposit_maturing", "within_days": 30}],
     "filters": [{"rule": "min_propensity", "offer": "time_deposit_renewal", "min": 0.2}],
     "cool_down_days": 14, "max_entries": 50000}

A customer is on the campaign's list when **any** target rule picks them and **every**
filter rule does too; the entry's reason is the target rule with the highest weighted score
(:mod:`telesales.campaign_lists` has the scores). The rules, one kind each:

``deposit_maturing`` (``within_days``)
    a deposit maturing from the list's day to ``within_days`` days later.
``birthday`` (``within_days``)
    a birthday from the list's day to ``within_days`` days later; a 29 February birthday
    falls on 28 February in a year without one.
``life_event`` (``days_before``, ``days_after``, optional ``kinds``)
    a life event (:data:`LIFE_EVENT_KINDS`) from ``days_before`` days before the day to
    ``days_after`` days after it.
``lifecycle_stage`` (``stages``)
    the customer's lifecycle stage is one of ``stages``.
``tier_upgrade`` (``within_percent``)
    deposits and funds together within ``within_percent`` % below the balance of the next
    tier (:data:`TIER_BALANCE_THRESHOLDS_KRW`).
``min_propensity`` (``offer``, ``min``)
    the propensity model's P(accept ``offer``) is at least ``min``.
``delinquent_loan`` (``min_days_past_due``), collections only
    a loan at least ``min_days_past_due`` days past due.

Every rule takes an optional ``weight`` (default 1) that multiplies its score. Always
excluded, whatever the rules: customers flagged do-not-call; for telesales, customers without
marketing consent; customers with an outbound contact in the last ``cool_down_days`` days.

:func:`campaign_from_dict` validates a campaign and raises :class:`CampaignError` naming the
field (``rules.targets[0].within_days``). This module imports only the standard library and
the other telesales modules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from telesales.contact_rules import CAMPAIGN_TYPES, CampaignType, ContactRulesError, rules_for
from telesales.propensity import PRIOR_ACCEPT_RATES

RuleKind = Literal["deposit_maturing", "birthday", "life_event", "lifecycle_stage",
                   "tier_upgrade", "min_propensity", "delinquent_loan"]
RULE_KINDS: tuple[RuleKind, ...] = ("deposit_maturing", "birthday", "life_event",
                                    "lifecycle_stage", "tier_upgrade", "min_propensity",
                                    "delinquent_loan")
DialMode = Literal["preview", "progressive", "predictive"]
DIAL_MODES: tuple[DialMode, ...] = ("preview", "progressive", "predictive")
#: the modes the center dials by itself: their list entries are the dialler's, not on any
#: agent's agenda (preview dials are the agent's own, from the agenda)
AUTO_DIAL_MODES: tuple[DialMode, ...] = ("progressive", "predictive")
LIFECYCLE_STAGES: tuple[str, ...] = ("new", "growth", "mature", "churn_risk")
#: the kinds of life event a customer's profile records (``app.models.LIFE_EVENT_KINDS``)
LIFE_EVENT_KINDS: tuple[str, ...] = (
    "marriage", "child_birth", "child_school", "child_wedding", "home_purchase",
    "move", "retirement", "business_start", "bereavement")
#: Total deposits and funds (KRW) at which a customer qualifies for each tier: the bank's
#: published entry levels of its relationship tiers (silver 10 M, gold 50 M, platinum
#: 300 M, private banker 1 bn KRW). ``tier_upgrade`` compares with the next tier's.
TIER_BALANCE_THRESHOLDS_KRW: dict[str, int] = {
    "silver": 10_000_000, "gold": 50_000_000, "platinum": 300_000_000,
    "private_banker": 1_000_000_000}
#: the tier above each tier (the best has none)
NEXT_TIER: dict[str, str] = {"inactive": "silver", "core": "silver", "silver": "gold",
                             "gold": "platinum", "platinum": "private_banker"}
#: bounds on the numbers of a rule (a window of a year at most: lists are of days, not years)
MAX_WINDOW_DAYS = 366
MAX_ENTRIES = 5_000_000
MAX_RULES = 20
MAX_WEIGHT = 10.0
MAX_PRIORITY = 1000
#: the default cool-down: no list entry for a customer called out in the last 14 days
DEFAULT_COOL_DOWN_DAYS = 14


class CampaignError(ValueError):
    """A campaign or rule that cannot be used; ``field`` names it (``rules.targets[1].min``)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True, slots=True)
class Rule:
    """One targeting rule: its ``kind`` and parameters (only those of its kind are used)."""

    kind: RuleKind
    weight: float = 1.0
    within_days: int = 0
    days_before: int = 0
    days_after: int = 0
    kinds: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    within_percent: float = 0.0
    offer: str = ""
    min_probability: float = 0.0
    min_days_past_due: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The JSON object :func:`rule_from_dict` reads back."""
        out: dict[str, Any] = {"rule": self.kind}
        for key in _PARAMETERS[self.kind]:
            attribute = "min_probability" if key == "min" else key
            value = getattr(self, attribute)
            out[key] = list(value) if isinstance(value, tuple) else value
        if self.weight != 1.0:
            out["weight"] = self.weight
        return out


@dataclass(frozen=True, slots=True)
class CampaignRules:
    targets: tuple[Rule, ...]
    filters: tuple[Rule, ...] = ()
    cool_down_days: int = DEFAULT_COOL_DOWN_DAYS
    max_entries: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"targets": [r.to_dict() for r in self.targets],
                               "filters": [r.to_dict() for r in self.filters],
                               "cool_down_days": self.cool_down_days}
        if self.max_entries is not None:
            out["max_entries"] = self.max_entries
        return out


@dataclass(frozen=True, slots=True)
class CampaignSpec:
    """A validated campaign."""

    name: str
    campaign_type: CampaignType
    country: str
    rules: CampaignRules
    priority: int = 100
    dial_mode: DialMode = "preview"
    active: bool = True


_PARAMETERS: dict[str, tuple[str, ...]] = {
    "deposit_maturing": ("within_days",),
    "birthday": ("within_days",),
    "life_event": ("days_before", "days_after", "kinds"),
    "lifecycle_stage": ("stages",),
    "tier_upgrade": ("within_percent",),
    "min_propensity": ("offer", "min"),
    "delinquent_loan": ("min_days_past_due",),
}


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _integer(data: Mapping[str, Any], key: str, where: str, low: int, high: int,
             default: int | None = None) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise CampaignError(_at(where, key), "expected a whole number")
    if not low <= value <= high:
        raise CampaignError(_at(where, key), f"must be between {low} and {high}, got {value}")
    return value


def _real(data: Mapping[str, Any], key: str, where: str, low: float, high: float,
          default: float | None = None) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CampaignError(_at(where, key), "expected a number")
    if not low <= value <= high:  # also refuses NaN
        raise CampaignError(_at(where, key), f"must be between {low:g} and {high:g}, "
                            f"got {value:g}")
    return float(value)


def _choices(data: Mapping[str, Any], key: str, where: str, allowed: Sequence[str],
             required: bool) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CampaignError(_at(where, key), "expected a list of names")
    if required and not value:
        raise CampaignError(_at(where, key), "expected at least one")
    for item in value:
        if item not in allowed:
            raise CampaignError(_at(where, key),
                                f"{item!r} is not one of {', '.join(allowed)}")
    return tuple(dict.fromkeys(value))


def rule_from_dict(data: object, where: str, campaign_type: CampaignType) -> Rule:
    """One rule from its JSON object; :class:`CampaignError` names ``where`` and the key."""
    if not isinstance(data, Mapping):
        raise CampaignError(where, "expected an object")
    kind = data.get("rule")
    if kind not in RULE_KINDS:
        raise CampaignError(f"{where}.rule", f"expected one of {', '.join(RULE_KINDS)}")
    unknown = sorted(set(data) - {"rule", "weight", *_PARAMETERS[kind]})
    if unknown:
        raise CampaignError(f"{where}.{unknown[0]}", f"not a parameter of {kind}")
    weight = _real(data, "weight", where, 0.01, MAX_WEIGHT, 1.0)
    if kind in ("deposit_maturing", "birthday"):
        return Rule(kind, weight, within_days=_integer(data, "within_days", where, 0,
                                                       MAX_WINDOW_DAYS))
    if kind == "life_event":
        return Rule(kind, weight,
                    days_before=_integer(data, "days_before", where, 0, MAX_WINDOW_DAYS, 0),
                    days_after=_integer(data, "days_after", where, 0, MAX_WINDOW_DAYS, 0),
                    kinds=_choices(data, "kinds", where, LIFE_EVENT_KINDS, False))
    if kind == "lifecycle_stage":
        return Rule(kind, weight, stages=_choices(data, "stages", where, LIFECYCLE_STAGES, True))
    if kind == "tier_upgrade":
        return Rule(kind, weight, within_percent=_real(data, "within_percent", where, 0.1, 90))
    if kind == "min_propensity":
        offer = data.get("offer")
        if offer not in PRIOR_ACCEPT_RATES:
            raise CampaignError(f"{where}.offer",
                                f"expected one of {', '.join(PRIOR_ACCEPT_RATES)}")
        return Rule(kind, weight, offer=offer,
                    min_probability=_real(data, "min", where, 0.0001, 0.9999))
    if campaign_type != "collections":
        raise CampaignError(f"{where}.rule", "delinquent_loan is for collections campaigns")
    return Rule(kind, weight, min_days_past_due=_integer(data, "min_days_past_due", where, 1,
                                                         3650))


def _rule_list(data: Mapping[str, Any], key: str, campaign_type: CampaignType,
               required: bool) -> tuple[Rule, ...]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise CampaignError(f"rules.{key}", "expected a list of rules")
    if required and not value:
        raise CampaignError(f"rules.{key}", "expected at least one rule")
    if len(value) > MAX_RULES:
        raise CampaignError(f"rules.{key}", f"at most {MAX_RULES} rules")
    return tuple(rule_from_dict(item, f"rules.{key}[{i}]", campaign_type)
                 for i, item in enumerate(value))


def rules_from_dict(data: object, campaign_type: CampaignType) -> CampaignRules:
    """A campaign's targeting rules from their JSON object (see the module docstring)."""
    if not isinstance(data, Mapping):
        raise CampaignError("rules", "expected an object")
    unknown = sorted(set(data) - {"targets", "filters", "cool_down_days", "max_entries"})
    if unknown:
        raise CampaignError(f"rules.{unknown[0]}", "unknown field")
    targets = _rule_list(data, "targets", campaign_type, True)
    filters = _rule_list(data, "filters", campaign_type, False)
    cool_down = _integer(data, "cool_down_days", "rules", 0, MAX_WINDOW_DAYS,
                         DEFAULT_COOL_DOWN_DAYS)
    max_entries = None
    if data.get("max_entries") is not None:
        max_entries = _integer(data, "max_entries", "rules", 1, MAX_ENTRIES)
    return CampaignRules(targets, filters, cool_down, max_entries)


def campaign_from_dict(data: object) -> CampaignSpec:
    """A campaign from its JSON object: ``name``, ``type``, ``country``, ``rules`` and the
    optional ``priority`` (0-1000, default 100), ``dial_mode`` and ``active``."""
    if not isinstance(data, Mapping):
        raise CampaignError("campaign", "expected an object")
    name = data.get("name")
    if not isinstance(name, str) or not 0 < len(name.strip()) <= 80:
        raise CampaignError("name", "expected a name of 1 to 80 characters")
    kind = data.get("type")
    if kind not in CAMPAIGN_TYPES:
        raise CampaignError("type", f"expected one of {', '.join(CAMPAIGN_TYPES)}")
    country = data.get("country", "KR")
    if not isinstance(country, str):
        raise CampaignError("country", "expected a two-letter country code")
    try:
        rules_for(country, kind)
    except ContactRulesError as exc:
        raise CampaignError("country", exc.message) from None
    dial_mode = data.get("dial_mode", "preview")
    if dial_mode not in DIAL_MODES:
        raise CampaignError("dial_mode", f"expected one of {', '.join(DIAL_MODES)}")
    active = data.get("active", True)
    if not isinstance(active, bool):
        raise CampaignError("active", "expected true or false")
    return CampaignSpec(name.strip(), kind, country.upper(),
                        rules_from_dict(data.get("rules"), kind),
                        _integer(data, "priority", "", 0, MAX_PRIORITY, 100), dial_mode, active)
