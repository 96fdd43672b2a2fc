"""The knowledge base API (app/api/kb.py over app/kb.py) on SQLite (FTS5) and PostgreSQL
(tsvector + GIN): Korean and English search with ranking and highlighted snippets,
suggestions from the queue and contact reason, supervisors' editing with history and audit,
agents reading only, 422s naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, select

from app.db import make_engine
from app.models import AdminAudit, KbArticle
from app.seed.kb_articles import SUBJECTS, seed_kb
from app.testing import create_user, make_client, make_settings
from tests.app.live_helpers import as_user

ARTICLE: dict[str, Any] = {
    "title": "자동차보험 연계 적금 안내", "body": "적금을 자동차보험료 납부 계좌로 지정하면 "
    "우대금리 0.2%p를 드립니다. Premium savings for car insurance payers.",
    "language": "ko", "kind": "product", "tags": ["적금", "우대금리"],
    "queues": ["deposits"], "reasons": ["product_inquiry"],
}


@pytest.fixture
def client(database_url: str) -> Any:
    with make_client(make_settings(database_url)) as c:
        app = c.app
        assert isinstance(app, FastAPI)
        for name, role in (("sup", "supervisor"), ("agent01", "agent"), ("adm", "admin"),
                           ("plan", "planner")):
            create_user(app, name, role)
        seed_kb(app.state.engine)
        yield c


def _search(client: TestClient, q: str, **params: Any) -> dict[str, Any]:
    res = client.get("/api/kb/search", params={"q": q, **params})
    assert res.status_code == 200, res.text
    body: dict[str, Any] = res.json()
    return body


def _titles(found: dict[str, Any]) -> list[str]:
    return [h["article"]["title"] for h in found["hits"]]


def test_korean_search_finds_the_word_whatever_its_particle(client: TestClient) -> None:
    as_user(client, "agent01")
    plain = _search(client, "정기예금")
    with_particle = _search(client, "정기예금을")
    assert plain["hits"] and _titles(plain) == _titles(with_particle)
    assert all(h["article"]["language"] == "ko" for h in plain["hits"])
    # the title that names it ranks first, and the hit is marked in title and snippet
    assert "정기예금" in plain["hits"][0]["article"]["title"]
    assert any(p["hit"] and p["text"] == "정기예금" for p in plain["hits"][0]["title"])
    found = _search(client, "카드를 분실했어요")
    assert found["hits"][0]["article"]["title"] in ("카드 분실 신고 절차", "카드 분실 고객 응대 스크립트")
    assert any(p["hit"] for h in found["hits"] for p in h["snippet"])


def test_english_search_stems_and_ranks(client: TestClient) -> None:
    as_user(client, "agent01")
    fees = _search(client, "prepayment fees")
    assert fees["hits"][0]["article"]["title"] == "Loan prepayment fees"
    assert not fees["any_word"]
    fee = _search(client, "fee prepaying")  # other forms of the same words
    assert "Loan prepayment fees" in _titles(fee)
    lost = _search(client, "lost cards")
    assert set(_titles(lost)[:2]) == {"Reporting a lost card", "Lost card call script"}
    typed = _search(client, "voice phish")  # the last word as a prefix while typing
    assert _titles(typed)[0] == "Voice phishing: suspending the payment"
    snippet = "".join(p["text"] for p in fees["hits"][0]["snippet"])
    assert "prepayment fee" in snippet.lower()
    assert {p["text"].lower() for p in fees["hits"][0]["snippet"] if p["hit"]} >= {"prepayment"}


def test_no_article_has_every_word_then_any_word_and_bounds(client: TestClient) -> None:
    as_user(client, "agent01")
    some = _search(client, "mortgage zzzzqqq")
    assert some["any_word"] and _titles(some)[0].startswith("Mortgage")
    assert _search(client, "zzzzqqq")["hits"] == []
    assert _search(client, "  ,,, ")["hits"] == []
    assert len(_search(client, "the", limit=50)["hits"]) <= 50
    filtered = _search(client, "card", language="en", kind="script")
    assert _titles(filtered) == ["Lost card call script"]
    for params, field in (({"q": "x" * 201}, "q"), ({"q": "a", "limit": 51}, "limit"),
                          ({"q": "a", "language": "jp"}, "language")):
        res = client.get("/api/kb/search", params=params)
        assert res.status_code == 422 and res.json()["errors"][0]["loc"][-1] == field


def test_suggestions_put_the_reason_before_the_queue(client: TestClient) -> None:
    as_user(client, "agent01")
    res = client.get("/api/kb/suggestions",
                     params={"queue": "cards", "reason": "card_lost", "language": "ko"})
    titles = [a["title"] for a in res.json()]
    assert set(titles[:2]) == {"카드 분실 신고 절차", "카드 분실 고객 응대 스크립트"}
    assert len(titles) == 5 and all(a["language"] == "ko" for a in res.json())
    only_queue = client.get("/api/kb/suggestions", params={"queue": "fx"}).json()
    assert {a["title"] for a in only_queue} >= {"해외송금 한도와 수수료",
                                                 "Overseas remittance: limits and fees"}
    assert client.get("/api/kb/suggestions").json() == []
    bad = client.get("/api/kb/suggestions", params={"reason": "a b"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"][-1] == "reason"


def test_supervisor_edits_with_history_audit_and_index(client: TestClient) -> None:
    as_user(client, "sup")
    res = client.post("/api/kb/articles", json=ARTICLE)
    assert res.status_code == 201, res.text
    article = res.json()
    assert article["version"] == 1 and article["updated_by"] == "sup"
    assert _titles(_search(client, "자동차보험"))[0] == ARTICLE["title"]
    edit = {**ARTICLE, "title": "자동차보험 연계 적금 (개정)", "body": "우대금리 0.3%p로 인상.",
            "version": 1}
    newest = client.get("/api/kb/suggestions", params={"reason": "product_inquiry",
                                                       "queue": "deposits"}).json()
    assert newest[0]["id"] == article["id"]  # for both, and the newest edit
    res = client.put(f"/api/kb/articles/{article['id']}", json=edit)
    assert res.status_code == 200 and res.json()["version"] == 2
    assert "Premium" not in res.json()["body"]
    assert _search(client, "premium savings")["hits"] == []  # the old text left the index
    assert _titles(_search(client, "인상"))[0] == "자동차보험 연계 적금 (개정)"
    stale = client.put(f"/api/kb/articles/{article['id']}", json=edit)  # from version 1 again
    assert stale.status_code == 409
    assert client.post(f"/api/kb/articles/{article['id']}/retire").json()["status"] == "retired"
    assert _search(client, "자동차보험")["hits"] == []
    suggested = client.get("/api/kb/suggestions", params={"reason": "product_inquiry",
                                                          "limit": 50}).json()
    assert article["id"] not in [a["id"] for a in suggested] and suggested
    assert client.post(f"/api/kb/articles/{article['id']}/retire").status_code == 409
    history = client.get(f"/api/kb/articles/{article['id']}/versions").json()
    assert [v["version"] for v in history] == [3, 2, 1]
    assert history[2]["title"] == ARTICLE["title"] and history[0]["status"] == "retired"
    as_user(client, "agent01")  # agents no longer see it
    assert client.get(f"/api/kb/articles/{article['id']}").status_code == 404
    as_user(client, "adm")  # admins edit too
    assert client.post(f"/api/kb/articles/{article['id']}/restore").json()["version"] == 4
    app = client.app
    assert isinstance(app, FastAPI)
    with Session(app.state.engine) as session:
        audit = session.exec(select(AdminAudit).where(AdminAudit.action.startswith("kb."))  # type: ignore[attr-defined]
                             .order_by(AdminAudit.id)).all()  # type: ignore[arg-type]
    assert [(a.actor, a.action) for a in audit] == [
        ("sup", "kb.create"), ("sup", "kb.update"), ("sup", "kb.retire"), ("adm", "kb.restore")]
    assert audit[1].detail["changed"] == ["body", "title"]


def test_agents_and_others_read_only(client: TestClient) -> None:
    for name in ("agent01", "plan"):
        as_user(client, name)
        assert client.post("/api/kb/articles", json=ARTICLE).status_code == 403
        assert client.post("/api/kb/articles/1/retire").status_code == 403
        assert client.get("/api/kb/articles/1/versions").status_code == 403
        page = client.get("/api/kb/articles", params={"status": "retired"}).json()
        assert page["total"] == len(SUBJECTS) * 2  # only active ones, whatever was asked
        assert client.get("/api/kb/articles/1").json()["body"]
    as_user(client, "sup")
    assert client.get("/kb").status_code == 200
    as_user(client, "agent01")
    assert client.get("/kb").status_code in (403, 303)


@pytest.mark.parametrize(("change", "field"), [
    ({"title": ""}, "title"), ({"title": "x" * 201}, "title"), ({"body": "   "}, "body"),
    ({"body": "x" * 20_001}, "body"), ({"language": "ja"}, "language"),
    ({"kind": "faq"}, "kind"), ({"tags": ["a,b"]}, 0), ({"tags": ["t"] * 21}, "tags"),
    ({"queues": ["bad queue"]}, 0), ({"reasons": ["x" * 41]}, 0), ({"extra": 1}, "extra"),
])
def test_bad_articles_are_a_422_naming_the_field(client: TestClient, change: dict[str, Any],
                                                 field: str | int) -> None:
    as_user(client, "sup")
    res = client.post("/api/kb/articles", json={**ARTICLE, **change})
    assert res.status_code == 422, res.text
    assert res.json()["errors"][0]["loc"][-1] == field
    res = client.put("/api/kb/articles/1", json={**ARTICLE})  # no version
    assert res.status_code == 422 and res.json()["errors"][0]["loc"][-1] == "version"


def test_the_index_is_the_backends_own(database_url: str) -> None:
    """PostgreSQL: a GIN-indexed tsvector column; SQLite: the FTS5 table of migration 0013."""
    with make_client(make_settings(database_url)) as c:
        app = c.app
        assert isinstance(app, FastAPI)
        seed_kb(app.state.engine)
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                kind = conn.execute(text(
                    "SELECT am.amname FROM pg_class c JOIN pg_am am ON am.oid = c.relam "
                    "WHERE c.oid = to_regclass('ix_kb_article_search_vector')")).scalar_one()
                assert kind == "gin"
                missing = conn.execute(text(
                    "SELECT count(*) FROM kb_article WHERE search_vector IS NULL")).scalar_one()
                assert missing == 0
            else:
                rows = conn.execute(text("SELECT count(*) FROM kb_article_fts")).scalar_one()
                assert rows == conn.execute(
                    select(KbArticle.id)).all().__len__() == len(SUBJECTS) * 2
    finally:
        engine.dispose()
