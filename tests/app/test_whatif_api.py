"""Schedule simulation (what-if) API: two scenarios side by side, in a background job."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.rosters import create_roster, publish
from app.testing import create_user, login, make_client, make_settings

DAY = date(2027, 1, 4)
CALLS = [60.0 if 9 <= h < 17 else 0.0 for h in range(24)]


def shifts(n: int) -> list[dict[str, object]]:
    lunch = {"kind": "lunch", "start": "2027-01-04T12:00", "end": "2027-01-04T13:00"}
    return [
        {
            "agent": f"agent{i:02d}",
            "shift_type": "FT",
            "start": "2027-01-04T09:00",
            "end": "2027-01-04T17:00",
            "activities": [lunch],
        }
        for i in range(n)
    ]


@pytest.fixture
def client(sqlite_url: str) -> Iterator[TestClient]:
    with make_client(make_settings(sqlite_url)) as c:
        create_user(c.app, "plan", "planner")
        login(c, "plan")
        yield c


def wait(client: TestClient, job_id: str) -> dict[str, object]:
    for _ in range(600):
        res = client.get(f"/api/whatif/{job_id}")
        assert res.status_code == 200, res.text
        body = res.json()
        if body["state"] != "running":
            return body  # type: ignore[no-any-return]
        time.sleep(0.1)
    raise AssertionError("the simulation did not finish in 60 s")


def test_two_scenarios_side_by_side(client: TestClient) -> None:
    now = datetime(2027, 1, 1, tzinfo=UTC)
    with Session(client.app.state.engine) as session:
        version = create_roster(
            session,
            name="w",
            start_day=DAY,
            days=1,
            problem={},
            roster={"shifts": shifts(6)},
            user_id=None,
            now=now,
        )
        publish(session, version, None, now)
    body = {
        "calls_per_interval": CALLS,
        "start": DAY.isoformat(),
        "days": 1,
        "interval_minutes": 60,
        "aht_seconds": 240,
        "patience_mean_seconds": 120,
        "replications": 4,
        "seed": 1,
        "scenarios": [
            {"name": "published"},  # the roster in force
            {
                "name": "more",
                "roster_version_id": version.id,
                "extra_agents": 3,
                "window_start_minute": 600,
                "window_end_minute": 900,
            },
        ],
    }
    res = client.post("/api/whatif", json=body)
    assert res.status_code == 202, res.text
    done = wait(client, res.json()["id"])
    assert done["state"] == "done", done
    result = done["result"]
    assert isinstance(result, dict)
    a, b = result["scenarios"]
    assert (a["name"], b["name"]) == ("published", "more")
    assert a["summary"]["offered"] == b["summary"]["offered"]  # same seed, same callers
    assert b["summary"]["service_level"] > a["summary"]["service_level"]
    assert len(a["intervals"]) == 24
    ten = b["intervals"][10]["service_level"]
    assert ten["low"] <= ten["mean"] <= ten["high"]
    assert a["intervals"][12]["service_level"]["mean"] < a["intervals"][10]["service_level"]["mean"]
    assert a["intervals"][3]["asa_seconds"]["mean"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"replications": 51}, "replications"),
        ({"days": 8}, "days"),
        ({"queue": "general"}, "body"),
        ({"calls_per_interval": [1.0] * 23}, "calls_per_interval"),
        ({"scenarios": []}, "scenarios"),
        ({"scenarios": [{"shifts": [{"agent": "a", "start": "nine", "end": "ten"}]}]}, "scenarios"),
        ({"scenarios": [{"extra_agents": -1}]}, "extra_agents"),
    ],
)
def test_bad_requests_name_the_field(
    client: TestClient, change: dict[str, object], field: str
) -> None:
    body = {
        "calls_per_interval": CALLS,
        "start": DAY.isoformat(),
        "interval_minutes": 60,
        "scenarios": [{"shifts": shifts(2)}],
        **change,
    }
    res = client.post("/api/whatif", json=body)
    assert res.status_code == 422, res.text
    assert field in res.text


def test_unknown_job_is_404(client: TestClient) -> None:
    assert client.get("/api/whatif/0123456789abcdef").status_code == 404
    assert client.get("/api/whatif/nope").status_code == 422


def test_page(client: TestClient) -> None:
    page = client.get("/planner/whatif")
    assert page.status_code == 200
    assert "근무표 시뮬레이션" in page.text and "/static/whatif.js" in page.text


def test_unknown_roster_version_and_too_many_jobs(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = {
        "calls_per_interval": CALLS,
        "start": DAY.isoformat(),
        "interval_minutes": 60,
        "scenarios": [{"roster_version_id": 999}],
    }
    assert client.post("/api/whatif", json=body).status_code == 404
    monkeypatch.setattr("app.whatif_jobs.MAX_RUNNING_JOBS", 0)
    body["scenarios"] = [{"shifts": shifts(2)}]
    res = client.post("/api/whatif", json=body)
    assert res.status_code == 429 and "at most 0 at once" in res.text
