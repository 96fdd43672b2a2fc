"""Server-rendered pages (jinja2). :func:`render` gives every template the same context.

Context of every page: ``request``, ``user`` (or None), ``locale``, ``csrf_token`` (put it in
every form as ``<input type="hidden" name="csrf_token" value="{{ csrf_token }}">``), ``nav``
(the links the user's role may follow) and ``LOCALE_NAMES``. Templates extend ``base.html``
(blocks: ``title``, ``head``, ``content``, ``scripts``) and translate with ``_()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app.auth.cookies import set_csrf_cookie
from app.auth.csrf import csrf_token_for
from app.i18n import choose_locale
from app.models import Role, User

#: Where each role lands after login ("/" redirects there).
HOME: dict[str, str] = {
    Role.agent: "/agent",
    Role.supervisor: "/wallboard",
    Role.planner: "/planner",
    Role.qa: "/qa",
    Role.admin: "/wallboard",
    Role.auditor: "/audit",
}

#: The pages and the roles that may open them (admin opens all). Labels are msgids.
PAGES: tuple[tuple[str, str, str], ...] = (
    ("/agent", "Agent console", Role.agent),
    ("/wallboard", "Wallboard", Role.supervisor),
    ("/planner", "Planner", Role.planner),
    ("/planner/roster", "Roster", Role.planner),
    ("/planner/intraday", "Intraday", Role.planner),
    ("/planner/whatif", "Schedule simulation", Role.planner),
    ("/wallboard/adherence", "Adherence", Role.supervisor),
    ("/qa", "Quality", Role.qa),
    ("/admin", "Administration", Role.admin),
    ("/audit", "Audit", Role.auditor),
    ("/qa/evaluations", "Evaluations", Role.qa),
    ("/qa/coaching", "Coaching", Role.supervisor),
    ("/qa/scorecards", "Scorecards", Role.supervisor),
    ("/qa/my-evaluations", "My evaluations", Role.agent),
    ("/kb", "Knowledge base", Role.supervisor),
    ("/standards", "Service standards", Role.planner),
    ("/standards/report", "Standards report", Role.supervisor),
    ("/campaigns", "Campaigns", Role.supervisor),
)
#: pages admins do not open (separation of duties: the audit trails are for auditors)
NOT_FOR_ADMIN: frozenset[str] = frozenset({"/audit"})


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str
    active: bool


def nav_for(user: User | None, path: str) -> list[NavItem]:
    if user is None:
        return []
    shown = [
        (href, label)
        for href, label, role in PAGES
        if user.role == role or (user.role == Role.admin and href not in NOT_FOR_ADMIN)
    ]
    # the longest matching link is the current page (/planner/roster, not also /planner)
    current = max((h for h, _ in shown if path.startswith(h)), key=len, default=None)
    return [NavItem(href, label, href == current) for href, label in shown]


def home_for(user: User) -> str:
    return HOME.get(user.role, "/login")


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return default


def render(
    request: Request,
    template: str,
    user: User | None,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """Render ``template`` with the common context and keep the CSRF cookie in step."""
    settings = request.app.state.settings
    token = csrf_token_for(request)
    full = {
        "user": user,
        "locale": choose_locale(request, user, settings.default_locale),
        "csrf_token": token,
        "nav": nav_for(user, request.url.path),
        **(context or {}),
    }
    response: Response = request.app.state.templates.TemplateResponse(
        request, template, full, status_code=status_code, headers=headers
    )
    if request.cookies.get("contactops_csrf") != token:
        set_csrf_cookie(request, response, token)
    return response
