"""``/campaigns``: a campaign manager's page (supervisors; admins too). Lists the campaigns,
creates and edits one (the rules as JSON, validated by :mod:`telesales.campaigns`, the field
at fault shown), shows the day's list counts by campaign and reason and by agent, the
unassigned pool's claims by agent (and what is unclaimed), each campaign's outbound results today and over the last 30 days (dials, connects, right-party
contacts, contacts per hour, conversion or promises to pay: :mod:`app.campaign_results`), the
propensity model's lift by decile, and rebuilds today's lists now. The progressive and
predictive campaigns, which the live center dials by itself
(:mod:`app.live.campaign_dialer`), show their pacing figures of the day (dials, connects,
abandon rate against the cap) and are started and stopped here (their ``active`` flag).
Every write is admin-audited (:func:`app.admin_audit.record_change`)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select

from app.admin_audit import record_change
from app.auth import require_role
from app.campaign_dialing import pacing_figures
from app.campaign_lists import CENTER_ZONE, build_lists, fit_model
from app.campaign_results import RESULT_DAYS, campaign_results
from app.campaigns import campaign_data, list_counts, save_campaign, set_dialing
from app.deps import SessionDep
from app.models import Campaign, User
from app.pages import render
from app.pool_claims import ClaimPolicy, policy_of, pool_counts
from telesales.campaigns import AUTO_DIAL_MODES, DIAL_MODES, RULE_KINDS, CampaignError
from telesales.contact_rules import CAMPAIGN_TYPES
from telesales.pacing import PacingConfig

router = APIRouter(tags=["pages"], include_in_schema=False)

Manager = Annotated[User, Depends(require_role("supervisor"))]
Text = Annotated[str, Form(max_length=200)]
RulesText = Annotated[str, Form(max_length=20_000)]

#: what each reason code is called on the page (msgids; both languages in messages.po)
REASON_LABELS: dict[str, str] = {
    "deposit_maturing": "Deposit maturing",
    "birthday": "Birthday",
    "life_event": "Life event",
    "lifecycle_stage": "Lifecycle stage",
    "tier_upgrade": "Tier upgrade candidate",
    "min_propensity": "Cross-sell propensity",
    "delinquent_loan": "Delinquent loan",
}
EXAMPLE_RULES = {"targets": [{"rule": "deposit_maturing", "within_days": 30}],
                 "filters": [], "cool_down_days": 14}


def _today(now: datetime) -> date:
    return now.astimezone(CENTER_ZONE).date()


def _context(session: Session, day: date, now: datetime, policy: ClaimPolicy,
             form: dict[str, Any] | None,
             error: CampaignError | None, edit_id: int | None, done: str) -> dict[str, Any]:
    model, lift = fit_model(session, now)
    campaigns = list(session.exec(select(Campaign).order_by(col(Campaign.priority).desc(),
                                                            col(Campaign.id))).all())
    if form is None and edit_id is not None:
        row = session.get(Campaign, edit_id)
        if row is not None:
            form = {**campaign_data(row), "rules": json.dumps(row.rules, indent=2,
                                                              ensure_ascii=False)}
    return {
        "day": day, "campaigns": campaigns, "counts": list_counts(session, day),
        "pool": pool_counts(session, day, now, policy), "claim_policy": policy,
        "lift": lift, "model_source": model.source, "model_outcomes": model.outcomes,
        "form": form or {"name": "", "type": "telesales", "country": "KR", "priority": 100,
                         "dial_mode": "preview", "active": True,
                         "rules": json.dumps(EXAMPLE_RULES, indent=2)},
        "edit_id": edit_id, "error": error, "done": done,
        "types": CAMPAIGN_TYPES, "dial_modes": DIAL_MODES, "rule_kinds": RULE_KINDS,
        "reason_labels": REASON_LABELS,
        "results": campaign_results(session, now, CENTER_ZONE), "result_days": RESULT_DAYS,
        "pacing": [(c, pacing_figures(session, c, day)) for c in campaigns
                   if c.dial_mode in AUTO_DIAL_MODES],
        "abandon_cap": PacingConfig().abandon_cap,
    }


@router.get("/campaigns")
def campaigns_page(request: Request, session: SessionDep, user: Manager,
                   edit: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
                   done: Annotated[str, Query(max_length=40)] = "") -> Response:
    now = datetime.now(UTC)
    return render(request, "campaigns.html", user,
                  _context(session, _today(now), now, policy_of(request.app.state.settings),
                           None, None, edit, done))


def _submitted(name: str, kind: str, country: str, priority: str, dial_mode: str,
               active: str, rules: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The form as shown back, and the campaign's JSON object (CampaignError for bad JSON
    or a priority that is not a number)."""
    form = {"name": name, "type": kind, "country": country, "priority": priority,
            "dial_mode": dial_mode, "active": bool(active), "rules": rules}
    try:
        parsed = json.loads(rules)
    except json.JSONDecodeError as exc:
        raise CampaignError("rules", f"not JSON ({exc.msg}, line {exc.lineno})") from None
    try:
        number = int(priority)
    except ValueError:
        raise CampaignError("priority", "expected a whole number") from None
    return form, {"name": name, "type": kind, "country": country, "priority": number,
                  "dial_mode": dial_mode, "active": bool(active), "rules": parsed}


def _save(request: Request, session: Session, user: User, campaign_id: int | None,
          fields: tuple[str, str, str, str, str, str, str]) -> Response:
    now = datetime.now(UTC)
    form: dict[str, Any] | None = None
    try:
        form, data = _submitted(*fields)
        save_campaign(session, user, data, now, campaign_id)
    except CampaignError as error:
        session.rollback()
        return render(request, "campaigns.html", user,
                      _context(session, _today(now), now, policy_of(request.app.state.settings),
                           form, error, campaign_id, ""), 422)
    except LookupError:
        session.rollback()
        missing = CampaignError("campaign", f"no campaign {campaign_id}")
        return render(request, "campaigns.html", user,
                      _context(session, _today(now), now, policy_of(request.app.state.settings),
                           None, missing, None, ""), 404)
    return RedirectResponse("/campaigns?done=saved", status_code=303)


@router.post("/campaigns")
def create_campaign(request: Request, session: SessionDep, user: Manager, name: Text = "",
                    type: Text = "", country: Text = "KR", priority: Text = "100",
                    dial_mode: Text = "preview", active: Text = "",
                    rules: RulesText = "") -> Response:
    return _save(request, session, user, None,
                 (name, type, country, priority, dial_mode, active, rules))


@router.post("/campaigns/rebuild")
def rebuild_now(request: Request, session: SessionDep, user: Manager) -> Response:
    now = datetime.now(UTC)
    day = _today(now)
    model, _ = fit_model(session, now)
    results = build_lists(request.app.state.engine, day, now, model)
    record_change(session, user, "campaign_lists_rebuilt", f"campaign lists {day}",
                  {r.campaign: r.entries for r in results})
    session.commit()
    return RedirectResponse("/campaigns?done=rebuilt", status_code=303)


@router.post("/campaigns/{campaign_id}")
def edit_campaign(request: Request, session: SessionDep, user: Manager,
                  campaign_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
                  name: Text = "", type: Text = "", country: Text = "KR",
                  priority: Text = "100", dial_mode: Text = "preview", active: Text = "",
                  rules: RulesText = "") -> Response:
    return _save(request, session, user, campaign_id,
                 (name, type, country, priority, dial_mode, active, rules))


@router.post("/campaigns/{campaign_id}/dialing")
def start_stop_dialing(request: Request, session: SessionDep, user: Manager,
                       campaign_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
                       action: Annotated[Literal["start", "stop"], Form()]) -> Response:
    """Start or stop a campaign's dialling (:func:`app.campaigns.set_dialing`)."""
    now = datetime.now(UTC)
    row = set_dialing(session, user, campaign_id, action == "start", now)
    if row is None:
        missing = CampaignError("campaign", f"no campaign {campaign_id}")
        return render(request, "campaigns.html", user,
                      _context(session, _today(now), now, policy_of(request.app.state.settings),
                               None, missing, None, ""), 404)
    return RedirectResponse(f"/campaigns?done={'started' if row.active else 'stopped'}",
                            status_code=303)
