"""/api/qa: forms and versions, scoring contacts of the interaction log, the agent's answer,
calibration, coaching follow-ups and scorecards, with the role checks (SQLite and
PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.api import qa_evaluations as api
from app.models import EventRecord, Interaction
from app.testing import create_user, login, logout, make_client, make_settings

NOW = datetime.now(UTC).replace(microsecond=0)

#: identity (yes/no, weight 2, fatal), accuracy (scale 1-5, weight 4, critical, pass 3),
#: cross_sell (yes/no, weight 2, N/A allowed)
FORM = {
    "title": "상담 평가", "title_en": "Call form",
    "sections": [
        {"id": "open", "title": "시작", "questions": [
            {"id": "identity", "title": "본인 확인", "weight": 2, "fatal": True}]},
        {"id": "product", "title": "상품", "questions": [
            {"id": "accuracy", "title": "정확성", "kind": "scale", "weight": 4, "critical": True},
            {"id": "cross_sell", "title": "교차 판매", "weight": 2, "na_allowed": True}]},
    ],
}


def _interaction(session: Session, contact_id: str, agent_id: int, hours_ago: float,
                 handle: float) -> None:
    arrived = NOW - timedelta(hours=hours_ago)
    session.add(Interaction(contact_id=contact_id, queue="deposits", agent_id=agent_id,
                            arrived_at=arrived, answered_at=arrived + timedelta(seconds=5),
                            ended_at=arrived + timedelta(seconds=handle),
                            outcome="answered", handle_seconds=handle))


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    with make_client(make_settings(database_url)) as c:
        app = c.app
        create_user(app, "qa1", "qa")
        create_user(app, "qa2", "qa")
        create_user(app, "sup", "supervisor")
        a1 = create_user(app, "a1", "agent")
        a2 = create_user(app, "a2", "agent")
        with Session(app.state.engine) as session:  # type: ignore[attr-defined]
            _interaction(session, "c-old", a1.agent_id or 0, 30, 200.0)
            _interaction(session, "c-long", a1.agent_id or 0, 20, 900.0)
            _interaction(session, "c-new", a1.agent_id or 0, 2, 100.0)
            _interaction(session, "c-a2", a2.agent_id or 0, 3, 300.0)
            session.add(EventRecord(type="contact_transferred", at=NOW.timestamp(),
                                    contact_id="c-a2", payload={}))
            session.add(EventRecord(type="complaint_recorded", at=NOW.timestamp(),
                                    contact_id="c-old", payload={}))
            session.commit()
        yield c


def _as(client: TestClient, name: str) -> TestClient:
    logout(client)
    login(client, name)
    return client


def _score(client: TestClient, contact: str, version: int, answers: dict[str, str]) -> dict:  # type: ignore[type-arg]
    r = client.post("/api/qa/evaluations", json={"contact_id": contact,
                                                 "form_version_id": version, "answers": answers})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_forms_contacts_scoring_versions_and_the_agents_answer(client: TestClient) -> None:
    _as(client, "a1")
    assert client.post("/api/qa/forms", json={"key": "call", "definition": FORM}).status_code == 403
    assert client.get("/api/qa/contacts").status_code == 403
    _as(client, "sup")
    assert client.post("/api/qa/forms", json={"key": "call", "definition": FORM}).status_code == 403
    _as(client, "qa1")
    bad = {**FORM, "sections": [{**FORM["sections"][0], "questions": [  # type: ignore[dict-item]
        {"id": "identity", "title": "본인 확인", "weight": 0}]}]}
    r = client.post("/api/qa/forms", json={"key": "call", "definition": bad})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.definition.sections[0].questions[0]"
    r = client.post("/api/qa/forms", json={"key": "call", "definition": FORM})
    assert r.status_code == 201
    v1 = r.json()["version_id"]
    assert client.post("/api/qa/forms", json={"key": "call", "definition": FORM}).status_code == 409

    contacts = client.get("/api/qa/contacts").json()
    assert [c["contact_id"] for c in contacts] == ["c-new", "c-a2", "c-long", "c-old"]
    assert {c["contact_id"] for c in contacts if c["transferred"]} == {"c-a2"}
    pick = {rule: [c["contact_id"] for c in client.get(f"/api/qa/contacts?rule={rule}").json()]
            for rule in ("long_calls", "transfers", "complaints")}
    assert pick == {"long_calls": ["c-long"], "transfers": ["c-a2"], "complaints": ["c-old"]}
    sample = client.get("/api/qa/contacts?per_agent=1&seed=3").json()
    assert sorted(c["agent"] for c in sample) == ["a1", "a2"]
    detail = client.get("/api/qa/contacts/c-a2").json()
    assert [e["type"] for e in detail["events"]] == ["contact_transferred"]

    # accuracy 4 of 5 = 0.75 of 4 points; cross-sell N/A: (2 + 3) / 6
    e1 = _score(client, "c-old", v1, {"identity": "yes", "accuracy": "4", "cross_sell": "na"})
    assert e1["total"] == pytest.approx(100 * 5 / 6)
    assert e1["critical_score"] == 100.0 and e1["non_critical_score"] is None
    r = client.post("/api/qa/evaluations", json={"contact_id": "c-old", "form_version_id": v1,
                                                 "answers": {"identity": "na", "accuracy": "4",
                                                             "cross_sell": "na"}})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.answers.identity"

    r = client.put("/api/qa/forms/1", json={"definition": FORM})  # no change: no new version
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.definition"
    edited = {**FORM, "title": "상담 평가 2"}
    r = client.put("/api/qa/forms/1", json={"definition": edited})
    assert r.status_code == 200 and r.json()["version"] == 2
    assert client.get(f"/api/qa/form-versions/{v1}").json()["definition"]["title"] == "상담 평가"
    assert client.get(f"/api/qa/evaluations/{e1['id']}").json()["form_version_id"] == v1

    _as(client, "a2")  # another agent: sees nothing of a1's
    assert client.get("/api/qa/evaluations").json() == []
    assert client.get(f"/api/qa/evaluations/{e1['id']}").status_code == 404
    r = client.post(f"/api/qa/evaluations/{e1['id']}/response", json={"kind": "acknowledge"})
    assert r.status_code == 404
    _as(client, "a1")
    assert [e["id"] for e in client.get("/api/qa/evaluations?agent_id=999").json()] == [e1["id"]]
    r = client.post(f"/api/qa/evaluations/{e1['id']}/response", json={"kind": "dispute"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.comment"
    r = client.post(f"/api/qa/evaluations/{e1['id']}/response",
                    json={"kind": "dispute", "comment": "고객 본인 확인은 IVR에서 끝났습니다"})
    assert r.status_code == 200 and r.json()["status"] == "disputed"
    assert r.json()["responses"][0]["by"] == "a1"
    r = client.post(f"/api/qa/evaluations/{e1['id']}/response", json={"kind": "acknowledge"})
    assert r.status_code == 409
    assert client.post(f"/api/qa/evaluations/{e1['id']}/reply",
                       json={"comment": "x"}).status_code == 403
    _as(client, "qa1")
    r = client.post(f"/api/qa/evaluations/{e1['id']}/reply", json={"comment": "녹취 재확인 결과 유지"})
    assert r.status_code == 200 and r.json()["status"] == "reviewed"
    assert [x["kind"] for x in r.json()["responses"]] == ["dispute", "reply"]
    r = client.post(f"/api/qa/evaluations/{e1['id']}/reply", json={"comment": "again"})
    assert r.status_code == 409


def test_calibration_coaching_follow_ups_and_scorecards(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _as(client, "qa1")
    v1 = client.post("/api/qa/forms", json={"key": "call", "definition": FORM}).json()["version_id"]
    good = {"identity": "yes", "accuracy": "5", "cross_sell": "yes"}  # 100
    # accuracy 2 fails the critical item: its section (6 points) earns 0, identity 2 of 2
    before = _score(client, "c-old", v1, {**good, "accuracy": "2"})
    assert before["total"] == pytest.approx(100 * 2 / 8)

    r = client.post("/api/qa/calibrations", json={"contact_id": "c-new", "form_version_id": v1,
                                                  "expert": "qa1"})
    cal = r.json()["id"]
    client.post(f"/api/qa/calibrations/{cal}/scores", json={"answers": good})
    _as(client, "qa2")
    r = client.post(f"/api/qa/calibrations/{cal}/scores",
                    json={"answers": {**good, "identity": "no"}})
    body = r.json()
    assert body["expert_total"] == 100.0 and body["fatal_agreement"] == 0.0
    assert body["evaluators"][0]["deviation"] == -100.0
    assert client.post(f"/api/qa/calibrations/{cal}/scores", json={"answers": good}).status_code == 409
    _as(client, "a1")  # calibration scores never count for the agent
    assert [e["contact_id"] for e in client.get("/api/qa/evaluations").json()] == ["c-old"]
    assert client.get(f"/api/qa/calibrations/{cal}").status_code == 403

    _as(client, "qa1")
    coaching = {"contact_id": "c-long", "form_id": 1,
                "points": [{"question_id": "accuracy", "note": "금리 조건 정확히"}]}
    assert client.post("/api/qa/coaching", json=coaching).status_code == 403
    _as(client, "sup")
    r = client.post("/api/qa/coaching", json={**coaching, "points": [{"question_id": "nope"}]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.points.0.question_id"
    r = client.post("/api/qa/coaching", json=coaching)
    assert r.status_code == 201
    opened = r.json()
    point = opened["points"][0]
    assert (point["before_mean"], point["before_n"], point["after_n"]) == (25.0, 1, 0)
    assert point["improved"] is None

    _as(client, "qa1")
    _score(client, "c-new", v1, good)  # a later contact, accuracy 5 of 5
    due_on = datetime.fromisoformat(opened["due_on"])
    later = due_on.replace(hour=3, tzinfo=UTC)  # 12:00 in Seoul on the due day
    monkeypatch.setattr(api, "utc_now", lambda: later)
    due = client.get("/api/qa/follow-ups/due").json()
    assert [f["follow_up_id"] for f in due["due_today"]] == [opened["follow_up_id"]]
    assert due["overdue"] == []
    progress = due["due_today"][0]["points"][0]
    assert (progress["before_mean"], progress["after_mean"], progress["after_n"]) == (25.0, 100.0, 1)
    assert progress["improved"] is True
    monkeypatch.setattr(api, "utc_now", lambda: later + timedelta(days=2))
    due = client.get("/api/qa/follow-ups/due").json()
    assert due["due_today"] == [] and len(due["overdue"]) == 1
    _as(client, "sup")
    r = client.post(f"/api/qa/follow-ups/{opened['follow_up_id']}/done", json={"note": "개선됨"})
    assert r.status_code == 200 and r.json()["status"] == "done"
    assert client.get("/api/qa/follow-ups/due").json()["overdue"] == []

    monkeypatch.setattr(api, "utc_now", lambda: NOW)
    cards = {c["agent"]: c for c in client.get("/api/qa/scorecards").json()}
    assert cards["a1"]["evaluations"] == 2 and cards["a1"]["qa_score"] == pytest.approx(62.5)
    assert cards["a1"]["handled"] == 3 and cards["a1"]["aht_seconds"] == pytest.approx(400.0)
    assert cards["a2"]["qa_score"] is None and cards["a2"]["handled"] == 1
    _as(client, "a2")
    assert [c["agent"] for c in client.get("/api/qa/scorecards").json()] == ["a2"]
    r = client.get("/api/qa/scorecards?from=2026-01-01&to=2025-01-01")
    assert r.status_code == 422


def test_pages_follow_the_roles(client: TestClient) -> None:
    _as(client, "qa1")
    v1 = client.post("/api/qa/forms", json={"key": "call", "definition": FORM}).json()["version_id"]
    e1 = _score(client, "c-old", v1, {"identity": "yes", "accuracy": "4", "cross_sell": "na"})
    page = client.get("/qa/evaluations")
    assert page.status_code == 200 and 'data-contact="c-new"' in page.text
    assert client.get(f"/qa/evaluations/new?contact_id=c-new&version_id={v1}").status_code == 200
    assert client.get("/qa/my-evaluations").status_code == 403
    _as(client, "a2")
    assert client.get("/qa/evaluations").status_code == 403
    assert client.get(f"/qa/evaluations/{e1['id']}").status_code == 404
    assert 'data-evaluation' not in client.get("/qa/my-evaluations").text
    _as(client, "a1")
    mine = client.get("/qa/my-evaluations")
    assert f'data-evaluation="{e1["id"]}"' in mine.text and "내 평가" in mine.text
    assert client.get("/qa/coaching").status_code == 403
    _as(client, "sup")
    assert client.get("/qa/coaching").status_code == 200
    assert client.get("/qa/coaching/new?contact_id=c-old").status_code == 200
    assert client.get("/qa/scorecards").status_code == 200


def test_form_page_shows_each_version(client: TestClient) -> None:
    _as(client, "qa1")
    client.post("/api/qa/forms", json={"key": "call", "definition": FORM})
    client.put("/api/qa/forms/1", json={"definition": {**FORM, "title": "상담 평가 2",
                                                       "sections": FORM["sections"][:1]}})
    latest = client.get("/qa/forms/1").text
    assert "v2" in latest and "정확성" not in latest.split("qa-definition")[0]
    first = client.get("/qa/forms/1?version=1").text
    assert "정확성" in first.split("qa-definition")[0]  # version 1 still asks it
    assert 'href="/qa/forms/1?version=2"' in first
