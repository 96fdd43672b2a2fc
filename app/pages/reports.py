"""``/reports``: inbound service over a day, week, month or quarter, with charts and CSV.

For supervisors, QA analysts, planners (and admins). A period is a kind and any date in it
(center time: a week starts on Monday, a quarter in January, April, July or October). The
page shows the period's totals; charts of service level, offered / answered / abandoned, ASA
and AHT per step (30-minute intervals for a day, days otherwise; drawn by uPlot,
``app/static/vendor/uplot``); and tables per step, per queue and per caller group (VIP and
general), each downloadable as CSV (UTF-8 with a byte-order mark, so Excel shows Korean).

Every figure is a :mod:`qa` formula over the summaries (:mod:`app.report_figures`), each
caller held to its queue's goal for its tier, as routing uses it.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BeforeValidator, Field

from app.auth import require_role
from app.deps import SessionDep
from app.i18n import choose_locale, gettext
from app.models import User
from app.pages import render
from app.qa_report import InboundFigures, QueueInbound
from app.queries import CENTER_TZ, queues, service_level_goals
from app.report_figures import PeriodSeries, report_of_period
from app.report_summaries import Grain
from qa.counts import KpiCounts
from qa.kpis import abandonment_rate, average_handle_time, average_speed_of_answer, service_level
from qa.segments import SEGMENTS

router = APIRouter(tags=["pages"], include_in_schema=False)

ReportUser = Annotated[User, Depends(require_role("supervisor", "qa", "planner"))]
PeriodKind = Literal["day", "week", "month", "quarter"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("day", "week", "month", "quarter")
TableName = Literal["steps", "queues", "groups"]
QueueName = Annotated[str, Field(min_length=1, max_length=40)]
#: Earliest and latest dates a report can be asked for (a bound on the work a request asks).
FIRST_DATE, LAST_DATE = date(2000, 1, 1), date(2100, 12, 31)
ReportDate = Annotated[date, Field(ge=FIRST_DATE, le=LAST_DATE)]


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    first_day: date
    end_day: date  # exclusive

    @property
    def last_day(self) -> date:
        return self.end_day - timedelta(days=1)

    @property
    def since(self) -> datetime:
        return _midnight(self.first_day)

    @property
    def until(self) -> datetime:
        return _midnight(self.end_day)

    @property
    def grain(self) -> Grain:
        return "interval" if self.kind == "day" else "day"


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CENTER_TZ).astimezone(UTC)


def period_of(kind: PeriodKind, day: date) -> Period:
    """The day, week (Monday on), month or quarter holding ``day``."""
    if kind == "day":
        return Period(kind, day, day + timedelta(days=1))
    if kind == "week":
        first = day - timedelta(days=day.weekday())
        return Period(kind, first, first + timedelta(days=7))
    months = 1 if kind == "month" else 3
    first_month = day.month if kind == "month" else 3 * ((day.month - 1) // 3) + 1
    first = date(day.year, first_month, 1)
    y, m = divmod(first_month - 1 + months, 12)
    return Period(kind, first, date(day.year + y, m + 1, 1))


@dataclass(frozen=True)
class Row:
    """One line of a table: its label and the figures of its calls."""

    label: str
    counts: KpiCounts

    @property
    def figures(self) -> dict[str, float]:
        c = self.counts
        return {"offered": c.offered, "answered": c.answered, "abandoned": c.abandoned,
                "abandon_rate": abandonment_rate(c), "service_level": service_level(c),
                "asa_seconds": average_speed_of_answer(c),
                "aht_seconds": average_handle_time(c)}


@dataclass(frozen=True)
class Report:
    period: Period
    queue: str | None
    series: PeriodSeries
    by_queue: list[QueueInbound]

    @property
    def steps(self) -> list[Row]:
        fmt = "%H:%M" if self.period.grain == "interval" else "%Y-%m-%d"
        return [Row(s.astimezone(CENTER_TZ).strftime(fmt), c)
                for s, c in zip(self.series.starts, self.series.counts, strict=True)]

    @property
    def queues(self) -> list[Row]:
        return [Row(q.queue, q.total.counts) for q in self.by_queue]

    @property
    def groups(self) -> list[Row]:
        return [Row(seg, sum((q.segments[seg] for q in self.by_queue),
                             InboundFigures(KpiCounts())).counts) for seg in SEGMENTS]

    @property
    def total(self) -> Row:
        return Row("", sum((q.total.counts for q in self.by_queue), KpiCounts()))

    def chart_data(self) -> dict[str, Any]:
        """The series the charts draw (NaN as null): x in Unix seconds."""
        def clean(x: float) -> float | None:
            return None if math.isnan(x) else round(x, 4)

        rows = [r.figures for r in self.steps]
        series = {k: [clean(float(r[k])) for r in rows] for k in (rows[0] if rows else {})}
        return {"x": [s.timestamp() for s in self.series.starts], "grain": self.period.grain,
                **series}


def build_report(session: Any, period: Period, queue: str | None) -> Report:
    goals = service_level_goals(session)
    series, by_queue = report_of_period(session, period.since, period.until, period.grain, goals,
                                        queue)
    return Report(period, queue, series, by_queue)


@router.get("/reports")
def reports_page(
    request: Request,
    session: SessionDep,
    user: ReportUser,
    period: PeriodKind = "week",
    day: Annotated[ReportDate | None, BeforeValidator(_blank_is_none), Query(alias="date")] = None,
    queue: Annotated[QueueName | None, BeforeValidator(_blank_is_none), Query()] = None,
) -> Response:
    chosen = day or datetime.now(UTC).astimezone(CENTER_TZ).date()
    report = build_report(session, period_of(period, chosen), queue)
    names = sorted({q.name for q in queues(session)} | {q.queue for q in report.by_queue}
                   | ({queue} if queue else set()))
    context = {"report": report, "period_kinds": PERIOD_KINDS, "chosen": chosen,
               "queue": queue, "queue_names": names,
               "chart_json": json.dumps(report.chart_data()),
               "query": {"period": period, "date": chosen.isoformat(), "queue": queue or ""}}
    return render(request, "reports.html", user, context)


@router.get("/reports/export.csv")
def reports_csv(
    request: Request,
    session: SessionDep,
    user: ReportUser,
    table: TableName,
    period: PeriodKind = "week",
    day: Annotated[ReportDate | None, BeforeValidator(_blank_is_none), Query(alias="date")] = None,
    queue: Annotated[QueueName | None, BeforeValidator(_blank_is_none), Query()] = None,
) -> Response:
    """One table of the report as CSV: UTF-8 with a BOM, headers in the user's language."""
    chosen = day or datetime.now(UTC).astimezone(CENTER_TZ).date()
    p = period_of(period, chosen)
    report = build_report(session, p, queue)
    locale = choose_locale(request, user, request.app.state.settings.default_locale)

    def _(message: str) -> str:
        return gettext(locale, message)

    first = {"steps": _("Interval") if p.grain == "interval" else _("Day"),
             "queues": _("Queue"), "groups": _("Callers")}[table]
    rows = {"steps": report.steps, "queues": report.queues, "groups": report.groups}[table]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([first, _("Offered"), _("Answered"), _("Abandoned"), _("Abandon rate"),
                     _("Service level"), "ASA (s)", "AHT (s)"])
    for row in rows:
        f = row.figures
        label = (_("VIP") if row.label == "vip" else _("General")) if table == "groups" \
            else row.label
        writer.writerow([label, f["offered"], f["answered"], f["abandoned"],
                         *(_csv_number(f[k]) for k in ("abandon_rate", "service_level",
                                                       "asa_seconds", "aht_seconds"))])
    name = f"report-{table}-{p.kind}-{p.first_day.isoformat()}.csv"
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _csv_number(x: float) -> str:
    return "" if math.isnan(x) else f"{x:.4f}"
