"""Rosters API: drafts, hand edits checked at once, publication, export, roles, bad input,
background builds (app/api/rosters.py, app/roster_jobs.py)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.roster_jobs import RosterJob, RosterJobs, jobs_of
from app.testing import create_user, login, logout, make_client, make_settings

DAY = "2027-01-04"


def problem(**overrides: Any) -> dict[str, Any]:
    """One day of 60-minute intervals, two agents, one 4-hour shift type with a break."""
    required = [0.0] * 24
    for h in range(9, 13):
        required[h] = 2.0
    data: dict[str, Any] = {
        "start": DAY,
        "days": 1,
        "interval_minutes": 60,
        "required": {"general": required},
        "shift_types": [{
            "name": "S4", "earliest_start": "08:00", "latest_start": "12:00",
            "start_step_minutes": 60, "length_minutes": 240,
            "activities": [{"kind": "break", "length_minutes": 15, "earliest_offset_minutes": 60,
                            "latest_offset_minutes": 180, "paid": True, "step_minutes": 15}],
        }],
        "agents": [
            {"id": "agent01", "skills": ["general"], "shift_types": ["S4"], "days_per_week": 1},
            {"id": "agent02", "skills": ["general"], "shift_types": ["S4"], "days_per_week": 1},
        ],
        "time_limit_seconds": 10,
        "num_workers": 1,
    }
    data.update(overrides)
    return data


def shift(agent: str, start_hour: int, break_minute: int = 60) -> dict[str, Any]:
    def at(minute: int) -> str:
        return f"{DAY}T{minute // 60:02d}:{minute % 60:02d}"

    s = start_hour * 60
    return {
        "agent": agent, "shift_type": "S4", "start": at(s), "end": at(s + 240),
        "activities": [{"kind": "break", "start": at(s + break_minute), "end": at(s + break_minute + 15)}],
    }


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    with make_client(make_settings(database_url)) as c:
        create_user(c.app, "plan", "planner")
        create_user(c.app, "sup", "supervisor")
        create_user(c.app, "agent01", "agent")
        create_user(c.app, "agent02", "agent")
        yield c


def create(client: TestClient, shifts: list[dict[str, Any]]) -> dict[str, Any]:
    r = client.post("/api/wfm/rosters", json={"name": "week 1", "problem": problem(), "shifts": shifts})
    assert r.status_code == 201, r.text
    return r.json()


def test_edit_check_save_publish_and_new_draft(client: TestClient) -> None:
    login(client, "plan")
    v = create(client, [shift("agent01", 9), shift("agent02", 9)])
    assert v["status"] == "draft" and v["version"] == 1 and v["created_by"] == "plan"
    ev = v["evaluation"]
    # two agents 09-13, each with a 15-minute break: 2 x 0.25 under in the break hours
    assert ev["under_coverage"]["general"] == pytest.approx(0.5)
    assert ev["violations"] == []
    assert [a["id"] for a in v["agents"]] == ["agent01", "agent02"]

    # a planner moves agent02's shift an hour later: 09-10 is short, 13-14 over
    moved = [shift("agent01", 9), shift("agent02", 10)]
    ev2 = client.post(f"/api/wfm/rosters/versions/{v['id']}/evaluate", json={"shifts": moved}).json()
    assert ev2["under_coverage"]["general"] == pytest.approx(1.5)
    assert ev2["over_coverage"]["general"] == pytest.approx(1.0)
    assert ev2["coverage"]["general"][9] == pytest.approx(1.0)
    # a break out of its window and a shift too early break rules, named
    broken = [shift("agent01", 9, break_minute=0), shift("agent02", 7)]
    rules = {(x["agent"], x["rule"]) for x in client.post(
        f"/api/wfm/rosters/versions/{v['id']}/evaluate", json={"shifts": broken}).json()["violations"]}
    assert ("agent01", "activity_window") in rules and ("agent02", "start_window") in rules

    saved = client.put(f"/api/wfm/rosters/versions/{v['id']}/shifts", json={"shifts": moved})
    assert saved.status_code == 200, saved.text
    assert saved.json()["roster"]["under_coverage"]["general"] == pytest.approx(1.5)
    pub = client.post(f"/api/wfm/rosters/versions/{v['id']}/publish").json()
    assert pub["status"] == "published" and pub["published_by"] == "plan" and pub["published_at"]
    # a published version is never edited
    assert client.put(f"/api/wfm/rosters/versions/{v['id']}/shifts", json={"shifts": []}).status_code == 409
    assert client.post(f"/api/wfm/rosters/versions/{v['id']}/publish").status_code == 409
    draft = client.post(f"/api/wfm/rosters/versions/{v['id']}/draft")
    assert draft.status_code == 201
    assert (draft.json()["version"], draft.json()["status"], draft.json()["based_on"]) == (2, "draft", v["id"])
    listed = client.get("/api/wfm/rosters").json()
    assert [x["status"] for x in listed[0]["versions"]] == ["published", "draft"]
    shown = client.get("/api/wfm/rosters/published", params={"start": f"{DAY}T00:00", "end": f"{DAY}T23:59"})
    assert [s["start"][11:] for s in shown.json()] == ["09:00", "10:00"]


def test_export_csv_and_json(client: TestClient) -> None:
    login(client, "plan")
    v = create(client, [shift("agent01", 9), shift("agent02", 10)])
    r = client.get(f"/api/wfm/rosters/versions/{v['id']}/export.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "roster-2027-01-04-v1.csv" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [(x["agent"], x["kind"], x["start"]) for x in rows] == [
        ("agent01", "shift", f"{DAY}T09:00"), ("agent01", "break", f"{DAY}T10:00"),
        ("agent02", "shift", f"{DAY}T10:00"), ("agent02", "break", f"{DAY}T11:00"),
    ]
    j = client.get(f"/api/wfm/rosters/versions/{v['id']}/export.json").json()
    assert [s["agent"] for s in j["shifts"]] == ["agent01", "agent02"]
    assert set(j) >= {"status", "objective", "best_bound", "gap", "shifts", "coverage",
                      "under_coverage", "over_coverage"}


def test_roles(client: TestClient) -> None:
    login(client, "plan")
    v = create(client, [shift("agent01", 9), shift("agent02", 10)])
    client.post(f"/api/wfm/rosters/versions/{v['id']}/publish")
    logout(client)
    login(client, "sup")  # supervisors read, never edit
    assert client.get(f"/api/wfm/rosters/versions/{v['id']}").status_code == 200
    assert client.get("/planner/roster").status_code == 200
    assert client.post(f"/api/wfm/rosters/versions/{v['id']}/draft").status_code == 403
    assert client.post(f"/api/wfm/rosters/versions/{v['id']}/evaluate", json={"shifts": []}).status_code == 403
    assert client.get("/api/wfm/rosters/mine", params={"start": DAY}).status_code == 403
    logout(client)
    login(client, "agent02")  # an agent reads only their own shifts
    assert client.get(f"/api/wfm/rosters/versions/{v['id']}").status_code == 403
    assert client.get("/api/wfm/rosters").status_code == 403
    assert client.get("/planner/roster").status_code == 403
    mine = client.get("/api/wfm/rosters/mine", params={"start": DAY, "days": 1})
    assert mine.status_code == 200
    assert [s["agent"] for s in mine.json()] == ["agent02"]


def test_bad_input_is_a_422_naming_the_field(client: TestClient) -> None:
    login(client, "plan")
    r = client.post("/api/wfm/rosters", json={"name": "x", "problem": problem(days=0), "shifts": []})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "problem", "days"]
    bad_agent = problem()
    bad_agent["agents"][1]["shift_types"] = ["nope"]
    r = client.post("/api/wfm/rosters", json={"name": "x", "problem": bad_agent, "shifts": []})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.problem.agents[1].shift_types"
    v = create(client, [])
    bad_time = [dict(shift("agent01", 9), start="tomorrow at nine")]
    r = client.post(f"/api/wfm/rosters/versions/{v['id']}/evaluate", json={"shifts": bad_time})
    assert r.status_code == 422 and "shifts" in r.json()["errors"][0]["field"]
    r = client.post(f"/api/wfm/rosters/versions/{v['id']}/evaluate", json={"shifts": [{"agent": "a"}]})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"][:3] == ["body", "shifts", 0]
    assert client.get("/api/wfm/rosters/versions/99999").status_code == 404
    assert client.get(f"/api/wfm/rosters/versions/{2**40}").status_code == 422
    assert client.post("/api/wfm/rosters/jobs", json={}).status_code == 422
    r = client.post("/api/wfm/rosters/jobs", json={"queues": ["general"], "start": DAY, "time_limit_seconds": 10_000})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "time_limit_seconds"]
    r = client.post("/api/wfm/rosters/jobs", json={"queues": ["nosuch"], "start": DAY})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "queues", 0]
    r = client.post("/api/wfm/rosters/jobs", json={"queues": ["x"], "start": DAY, "days": 99})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "days"]
    r = client.get("/api/wfm/rosters/published", params={"start": f"{DAY}T10:00", "end": f"{DAY}T09:00"})
    assert r.status_code == 422
    assert client.get("/api/wfm/rosters/jobs/nosuchjob").status_code == 404


def wait_for(client: TestClient, job_id: str, seconds: float = 60) -> dict[str, Any]:
    jobs = jobs_of(client.app.state)  # type: ignore[attr-defined]
    assert jobs.wait(job_id, seconds)
    return client.get(f"/api/wfm/rosters/jobs/{job_id}").json()


def test_a_background_build_reports_progress_and_saves_a_draft(client: TestClient) -> None:
    login(client, "plan")
    r = client.post("/api/wfm/rosters/jobs", json={"problem": problem(), "name": "built"})
    assert r.status_code == 202, r.text
    job = wait_for(client, r.json()["id"])
    assert job["state"] == "done", job
    assert job["progress"] and {p["phase"] for p in job["progress"]} >= {"tours", "assign"}
    v = client.get(f"/api/wfm/rosters/versions/{job['version_id']}").json()
    assert v["status"] == "draft" and v["name"] == "built"
    assert v["roster"]["status"] in ("optimal", "feasible")
    assert {s["agent"] for s in v["roster"]["shifts"]} == {"agent01", "agent02"}
    assert v["evaluation"]["violations"] == []
    assert [j["id"] for j in client.get("/api/wfm/rosters/jobs").json()] == [job["id"]]
    # other planners do not see someone else's job
    create_user(client.app, "plan2", "planner")  # type: ignore[arg-type]
    logout(client)
    login(client, "plan2")
    assert client.get(f"/api/wfm/rosters/jobs/{job['id']}").status_code == 404
    assert client.get("/api/wfm/rosters/jobs").json() == []


def test_job_limits_one_per_planner_and_a_bounded_number_overall(client: TestClient) -> None:
    login(client, "plan")
    jobs = jobs_of(client.app.state)  # type: ignore[attr-defined]
    me = client.get("/api/me").json()["id"]
    jobs.jobs["mine"] = RosterJob("mine", me, "x", created_at=jobs_now())
    assert client.post("/api/wfm/rosters/jobs", json={"problem": problem()}).status_code == 409
    del jobs.jobs["mine"]
    for k in range(jobs.max_running):
        jobs.jobs[f"other{k}"] = RosterJob(f"other{k}", 10_000 + k, "x", created_at=jobs_now())
    r = client.post("/api/wfm/rosters/jobs", json={"problem": problem()})
    assert r.status_code == 429 and r.headers["retry-after"]


def jobs_now():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_a_cancelled_build_keeps_the_best_roster_so_far(client: TestClient) -> None:
    jobs = RosterJobs(client.app.state.engine)  # type: ignore[attr-defined]
    job = RosterJob("j", 1, "cancelled build", created_at=jobs_now())
    record = job.record

    def cancel_at_first_solution(progress):  # type: ignore[no-untyped-def]
        record(progress)
        job.stop.set()  # the planner cancels once the solver has found a roster

    job.record = cancel_at_first_solution  # type: ignore[method-assign]
    jobs._work(job, None, problem())
    assert job.state == "cancelled" and job.version_id is not None
    assert job.progress[0]["solutions"] == 1


def test_a_build_cancelled_before_the_solver_starts_saves_nothing(client: TestClient) -> None:
    jobs = RosterJobs(client.app.state.engine)  # type: ignore[attr-defined]
    job = RosterJob("j", 1, "cancelled build", created_at=jobs_now())
    job.stop.set()
    jobs._work(job, None, problem())
    assert job.state == "cancelled" and job.version_id is None and job.progress == []


def test_cancel_through_the_api(client: TestClient) -> None:
    login(client, "plan")
    r = client.post("/api/wfm/rosters/jobs", json={"problem": problem()})
    c = client.post(f"/api/wfm/rosters/jobs/{r.json()['id']}/cancel")
    assert c.status_code == 202
    job = wait_for(client, r.json()["id"])
    assert job["state"] in ("cancelled", "done")  # it may have finished before the cancel
    assert job["version_id"] is not None
