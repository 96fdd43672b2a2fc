"""Published forecasts kept as snapshots, and their accuracy (/api/wfm/accuracy)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import ForecastSnapshot
from app.testing import create_user, login, make_client, make_settings
from tests.app.test_planner import history_csv, upload


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    with make_client(make_settings(database_url)) as c:
        create_user(c.app, "plan", "planner")
        yield c


def test_published_forecast_is_kept_and_compared_with_actuals(client: TestClient) -> None:
    login(client, "plan")
    info = upload(client, history_csv(days=28))  # 3 to 30 March 2025
    body = {"history_id": info["history_id"], "interval_minutes": 60, "days": 3}
    res = client.post("/api/wfm/forecast", json={**body, "start": "2025-03-28"})
    assert res.status_code == 200 and res.json()["snapshot_id"] is None  # not published
    res = client.post("/api/wfm/forecast", json={**body, "start": "2025-03-28", "publish": True})
    assert res.status_code == 200, res.text
    snapshot_id = res.json()["snapshot_id"]
    with Session(client.app.state.engine) as session:
        (snap,) = session.exec(select(ForecastSnapshot)).all()
        assert snap.id == snapshot_id and snap.days == 3 and len(snap.intervals) == 72
    res = client.get("/api/wfm/accuracy", params={"source": f"upload:{info['history_id']}"})
    assert res.status_code == 200, res.text
    (got,) = res.json()
    assert got["id"] == snapshot_id and got["method"] == res.json()[0]["method"]
    days = got["compared"]
    assert [d["day"] for d in days] == ["2025-03-28", "2025-03-29", "2025-03-30"]
    friday = days[0]
    assert len(friday["intervals"]) == 24
    actual = sum(r["actual"] for r in friday["intervals"])
    error = sum(abs(r["actual"] - r["forecast"]) for r in friday["intervals"])
    assert friday["actual_calls"] == actual and friday["wape"] == pytest.approx(error / actual)
    assert 0 < friday["wape"] < 0.5


def test_accuracy_source_is_checked(client: TestClient) -> None:
    login(client, "plan")
    res = client.get("/api/wfm/accuracy", params={"source": "nothing"})
    assert res.status_code == 422 and res.json()["errors"][0]["field"] == "query.source"
    res = client.get("/api/wfm/accuracy", params={"source": "queue:none"})
    assert res.status_code == 200 and res.json() == []


def test_a_fit_is_reused_within_the_session(client: TestClient) -> None:
    login(client, "plan")
    info = upload(client, history_csv(days=21))
    body = {"history_id": info["history_id"], "interval_minutes": 60, "days": 2}
    first = client.post("/api/wfm/forecast", json=body).json()
    fits = client.app.state.wfm_fits  # type: ignore[attr-defined]
    assert len(fits) == 1
    (fitted,) = fits.values()
    again = client.post("/api/wfm/forecast", json=body).json()
    assert again["intervals"] == first["intervals"] and len(fits) == 1
    assert next(iter(fits.values())) is fitted
    res = client.post("/api/wfm/forecast", json={**body, "days": 3})
    assert res.status_code == 200 and len(fits) == 2  # another horizon: another backtest
