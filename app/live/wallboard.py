"""The live center's wallboard: :class:`dashboards.wallboard.WallboardState` with the goals
the routing engine runs on and the center's settings, and the feed every socket shares.

The aggregation (segments, service level per caller's goal, agents, the period, replay after
a restart) is :mod:`dashboards.wallboard`; this module hands it

* the live queues and their service-level goals (:class:`routing.events.ServiceLevelGoals`,
  from the engine's :class:`routing.policy.QueueConfig` s, built from the ``queue`` rows the
  QA report reads too);
* the settings (``CONTACTOPS_WALLBOARD_*``): the day's start hour on the center's clock
  (:data:`app.queries.CENTER_TZ`) or a sliding window, the service-level definition, and the
  warn/alert limits (:class:`dashboards.thresholds.GoalThresholds`), behind the service
  standards of the current quarter (:class:`CurrentStandards`,
  :class:`dashboards.standard_thresholds.StandardThresholds`): where the center has a
  standard for a figure, its warn and alert limits colour the wallboard;
* adherence per agent (:mod:`app.adherence_feed`, :mod:`wfm.adherence`) and today's forecast
  per queue as the planner sees it (:func:`app.api.intraday` 's path: history of the
  interaction table, :func:`app.api.wfm.make_forecast`), both read in worker threads.

:class:`WallboardFeed` computes one picture per :data:`PICTURE_SECONDS` for the process (not
one per socket) and the delta from each recent picture to it, serialised once.
"""

from __future__ import annotations

import json
import logging
import math
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.adherence_feed import center_today, day_report
from app.live.forecast_rates import forecast_calls
from app.qa_coaching import due_follow_ups
from app.queries import CENTER_TZ
from dashboards.coaching import CoachingPanel, FollowUpItem
from dashboards.deltas import apply_delta, delta
from dashboards.dials import DialsPanel
from dashboards.period import DayReset, Period, SlidingWindow
from dashboards.sales import SalesPanel
from dashboards.standard_thresholds import StandardThresholds
from dashboards.thresholds import Band, ChainedThresholds, GoalThresholds, ThresholdKpi
from dashboards.wallboard import WallboardState
from qa.segments import Segment
from qa.standards import Standard, quarter_of
from routing.events import TIERS, ServiceLevelGoal, ServiceLevelGoals
from routing.policy import QueueConfig

log = logging.getLogger("contactops.wallboard")

#: A new picture at most this often per process, however many sockets ask.
PICTURE_SECONDS = 0.5
#: Pictures kept to send deltas from (a socket further behind gets a full snapshot).
KEPT_PICTURES = 8
#: Adherence re-read this often (seconds): a database read and a measure per agent.
ADHERENCE_SECONDS = 30.0
ADHERENCE_TOLERANCE_MINUTES = 5.0
#: Coaching follow-ups due re-read this often (seconds).
COACHING_SECONDS = 30.0
#: The day's forecast is re-made this often (the forecast of a day does not change).
FORECAST_SECONDS = 3600.0
FORECAST_INTERVAL_MINUTES = 15


def goals_of(queues: Mapping[str, QueueConfig]) -> ServiceLevelGoals:
    """The goals table of the engine's queues (each tier's goal as routing holds it)."""
    return ServiceLevelGoals({name: {t: q.goal_for(t) for t in TIERS}
                              for name, q in queues.items()})


def period_of(settings: Any) -> Period:
    """A sliding window of ``wallboard_window_minutes`` when set, else the day from
    ``wallboard_day_start_hour`` o'clock on the center's clock."""
    minutes = getattr(settings, "wallboard_window_minutes", None)
    if minutes:
        return SlidingWindow(minutes=float(minutes))
    return DayReset(int(getattr(settings, "wallboard_day_start_hour", 0) or 0), CENTER_TZ.key)


def thresholds_of(settings: Any) -> GoalThresholds:
    """The warn/alert limits the settings give (defaults: :class:`GoalThresholds`)."""
    names = ("sl_alert_margin", "abandon_warn", "abandon_alert", "asa_warn_seconds",
             "asa_alert_seconds", "longest_wait_warn_seconds", "longest_wait_alert_seconds")
    given = {n: getattr(settings, f"wallboard_{n}") for n in names
             if getattr(settings, f"wallboard_{n}", None) is not None}
    return GoalThresholds(**given)


class CurrentStandards:
    """The center's service standards of the quarter the wall clock is in (on the center's
    calendar): a :class:`dashboards.thresholds.ThresholdSource`. ``standards`` is replaced
    when they are set through the API (:func:`set_standards`)."""

    def __init__(self, standards: Sequence[Standard] = (),
                 clock: Callable[[], float] = time.time) -> None:
        self.standards = list(standards)
        self.clock = clock

    def band(self, kpi: ThresholdKpi, goal: ServiceLevelGoal, queue: str | None = None,
             segment: Segment | None = None) -> Band | None:
        if not self.standards:
            return None
        day = datetime.fromtimestamp(self.clock(), CENTER_TZ).date()
        source = StandardThresholds(self.standards, day.year, quarter_of(day))
        return source.band(kpi, goal, queue, segment)


def set_standards(wallboard: WallboardState, standards: Sequence[Standard]) -> bool:
    """Give the wallboard's standards source the standards now stored; False if it has none."""
    chain = wallboard.thresholds
    if isinstance(chain, ChainedThresholds):
        for source in chain.sources:
            if isinstance(source, CurrentStandards):
                source.standards = list(standards)
                return True
    return False


def live_wallboard(queues: Mapping[str, QueueConfig], settings: Any = None,
                   standards: Sequence[Standard] = ()) -> WallboardState:
    """A wallboard for the engine's ``queues``: every configured queue shows, busy or not,
    callers are held to their queue's goals, the period and limits come from ``settings``,
    behind the center's service ``standards`` (of the current quarter)."""
    thresholds = ChainedThresholds((CurrentStandards(standards), thresholds_of(settings)))
    wallboard = WallboardState(goals=goals_of(queues), period=period_of(settings),
                               thresholds=thresholds)
    wallboard.definition = getattr(settings, "wallboard_service_level_definition",
                                   wallboard.definition)
    wallboard.queues.update(queues)
    add_panels(wallboard)
    return wallboard


def add_panels(wallboard: WallboardState) -> None:
    """The sales and the dials panels (fed by every event, over the wallboard's period) and
    the coaching panel (its follow-ups set by :func:`read_coaching`, days on the center's clock)."""
    sales = SalesPanel(period=wallboard.period)
    wallboard.listeners.append(sales.apply)
    wallboard.panels["sales"] = sales
    wallboard.panels["coaching"] = CoachingPanel(zone=CENTER_TZ.key)
    dials = DialsPanel(period=wallboard.period)
    wallboard.listeners.append(dials.apply)
    wallboard.panels["dials"] = dials


def coaching_panel(wallboard: WallboardState) -> CoachingPanel | None:
    panel = wallboard.panels.get("coaching")
    return panel if isinstance(panel, CoachingPanel) else None


class WallboardFeed:
    """The process's current picture (``version`` counts up; ``epoch`` names this process's
    run, so a client can tell a restart) and the deltas to it from the pictures before."""

    def __init__(self, state: WallboardState, picture_seconds: float = PICTURE_SECONDS) -> None:
        self.state = state
        self.picture_seconds = picture_seconds
        self.epoch = uuid.uuid4().hex[:12]
        self.version = 0
        self.picture: dict[str, Any] = {}
        self.snapshot_text = ""
        self._made_at = -math.inf
        self._made_seq = -1
        self._pictures: OrderedDict[int, dict[str, Any]] = OrderedDict()
        self._deltas: dict[int, str] = {}
        self._event_texts: OrderedDict[int, str] = OrderedDict()
        self.adherence_read_at = -math.inf
        self.coaching_read_at = -math.inf
        self.forecast_read_at = -math.inf

    def current(self, now: float, min_seq: int = 0) -> dict[str, Any]:
        """The picture at about ``now``: made afresh when the last is older than
        ``picture_seconds`` wall-clock seconds (or the clock moved back), else shared, so
        however many sockets tick, the process makes at most one picture per period.
        ``min_seq``: a picture holding at least that event (a socket's first picture is
        made afresh when events came since the last)."""
        fresh = time.monotonic()
        if self.picture and fresh - self._made_at < self.picture_seconds \
                and now >= self.picture["at"] and self.picture["seq"] >= min_seq:
            return self.picture
        picture = self.state.snapshot(now)
        self.version += 1
        picture.update(version=self.version, epoch=self.epoch, time_zone=CENTER_TZ.key)
        self.picture, self._made_at, self._made_seq = picture, fresh, self.state.last_seq
        self.snapshot_text = json.dumps(picture)
        self._pictures[self.version] = picture
        while len(self._pictures) > KEPT_PICTURES:
            self._pictures.popitem(last=False)
        self._deltas = {}
        return picture

    def message_since(self, version: int | None) -> str | None:
        """What a socket holding picture ``version`` is sent: None if it is current, the
        delta if its picture is kept, else the whole snapshot."""
        if version == self.version:
            return None
        base = self._pictures.get(version) if version is not None else None
        if base is None:
            return self.snapshot_text
        text = self._deltas.get(version)  # type: ignore[arg-type]
        if text is None:
            text = self._deltas[version] = json.dumps(delta(base, self.picture))  # type: ignore[index]
        return text

    def event_text(self, message: dict[str, Any]) -> str:
        """The ``{"type": "event", "seq", "event"}`` text of a bus message, made once."""
        seq = int(message["seq"])
        text = self._event_texts.get(seq)
        if text is None:
            text = json.dumps({"type": "event", "seq": seq, "event": message["event"]})
            self._event_texts[seq] = text
            while len(self._event_texts) > 512:
                self._event_texts.popitem(last=False)
        return text


def check_delta(feed: WallboardFeed, version: int) -> bool:
    """Whether the delta from kept picture ``version`` rebuilds the current one (tests)."""
    base = feed._pictures.get(version)
    return base is not None and apply_delta(base, delta(base, feed.picture)) == feed.picture


# --- what the database adds (worker threads) -------------------------------------------


def read_adherence(db: Engine, now: float, tolerance_minutes: float = ADHERENCE_TOLERANCE_MINUTES
                   ) -> dict[str, dict[str, Any]]:
    """Each rostered agent's adherence so far today and its open spell, if any."""
    moment = datetime.fromtimestamp(now, UTC)
    with Session(db) as session:
        report = day_report(session, center_today(moment), now=moment,
                            tolerance_minutes=tolerance_minutes)
    out: dict[str, dict[str, Any]] = {}
    for a in report.agents:
        spell = a.current
        out[a.agent] = {
            "adherence": None if a.adherence is None else round(a.adherence, 3),
            "out_since": None if spell is None else spell.start,
            "scheduled": None if spell is None else spell.scheduled,
        }
    return out


def read_forecast(db: Engine, queues: list[str], now: float) -> dict[float, float]:
    """Today's calls forecast per :data:`FORECAST_INTERVAL_MINUTES` (summed over ``queues``),
    the planner's forecast of the day from the history before it (as ``/planner/intraday``)."""
    day = center_today(datetime.fromtimestamp(now, UTC))
    out: dict[float, float] = {}
    for calls in forecast_calls(db, queues, day, 1, FORECAST_INTERVAL_MINUTES).values():
        for at, offered in calls.items():
            out[at] = out.get(at, 0.0) + offered
    return out


def read_coaching(db: Engine, now: float) -> list[FollowUpItem]:
    """The open coaching follow-ups due today or overdue (center-local day), as the center
    head's page lists them (:func:`app.qa_coaching.due_follow_ups`)."""
    moment = datetime.fromtimestamp(now, UTC)
    with Session(db) as session:
        due_today, overdue = due_follow_ups(session, center_today(moment))
        return [FollowUpItem(v.follow_up.id or 0, v.agent_login, v.due_on, len(v.points))
                for v in [*overdue, *due_today]]
