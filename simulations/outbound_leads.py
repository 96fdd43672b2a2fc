"""The simulated campaign's customers: a fresh lead whenever the dialler asks (``c1``,
``c2``, ...), each with its dial history, retried when the contact rules next allow, and the
audit that re-checks every placed dial against the rules (:class:`SyntheticLeads`, the
:class:`simulations.dialer.LeadSource` of :mod:`simulations.outbound`); and who answers a
connected dial (:func:`party_reached`, the live demo's robot customers too)."""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from routing.engine import RoutingEngine
from routing.events import DialResultName, Event, Party
from simulations.driver import Action
from simulations.kernel import ARRIVAL, Kernel
from simulations.outbound_figures import DailyTally
from simulations.outbound_scenario import DAY, FIRST_DAY, OutboundScenario
from telesales.contact_rules import (
    ContactRules,
    DialTarget,
    PastDial,
    check_dial,
    next_allowed,
    rules_for,
)

#: Shares of the connects that reach the customer themself and a wrong number; the rest reach
#: a third party (family, a colleague). A bank dials its own customers' registered mobiles,
#: so most answers are the customer's own: right-party rates of 70-90 % are usual there
#: (a debt buyer's purchased numbers reach far fewer).
RIGHT_PARTY_RATE = 0.8
WRONG_PARTY_RATE = 0.05


def party_reached(rng: np.random.Generator, right_party_rate: float = RIGHT_PARTY_RATE,
                  wrong_party_rate: float = WRONG_PARTY_RATE) -> Party:
    """Who answered a connected dial, as the robot agent says at wrap-up (one draw)."""
    u = rng.random()
    if u < right_party_rate:
        return "right_party"
    return "wrong_party" if u < right_party_rate + wrong_party_rate else "third_party"


@dataclass(slots=True)
class SimLead:
    customer: str
    history: list[PastDial] = field(default_factory=list)


class SyntheticLeads:
    """Leads without end: due retries first, else a fresh customer (see the module doc)."""

    def __init__(self, s: OutboundScenario, days: int, kernel: Kernel[Action],
                 tally: DailyTally) -> None:
        self.s, self.n_days, self.kernel, self.tally = s, days, kernel, tally
        self.rules: ContactRules = rules_for(s.country, s.campaign_type)
        self.zone = ZoneInfo(s.time_zone)
        self.retries: list[tuple[float, int, SimLead]] = []
        self.placed_dials: list[tuple[float, SimLead]] = []
        self.refusals: dict[str, int] = {}
        self.n_leads = 0
        self.seq = 0
        self.fresh_blocked_until = -math.inf
        self.fresh_by_day: dict[int, int] = {}

    def wall(self, t: float) -> datetime:
        return (FIRST_DAY + timedelta(seconds=t)).replace(tzinfo=self.zone)

    def target(self, lead: SimLead) -> DialTarget:
        return DialTarget(lead.customer, f"+8210{int(lead.customer[1:]):08d}",
                          time_zone=self.s.time_zone, marketing_consent=True,
                          debt_id=lead.customer if self.s.campaign_type == "collections" else None)

    def _refused(self, reasons: list[str], now: float) -> None:
        for rule in reasons:
            self.refusals[rule] = self.refusals.get(rule, 0) + 1
        self.tally.refused(now)

    def next_lead(self, now: float) -> SimLead | None:
        """A lead whose dial the rules allow now: a due retry first, else a fresh one."""
        wall = self.wall(now)
        while self.retries and self.retries[0][0] <= now:
            _, _, lead = heapq.heappop(self.retries)
            decision = check_dial(self.rules, self.target(lead), lead.history, wall,
                                  campaign=self.s.campaign,
                                  ring_seconds=self.s.ring_timeout_seconds)
            if decision.allowed:
                return lead
            self._refused([r.rule for r in decision.refusals], now)
            self._requeue(lead, now)
        if now < self.fresh_blocked_until or self._list_spent(now):
            return None
        self.n_leads += 1
        lead = SimLead(f"c{self.n_leads}")
        decision = check_dial(self.rules, self.target(lead), lead.history, wall,
                              campaign=self.s.campaign, ring_seconds=self.s.ring_timeout_seconds)
        if not decision.allowed:
            self._refused([r.rule for r in decision.refusals], now)
            t = self._requeue(lead, now)
            if t is not None:  # the next fresh lead would be refused too until then
                self.fresh_blocked_until = t
            return None
        return lead

    def _list_spent(self, now: float) -> bool:
        """The day's list has given all its ``leads_per_day`` fresh leads."""
        size = self.s.leads_per_day
        if size is None:
            return False
        day = int(now // DAY)
        given = self.fresh_by_day.get(day, 0)
        if given >= size:
            return True
        self.fresh_by_day[day] = given + 1
        return False

    def placed(self, lead: SimLead, now: float) -> None:
        s = self.s
        lead.history.append(PastDial(self.wall(now), s.campaign, s.campaign_type, None,
                                     debt_id=lead.customer if s.campaign_type == "collections"
                                     else None))
        self.placed_dials.append((now, lead))

    def settled(self, lead: SimLead, result: DialResultName, now: float) -> int:
        last = lead.history[-1]
        lead.history[-1] = PastDial(last.at, last.campaign, last.campaign_type, result,
                                    debt_id=last.debt_id)
        if result != "connected":
            self._requeue(lead, now)
        return len(lead.history)

    def _requeue(self, lead: SimLead, now: float) -> float | None:
        """Put ``lead`` back for when the rules next allow it (None: never again), and
        wake the dialler then."""
        at = next_allowed(self.rules, self.target(lead), lead.history, self.wall(now),
                          campaign=self.s.campaign, ring_seconds=self.s.ring_timeout_seconds)
        if at is None:
            return None  # done with this lead (attempt cap, do-not-call, ...)
        t = (at.replace(tzinfo=None) - FIRST_DAY).total_seconds() if at.tzinfo is None else (
            at.astimezone(self.zone).replace(tzinfo=None) - FIRST_DAY).total_seconds()
        self.seq += 1
        due = max(t, now + 1.0)
        heapq.heappush(self.retries, (due, self.seq, lead))
        if due < self.n_days * DAY:
            self.kernel.schedule(due, ARRIVAL, self._wake)
        return due

    @staticmethod
    def _wake(eng: RoutingEngine, now: float) -> list[Event]:
        return []  # the loop paces after every item: a retry falls due

    def audit(self) -> int:
        """Re-check every placed dial against the rules with the history before it."""
        broken = 0
        for now, lead in self.placed_dials:
            wall = self.wall(now)
            before = [d for d in lead.history if d.at < wall]
            decision = check_dial(self.rules, self.target(lead), before, wall,
                                  campaign=self.s.campaign,
                                  ring_seconds=self.s.ring_timeout_seconds)
            broken += 0 if decision.allowed else 1
        return broken
