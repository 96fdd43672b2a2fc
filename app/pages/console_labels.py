"""Every word and code the agent console's scripts show, from the Babel catalogs.

``/agent`` hands them to the page as JSON (``#console-labels``): ``/static/agent.js`` (the
screen pop's tier, lifecycle stage, segment, product and channel codes),
``/static/agent_day.js`` (the agent's day) and ``/static/agent_profile.js`` (the profile
refresh) read them, with the seeded queues' names, so the Korean console shows no code or English word; and the time zone
every time is shown in (the center's, :data:`app.queries.CENTER_TZ`, whatever the
browser's).

Codes are looked up as ``group:code`` msgids (``stage:mature``, ``life_event:marriage``),
so that a code never takes another text's translation.
"""

from __future__ import annotations

from typing import Any

from app.customer_profile import CONFIRMED, PHONE_KINDS, PROFILE_FIELDS
from app.i18n import get_translations
from app.models import LIFE_EVENT_KINDS, Channel, LifecycleStage, ProductKind, ValueTier
from app.pages.softphone_labels import SOFTPHONE_UI  # the WebRTC softphone (agent_softphone.js)
from app.queries import CENTER_TZ
from app.seed.agents import QUEUES as SEEDED_QUEUES
from routing.events import DIAL_RESULTS
from telesales.campaigns import RULE_KINDS
from telesales.contact_rules import RULE_CODES
from telesales.offers import OFFER_CODES

#: customer segments the bank's data uses (``Customer.segment``; app/seed/customers.py)
SEGMENTS: tuple[str, ...] = ("high_net_worth", "affluent", "mass_affluent", "mass", "youth",
                             "senior", "sme_owner")
#: code groups: group -> codes
CODE_GROUPS: dict[str, tuple[str, ...]] = {
    "tier": tuple(ValueTier),
    "stage": tuple(LifecycleStage),
    "segment": SEGMENTS,
    "product": tuple(ProductKind),
    "channel": tuple(Channel),
    "life_event": LIFE_EVENT_KINDS,
    "phone": PHONE_KINDS,
    "field": (*PROFILE_FIELDS, CONFIRMED),
    "activity": ("work", "break", "lunch", "meeting", "training", "coaching"),
    # the agenda (agent_agenda.js): contact rules, dial results, offers
    "rule": RULE_CODES,
    "dial": DIAL_RESULTS,
    "offer": OFFER_CODES,
    # why a customer is on a campaign's list (the agenda's campaign entries)
    "reason": RULE_KINDS,
}
#: groups the screen pop's code labels come from (one code, one text: no code is in two),
#: with the seeded queues' names
POP_GROUPS = ("tier", "stage", "segment", "product", "channel")
#: the scripts' labels: key -> English msgid
UI: dict[str, str] = {
    # the agent's day (agent_day.js)
    "myDay": "My day", "nextBreak": "Next break", "noShift": "No published shift today.",
    "shift": "Shift", "now": "Now", "handled": "Handled", "aht": "AHT",
    "talk": "Talk time", "sales": "Sales", "feedback": "QA feedback to acknowledge",
    "noFeedback": "No QA feedback waiting.", "open": "Read and acknowledge",
    "score": "score %(score)s", "noBreak": "No break left today.",
    "dayError": "My day could not be loaded",
    # the profile refresh (agent_profile.js)
    "profile": "Profile", "editProfile": "Edit profile", "close": "Close",
    "lastRefreshed": "last refreshed %(ago)s by %(who)s", "neverRefreshed": "never refreshed",
    "refreshDue": "refresh due", "confirm": "Nothing changed",
    "phones": "Phones", "addPhone": "Add phone", "number": "Number", "kind": "Kind",
    "save": "Save", "remove": "Remove", "consent": "Marketing consent",
    "doNotCall": "Do not call", "homeBranch": "Home branch", "lifeEvents": "Life events",
    "addLifeEvent": "Add life event", "date": "Date", "note": "Note",
    "changeLog": "Change log", "when": "When", "field": "Field", "oldValue": "Old value",
    "newValue": "New value", "by": "By", "contact": "Contact", "none": "None",
    "readOnly": "Only the customer of your current call can be edited.",
    "today": "today", "daysAgo": "%(days)s days ago", "monthsAgo": "%(months)s months ago",
    "saved": "Saved",
    # the outbound agenda and preview dialing (agent_agenda.js)
    "agenda": "Agenda", "agendaCount": "%(count)s due", "agendaNone": "No calls due today.",
    "agendaError": "The agenda could not be loaded", "managed": "my customer",
    "pool": "from the pool",
    "dueOn": "due %(date)s", "lastContact": "last contact %(date)s",
    "neverContacted": "no contact yet", "canDial": "can dial now",
    "refusedBy": "refused by %(rules)s", "until": "until %(when)s", "preview": "Preview",
    "dial": "Dial", "offer": "Offer", "products": "Products",
    "recentContacts": "Recent contacts", "attempts": "attempts so far %(count)s",
    "ringing": "Calling %(name)s…", "dialResult": "Dial result %(result)s",
    "recordResult": "Record result", "nextTry": "next try %(when)s",
    "noMoreTries": "no further dial allowed", "dialRefused": "Dial refused by %(rules)s",
    "connectedCall": "Connected, the call is yours",
}
UI.update(SOFTPHONE_UI)  # the WebRTC softphone's words (app/pages/softphone_labels.py)


def code_msgid(group: str, code: str) -> str:
    return f"{group}:{code}"


def console_msgids() -> set[str]:
    """Every msgid :func:`console_labels` looks up."""
    return {*UI.values()} | {code_msgid(g, c) for g, codes in CODE_GROUPS.items() for c in codes}


def console_labels(locale: str) -> dict[str, Any]:
    """Every text of the console's scripts in ``locale`` (module docstring)."""
    t = get_translations(locale)
    groups = {g: {c: t.gettext(code_msgid(g, c)) for c in codes}
              for g, codes in CODE_GROUPS.items()}
    queues = {q: t.gettext(q) for q in SEEDED_QUEUES}  # the wallboard's msgids
    return {
        "ui": {key: t.gettext(msgid) for key, msgid in UI.items()},
        **groups,
        "queues": queues,
        "codes": {**queues, **{c: text for g in POP_GROUPS for c, text in groups[g].items()}},
        "time_zone": CENTER_TZ.key,
        "locale": locale,
    }
