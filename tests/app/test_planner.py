"""The planner page and the planner API (/planner, /api/wfm/*)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Interaction
from app.queries import CENTER_TZ
from app.testing import create_user, login, make_client, make_settings
from wfm.history import synthetic_history


def history_csv(days: int = 28, interval_minutes: int = 60) -> bytes:
    h = synthetic_history(
        np.random.default_rng(1), date(2025, 3, 3), days, interval_minutes, daily_calls=1500.0
    )
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["start", "offered", "aht_seconds"])
    for i, d in enumerate(h.days):
        for j, s in enumerate(h.interval_starts(d)):
            if h.offered[i, j] > 0:
                assert h.aht_seconds is not None
                w.writerow(
                    [
                        s.isoformat(timespec="minutes"),
                        int(h.offered[i, j]),
                        round(h.aht_seconds[i, j], 1),
                    ]
                )
    return out.getvalue().encode()


@pytest.fixture
def client(sqlite_url: str) -> Iterator[TestClient]:
    with make_client(make_settings(sqlite_url)) as c:
        create_user(c.app, "plan", "planner")
        create_user(c.app, "agent1", "agent")
        create_user(c.app, "boss", "admin")
        yield c


def upload(client: TestClient, data: bytes) -> dict[str, object]:
    res = client.post("/api/wfm/history/upload", files={"file": ("h.csv", data, "text/csv")})
    assert res.status_code == 201, res.text
    return res.json()  # type: ignore[no-any-return]


def test_page_needs_the_planner_role(client: TestClient) -> None:
    assert client.get("/planner").status_code in (303, 307)
    login(client, "agent1")
    assert client.get("/planner").status_code == 403
    assert client.post("/api/wfm/forecast", json={"queue": "x"}).status_code == 403


def test_page_renders_for_planner_and_admin(client: TestClient) -> None:
    for name in ("plan", "boss"):
        login(client, name)
        res = client.get("/planner")
        assert res.status_code == 200
        assert "/vendor/plotly.min.js" in res.text and "/static/planner.js" in res.text
        assert 'name="csrf_token"' in res.text and 'action="/planner/upload"' in res.text
        assert (
            "chart-forecast" in res.text
            and "chart-staffing" in res.text
            and "chart-accuracy" in res.text
        )


def test_plotly_is_served_locally(client: TestClient) -> None:
    res = client.get("/vendor/plotly.min.js")
    assert res.status_code == 200 and "javascript" in res.headers["content-type"]
    assert len(res.content) > 1_000_000 and b"plotly" in res.content[:2000].lower()
    assert client.get("/static/planner.js").status_code == 200


def test_upload_then_forecast(client: TestClient) -> None:
    login(client, "plan")
    info = upload(client, history_csv())
    # Sunday 30 March (closed, rows absent) follows the last Saturday: part of the history
    assert info["interval_minutes"] == 60 and info["days"] == 28
    res = client.post(
        "/api/wfm/forecast",
        json={
            "history_id": info["history_id"],
            "interval_minutes": 60,
            "start": "2025-03-31",
            "days": 3,
        },
    )
    assert res.status_code == 200, res.text
    body = res.json()
    assert len(body["intervals"]) == 3 * 24
    assert body["intervals"][0]["start"] == "2025-03-31T00:00"
    for row in body["intervals"]:
        assert 0 <= row["offered_low"] <= row["offered"] <= row["offered_high"]
        assert row["aht_seconds"] > 0
    assert body["backtest"]["chosen"] == body["method"]
    assert set(body["backtest"]["wape"]) >= {"seasonal_naive", "ha_4w", "weekday_mean", "factor"}
    assert body["backtest"]["relative_wape"]["ha_4w"] == 1.0  # the yardstick
    assert 0 < body["update_prior"] <= 100  # learnt from the backtest days
    assert len(body["history"]) == 28 * 24


def test_upload_form_post_with_csrf_field(client: TestClient) -> None:
    login(client, "plan")
    token = client.headers.pop("X-CSRF-Token")
    files = {"file": ("h.csv", history_csv(), "text/csv")}
    assert client.post("/planner/upload", files=files).status_code == 403  # no token
    res = client.post("/planner/upload", files=files, data={"csrf_token": token})
    assert res.status_code == 303 and res.headers["location"].startswith("/planner?history=")
    page = client.get(res.headers["location"])
    upload_id = res.headers["location"].split("=", 1)[1]
    assert f'value="upload:{upload_id}" selected' in page.text and "2025-03-03" in page.text
    bad = client.post(
        "/planner/upload",
        files={"file": ("b.csv", b"start,calls\n", "text/csv")},
        data={"csrf_token": token},
    )
    assert bad.status_code == 422 and "offered" in bad.text


def test_upload_errors_name_the_field(client: TestClient) -> None:
    login(client, "plan")
    res = client.post(
        "/api/wfm/history/upload",
        files={"file": ("b.csv", b"start,offered\nnot-a-time,3\n", "text/csv")},
    )
    assert res.status_code == 422
    assert res.json()["errors"][0]["field"] == "body.file" and "row 2" in res.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"history_id": "x", "interval_minutes": 7}, "body.interval_minutes"),
        ({"history_id": "x", "interval_minutes": 90}, "body.interval_minutes"),
        ({"history_id": "x", "days": 0}, "body.days"),
        ({"interval_minutes": 30}, "body"),
        ({"history_id": "x", "queue": "deposits"}, "body"),
        ({"history_id": "x", "method": "magic"}, "body.method"),
        ({"queue": "\x00"}, "body.queue"),
    ],
)
def test_forecast_request_validation(
    client: TestClient, body: dict[str, object], field: str
) -> None:
    login(client, "plan")
    res = client.post("/api/wfm/forecast", json=body)
    assert res.status_code == 422
    assert res.json()["errors"][0]["field"] == field


def test_forecast_unknown_upload_and_short_history(client: TestClient) -> None:
    login(client, "plan")
    assert client.post("/api/wfm/forecast", json={"history_id": "nope"}).status_code == 404
    short = history_csv(days=4)  # Monday to Thursday: less than a week, refused on upload
    res = client.post("/api/wfm/history/upload", files={"file": ("h.csv", short, "text/csv")})
    assert res.status_code == 422 and "at least 7 calendar days" in res.json()["detail"]
    assert res.json()["errors"][0]["field"] == "body.file"
    info = upload(client, history_csv(days=10))  # a week and a half is enough (issue 5)
    res = client.post(
        "/api/wfm/forecast", json={"history_id": info["history_id"], "interval_minutes": 60}
    )
    assert res.status_code == 200, res.text
    notes = res.json()["backtest"]["notes"]
    assert "skipped" in notes["factor"] and "weekday_mean" not in notes


def test_staffing_per_interval(client: TestClient) -> None:
    pytest.importorskip("wfm.staffing")
    login(client, "plan")
    res = client.post(
        "/api/wfm/staffing",
        json={
            "intervals": [
                {"start": "2026-01-05T09:00", "offered": 100, "aht_seconds": 180},
                {"start": "2026-01-05T09:30", "offered": 0},
            ],
            "interval_minutes": 30,
            "service_level_target": 0.8,
            "threshold_seconds": 20,
            "shrinkage": 0.3,
        },
    )
    assert res.status_code == 200, res.text
    first, closed = res.json()["intervals"]
    assert first["agents"] == 14 and first["scheduled_agents"] == 20
    assert first["service_level"] == pytest.approx(0.8884, abs=1e-4)
    assert closed["agents"] == 0
    bad = client.post("/api/wfm/staffing", json={"intervals": [], "service_level_target": 1.5})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {
        "body.intervals",
        "body.service_level_target",
    }


def test_history_and_forecast_from_the_database(database_url: str) -> None:
    with make_client(make_settings(database_url)) as client:
        create_user(client.app, "plan", "planner")
        today = datetime.now(UTC).astimezone(CENTER_TZ).date()
        rng = np.random.default_rng(3)
        rows = []
        for k in range(21, 0, -1):
            d = today - timedelta(days=k)
            for hour in range(9, 18):
                for n in range(int(rng.poisson(6 if d.weekday() < 5 else 2))):
                    local = datetime(
                        d.year, d.month, d.day, hour, int(rng.integers(60)), tzinfo=CENTER_TZ
                    )
                    at = local.astimezone(UTC)
                    rows.append(
                        Interaction(
                            contact_id=f"c{k}-{hour}-{n}",
                            queue="deposits",
                            arrived_at=at,
                            answered_at=at + timedelta(seconds=5),
                            handle_seconds=200.0,
                        )
                    )
        with Session(client.app.state.engine) as session:
            session.add_all(rows)
            session.commit()
        login(client, "plan")
        res = client.get(
            "/api/wfm/history", params={"queue": "deposits", "interval_minutes": 60, "days": 21}
        )
        assert res.status_code == 200, res.text
        body = res.json()
        assert sum(r["offered"] for r in body["intervals"]) == len(rows)
        nine = [r for r in body["intervals"] if r["start"][11:16] == "09:00" and r["offered"] > 0]
        assert nine and nine[0]["start"].endswith("+09:00") and nine[0]["aht_seconds"] == 200.0
        assert client.get("/api/wfm/history", params={"queue": "none"}).status_code == 422
        page = client.get("/planner")
        assert "queue:deposits" in page.text
        res = client.post(
            "/api/wfm/forecast",
            json={
                "queue": "deposits",
                "interval_minutes": 60,
                "start": today.isoformat(),
                "days": 2,
            },
        )
        assert res.status_code == 200, res.text
        intervals = res.json()["intervals"]
        assert len(intervals) == 48
        for r in intervals:
            hour = int(r["start"][11:13])
            assert (r["offered"] > 0) == (
                9 <= hour < 18 and date.fromisoformat(r["start"][:10]).weekday() < 5
            ) or date.fromisoformat(r["start"][:10]).weekday() >= 5


def test_reforecast_moves_the_rest_of_the_day(client: TestClient) -> None:
    login(client, "plan")
    rows = [
        {
            "start": f"2025-04-07T{h:02d}:00+09:00",
            "offered": 10.0,
            "offered_low": 8.0,
            "offered_high": 12.0,
            "aht_seconds": 180.0,
        }
        for h in range(24)
    ]
    actuals = [{"start": r["start"], "offered": 15.0} for r in rows[:12]]
    res = client.post(
        "/api/wfm/reforecast", json={"intervals": rows, "actuals": actuals, "update_prior": 0.5}
    )
    assert res.status_code == 200, res.text
    out = res.json()
    assert [r["offered"] for r in out[:12]] == [15.0] * 12
    # half the day's volume seen at 1.5x, kappa 0.5: the rest x 1 + 0.5/(0.5+0.5) * 0.5
    assert out[12]["offered"] == pytest.approx(12.5) and out[12]["offered_high"] == pytest.approx(
        15.0
    )
    assert out[0]["start"] == "2025-04-07T00:00+09:00"  # the form of the input
    bad = client.post(
        "/api/wfm/reforecast",
        json={"intervals": rows, "actuals": [{"start": rows[0]["start"], "offered": -1.0}]},
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "body.actuals.0.offered"
    old = client.post("/api/wfm/reforecast", json={"intervals": rows, "actual_offered": [1.0]})
    assert old.status_code == 422
    assert "body.actual_offered" in {e["field"] for e in old.json()["errors"]}


def test_reforecast_uses_the_learnt_update_forecast_returned(client: TestClient) -> None:
    """/forecast hands out the full learnt update (ratio and error shapes, per cut) and
    /reforecast applies it exactly as Forecast.reforecast does in the intraday view."""
    from wfm.forecast import Forecast
    from wfm.intraday_update import IntradayUpdate

    login(client, "plan")
    info = upload(client, history_csv(days=63))  # 49 backtest days: shapes are learnt
    res = client.post(
        "/api/wfm/forecast",
        json={"history_id": info["history_id"], "interval_minutes": 60, "days": 1},
    )
    assert res.status_code == 200, res.text
    body = res.json()
    update = body["update"]
    assert len(update["shapes"]) == 2 and len(update["shapes"][0]) == 24
    assert update["cuts"] and update["kappa"] == body["update_prior"]
    rows = body["intervals"]
    actuals = [{"start": r["start"], "offered": r["offered"] * 1.3} for r in rows[:13]]
    full = client.post(
        "/api/wfm/reforecast", json={"intervals": rows, "actuals": actuals, "update": update}
    )
    assert full.status_code == 200, full.text
    starts = [datetime.fromisoformat(r["start"]) for r in rows]
    fc = Forecast(
        starts,
        np.array([r["offered"] for r in rows]),
        np.array([r["offered_low"] for r in rows]),
        np.array([r["offered_high"] for r in rows]),
        None,
        "x",
        60,
        0.8,
        update_prior=update["kappa"],
        update=IntradayUpdate.from_json(update),
    )
    expected = fc.reforecast([(starts[k], a["offered"]) for k, a in enumerate(actuals)])
    got = [r["offered"] for r in full.json()]
    assert got == pytest.approx(list(expected.offered), abs=2e-3)
    rest = slice(13, None)
    assert sum(got[rest]) > sum(r["offered"] for r in rows[rest])  # the day runs hot
    bad = dict(update, cuts={"5": {"kappa": 1.0, "shapes": 3, "penalty": 1.0, "weight": 0.5}})
    res = client.post(
        "/api/wfm/reforecast", json={"intervals": rows, "actuals": actuals, "update": bad}
    )
    assert res.status_code == 422 and res.json()["errors"][0]["field"] == "body.update"
    res = client.post(
        "/api/wfm/reforecast",
        json={"intervals": rows, "actuals": actuals, "update": {**update, "kappa": -1}},
    )
    assert res.status_code == 422 and res.json()["errors"][0]["field"].startswith("body.update")


def test_upload_with_an_oversized_csv_field_is_422_naming_the_row(client: TestClient) -> None:
    login(client, "plan")
    data = b"a,b\n1,2\n" + b'"' + b"x" * (128 * 1024 + 1) + b'",2\n'
    res = client.post("/api/wfm/history/upload", files={"file": ("h.csv", data, "text/csv")})
    assert res.status_code == 422, res.text
    error = res.json()["errors"][0]
    assert error["field"] == "body.file" and "row 3" in error["msg"]


# ------------------------------------------------------------------ review 3


def test_database_history_covers_the_whole_window(database_url: str) -> None:
    """Issue 1: a 24x7 queue with quiet nights lost its first and last day (cut at the first
    and last call), and the default forecast started yesterday."""
    with make_client(make_settings(database_url)) as client:
        create_user(client.app, "plan", "planner")
        today = datetime.now(UTC).astimezone(CENTER_TZ).date()
        midnight = datetime(today.year, today.month, today.day, tzinfo=CENTER_TZ)
        rng = np.random.default_rng(5)
        rows, t = [], midnight - timedelta(days=21)
        while True:
            rate = 30.0 if 8 <= t.hour < 20 else 0.5  # calls an hour
            t += timedelta(hours=float(rng.exponential(1 / rate)))
            if t >= midnight:
                break
            rows.append(
                Interaction(
                    contact_id=f"c{len(rows)}",
                    queue="q",
                    arrived_at=t.astimezone(UTC),
                    answered_at=t.astimezone(UTC),
                    handle_seconds=180.0,
                )
            )
        with Session(client.app.state.engine) as session:
            session.add_all(rows)
            session.commit()
        login(client, "plan")
        res = client.get("/api/wfm/history", params={"queue": "q", "days": 7})
        assert res.status_code == 200, res.text
        body = res.json()
        assert body["days"] == 7 and len(body["intervals"]) == 7 * 48
        assert body["first_day"] == (today - timedelta(days=7)).isoformat()
        assert body["last_day"] == (today - timedelta(days=1)).isoformat()
        res = client.post("/api/wfm/forecast", json={"queue": "q", "days": 1, "history_days": 21})
        assert res.status_code == 200, res.text
        assert res.json()["intervals"][0]["start"] == f"{today.isoformat()}T00:00:00+09:00"
        assert res.json()["history"][-1]["start"].startswith(
            (today - timedelta(days=1)).isoformat()
        )


def test_upload_with_far_apart_dates_is_422(client: TestClient) -> None:
    """Issue 3: a 60-minute history from year 1 to 9999 was accepted (3.6 M days)."""
    login(client, "plan")
    data = b"start,offered\n0001-01-01T09:00:00,1\n9999-12-31T09:00:00,2\n"
    res = client.post("/api/wfm/history/upload", files={"file": ("h.csv", data, "text/csv")})
    assert res.status_code == 422
    assert res.json()["errors"][0]["field"] == "body.file"
    assert "history spans 3,652,059 days" in res.json()["detail"]


def _day_rows(start: str = "2025-04-07T{h:02d}:00:00") -> list[dict[str, object]]:
    return [
        {
            "start": start.format(h=h),
            "offered": 10.0,
            "offered_low": 8.0,
            "offered_high": 12.0,
            "aht_seconds": 180.0,
        }
        for h in range(24)
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({1: {"start": "2025-04-07T01:00:00+09:00"}}, "body.intervals.1.start"),  # was a 500
        ({0: {"offered": float("nan")}}, "body.intervals.0.offered"),
        ({0: {"offered_high": float("inf")}}, "body.intervals.0.offered_high"),
        ({2: {"offered": -5.0}}, "body.intervals.2.offered"),
        ({1: {"start": "2025-04-07T05:00:00"}}, "body.intervals.2.start"),  # out of order
        ({0: {"offered_low": 11.0}}, "body.intervals.0"),
        ({3: {"start": "garbage"}}, "body.intervals.3.start"),
    ],
)
def test_reforecast_refuses_bad_intervals(
    client: TestClient, change: dict[int, dict[str, object]], field: str
) -> None:
    """Issue 6: mixed naive/offset starts gave a 500; NaN, negative, unsorted were taken."""
    import json

    login(client, "plan")
    rows = _day_rows()
    for i, fields in change.items():
        rows[i] = {**rows[i], **fields}
    body = {"intervals": rows, "actuals": [{"start": "2025-04-07T09:00:00", "offered": 3.0}]}
    res = client.post(
        "/api/wfm/reforecast",
        content=json.dumps(body),  # NaN and Infinity as Python's json writes them
        headers={"content-type": "application/json"},
    )
    assert res.status_code == 422, res.text
    assert field in {e["field"] for e in res.json()["errors"]}


def test_reforecast_places_actuals_at_their_times(client: TestClient) -> None:
    """Issue 7: actuals for 09:00-10:00 were written at 00:00-01:00 and the day not scaled."""
    login(client, "plan")
    rows = _day_rows()
    for r in rows[:7] + rows[21:]:
        r.update(offered=0.0, offered_low=0.0, offered_high=0.0)  # open 07:00-21:00
    actuals = [
        {"start": "2025-04-07T09:00:00", "offered": 20.0},
        {"start": "2025-04-07T10:00:00", "offered": 20.0},
    ]
    res = client.post("/api/wfm/reforecast", json={"intervals": rows, "actuals": actuals})
    assert res.status_code == 200, res.text
    out = res.json()
    assert out[0]["offered"] == 0.0 and out[8]["offered"] == 10.0  # before: as forecast
    assert out[9]["offered"] == out[10]["offered"] == 20.0
    # 20 of 140 forecast calls seen at twice the forecast, default kappa 1: the rest
    # x (1 + w/(w+1)) with w = 20/140
    w = 20 / 140
    assert out[11]["offered"] == pytest.approx(10.0 * (1 + w / (w + 1)), abs=1e-3)  # rounded
    assert out[21]["offered"] == 0.0
    bad = client.post(
        "/api/wfm/reforecast",
        json={"intervals": rows, "actuals": [{"start": "2025-04-07T09:30:00", "offered": 1.0}]},
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.actuals.0.start"


def _staff(client: TestClient, **body: object) -> dict[str, object]:
    res = client.post("/api/wfm/staffing", json=body)
    return {"status": res.status_code, **res.json()}


QUARTERS = [
    {"start": f"2026-01-05T09:{m:02d}:00", "offered": 50.0, "aht_seconds": 180.0}
    for m in (0, 15, 30, 45)
]


def test_staffing_options_and_interval_check(client: TestClient) -> None:
    """Issue 10: threshold 0 was a 422; no Erlang A, ASA or abandonment; 15-minute rows were
    staffed as 30-minute ones; one scalar search per interval."""
    from wfm.staffing import staff_intervals

    login(client, "plan")
    zero = _staff(client, intervals=QUARTERS, threshold_seconds=0)
    assert zero["status"] == 200, zero
    expected = staff_intervals(
        [50.0] * 4, 900, 180.0, service_level_target=0.8, threshold_seconds=0
    )
    assert [r["agents"] for r in zero["intervals"]] == expected.agents.tolist()  # type: ignore[attr-defined]
    wrong = _staff(client, intervals=QUARTERS, interval_minutes=30)
    assert wrong["status"] == 422 and wrong["errors"][0]["field"] == "body.interval_minutes"  # type: ignore[index]
    erlang_a = _staff(client, intervals=QUARTERS, patience_mean_seconds=60, abandon_target=0.03)
    plan = staff_intervals(
        [50.0] * 4,
        900,
        180.0,
        service_level_target=0.8,
        threshold_seconds=20,
        abandon_target=0.03,
        patience_mean_seconds=60,
    )
    rows = erlang_a["intervals"]
    assert [r["agents"] for r in rows] == plan.agents.tolist()  # type: ignore[attr-defined]
    assert all(0 < r["p_abandon"] <= 0.03 for r in rows)  # type: ignore[attr-defined]
    asa = _staff(client, intervals=QUARTERS, service_level_target=None, asa_target_seconds=5)
    assert all(r["asa_seconds"] <= 5 for r in asa["intervals"])  # type: ignore[attr-defined]
    no_patience = _staff(client, intervals=QUARTERS, abandon_target=0.03)
    assert no_patience["status"] == 422
    assert no_patience["errors"][0]["field"] == "body.abandon_target"  # type: ignore[index]
    one = _staff(client, intervals=QUARTERS[:1])
    assert one["status"] == 422 and one["errors"][0]["field"] == "body.interval_minutes"  # type: ignore[index]
    mixed = _staff(
        client, intervals=[QUARTERS[0], {**QUARTERS[1], "start": "2026-01-05T09:15+09:00"}]
    )
    assert mixed["errors"][0]["field"] == "body.intervals.1.start"  # type: ignore[index]
    huge = _staff(client, intervals=[{**q, "offered": 1e6, "aht_seconds": 36000} for q in QUARTERS])
    assert huge["status"] == 422 and huge["errors"][0]["field"] == "body.intervals.0.offered"  # type: ignore[index]
