"""The knowledge base in the database: saving articles (with their history, their scopes and
their full-text index, in the caller's transaction), searching them and suggesting them.

The full-text index depends on the backend; both index what :mod:`app.kb_text` analyses
(Korean as character bigrams, other words whole), so both find the same articles:

- **PostgreSQL**: ``kb_article.search_vector``, a ``tsvector`` built with the ``english``
  configuration (stemming, English stop words; Hangul bigrams pass through unchanged) from
  the title (weight A), the tags (B) and the body (weight D, positions stripped), GIN-indexed
  (``fastupdate`` off); ranked by ``ts_rank``. The body's positions are stripped because
  ranking reads every matching row's vector: without them a typical article's vector stays
  inline in the row (about 1.3 kB instead of 2 kB, TOASTed and compressed), which made the
  ranking of a common word's 2,000 matches several times faster in ``bench_kb.py``.
- **SQLite**: the FTS5 table ``kb_article_fts(title, tags, body)`` (``porter unicode61``),
  rowid = article id, created by migration 0013; ranked by ``bm25`` with the same order of
  weights (title 8, tags 4, body 1).

Every save writes the row, a :class:`~app.models.KbArticleVersion` (old versions kept), the
:class:`~app.models.KbArticleScope` rows and the index entry, and adds an admin-audit row
(:func:`app.admin_audit.record_change`); the caller commits them together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, get_args

from sqlalchemy import exists, func, text
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.admin_audit import record_change
from app.kb_text import QueryWord, Segment, analyze, highlight, query_words, snippet
from app.models import KbArticle, KbArticleScope, KbArticleVersion, User

Language = Literal["ko", "en"]
Kind = Literal["product", "procedure", "script"]
Status = Literal["active", "retired"]
LANGUAGES: tuple[str, ...] = get_args(Language)
KINDS: tuple[str, ...] = get_args(Kind)

#: PostgreSQL text-search configuration of the index and the queries (must be the same)
TS_CONFIG = "english"
#: FTS5 table on SQLite (migration 0013)
FTS_TABLE = "kb_article_fts"
#: the most results a search or a suggestion list returns
MAX_RESULTS = 50


@dataclass(frozen=True)
class ArticleFields:
    """What an editor sets on an article (checked at the API edge)."""

    title: str
    body: str
    language: str
    kind: str
    tags: list[str] = field(default_factory=list)
    queues: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SearchHit:
    article: KbArticle
    rank: float
    title: list[Segment]
    snippet: list[Segment]


@dataclass(frozen=True)
class SearchResult:
    hits: list[SearchHit]
    #: True when no article had every word and the hits have at least one of them
    any_word: bool


# --- saving ------------------------------------------------------------------------------------


def create_article(session: Session, fields: ArticleFields, actor: User,
                   now: datetime | None = None, *, audit: bool = True) -> KbArticle:
    """Add a new article (version 1) with its history, scopes, index entry and audit row
    (``audit=False``: no audit row, for the demo seed only)."""
    article = KbArticle(title=fields.title, body=fields.body, language=fields.language,
                        kind=fields.kind, tags=list(fields.tags), queues=list(fields.queues),
                        reasons=list(fields.reasons), status="active", version=1,
                        updated_by=actor.username, updated_at=now or datetime.now(UTC))
    session.add(article)
    session.flush()
    _after_save(session, article)
    if not audit:
        return article
    record_change(session, actor, "kb.create", _target(article),
                  {"language": article.language, "kind": article.kind, "version": 1})
    return article


def update_article(session: Session, article: KbArticle, fields: ArticleFields, actor: User,
                   now: datetime | None = None) -> KbArticle:
    """Save a new version of ``article`` (the old one stays in the history)."""
    changed = sorted(name for name in ("title", "body", "language", "kind", "tags", "queues",
                                       "reasons")
                     if getattr(article, name) != getattr(fields, name))
    article.title, article.body = fields.title, fields.body
    article.language, article.kind = fields.language, fields.kind
    article.tags, article.queues = list(fields.tags), list(fields.queues)
    article.reasons = list(fields.reasons)
    _bump(session, article, actor, now)
    record_change(session, actor, "kb.update", _target(article),
                  {"version": article.version, "changed": changed})
    return article


def set_status(session: Session, article: KbArticle, status: Status, actor: User,
               now: datetime | None = None) -> KbArticle:
    """Retire an article (no longer found or suggested) or bring it back, as a new version."""
    article.status = status
    _bump(session, article, actor, now)
    action = "kb.retire" if status == "retired" else "kb.restore"
    record_change(session, actor, action, _target(article), {"version": article.version})
    return article


def _bump(session: Session, article: KbArticle, actor: User, now: datetime | None) -> None:
    article.version += 1
    article.updated_by = actor.username
    article.updated_at = now or datetime.now(UTC)
    session.add(article)
    session.flush()
    _after_save(session, article)


def _target(article: KbArticle) -> str:
    return f"kb:{article.id} {article.title}"


def _after_save(session: Session, article: KbArticle) -> None:
    assert article.id is not None
    session.add(KbArticleVersion(
        article_id=article.id, version=article.version, title=article.title,
        body=article.body, language=article.language, kind=article.kind,
        tags=list(article.tags), queues=list(article.queues), reasons=list(article.reasons),
        status=article.status, updated_by=article.updated_by, updated_at=article.updated_at))
    for old in session.exec(select(KbArticleScope)
                            .where(KbArticleScope.article_id == article.id)).all():
        session.delete(old)
    scopes = [("queue", q) for q in dict.fromkeys(article.queues)]
    scopes += [("reason", r) for r in dict.fromkeys(article.reasons)]
    for scope, value in scopes if article.status == "active" else []:
        session.add(KbArticleScope(article_id=article.id, scope=scope, value=value,
                                   language=article.language, updated_at=article.updated_at))
    index_article(session, article)
    session.flush()


def index_article(session: Session, article: KbArticle) -> None:
    """Write ``article``'s full-text index entry (replacing any earlier one); a retired
    article has none (so a search needs no status filter)."""
    title, tags, body = (analyze(article.title), analyze(" ".join(article.tags)),
                         analyze(article.body))
    values = {"id": article.id, "title": title, "tags": tags, "body": body}
    if article.status != "active":
        if _dialect(session) == "postgresql":
            session.execute(text("UPDATE kb_article SET search_vector = NULL WHERE id = :id"),
                            {"id": article.id})
        else:
            session.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"),
                            {"id": article.id})
        return
    if _dialect(session) == "postgresql":
        session.execute(text(
            f"UPDATE kb_article SET search_vector = "
            f"setweight(to_tsvector('{TS_CONFIG}', :title), 'A') || "
            f"setweight(to_tsvector('{TS_CONFIG}', :tags), 'B') || "
            f"strip(to_tsvector('{TS_CONFIG}', :body)) WHERE id = :id"), values)
        return
    session.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"), {"id": article.id})
    session.execute(text(f"INSERT INTO {FTS_TABLE} (rowid, title, tags, body) "
                         "VALUES (:id, :title, :tags, :body)"), values)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


# --- reading -----------------------------------------------------------------------------------


def search(session: Session, query: str, *, language: str | None = None,
           kind: str | None = None, limit: int = 10) -> SearchResult:
    """Active articles matching every word of ``query``, best first (when none does: any
    word), each with its title and a snippet of its body with the hits marked."""
    words = query_words(query)
    if not words:
        return SearchResult([], any_word=False)
    limit = max(1, min(limit, MAX_RESULTS))
    ranked = _ranked(session, words, "and", language, kind, limit)
    any_word = False
    if not ranked and len(words) > 1:
        ranked, any_word = _ranked(session, words, "or", language, kind, limit), True
    articles = {a.id: a for a in session.exec(
        select(KbArticle).where(col(KbArticle.id).in_([i for i, _ in ranked]))).all()}
    hits = [SearchHit(articles[i], rank, highlight(articles[i].title, words),
                      snippet(articles[i].body, words))
            for i, rank in ranked if i in articles]
    return SearchResult(hits, any_word=any_word)


def _ranked(session: Session, words: list[QueryWord], mode: Literal["and", "or"],
            language: str | None, kind: str | None, limit: int) -> list[tuple[int, float]]:
    params: dict[str, object] = {"limit": limit}
    filters = ["a.status = 'active'"]
    if language is not None:
        filters.append("a.language = :language")
        params["language"] = language
    if kind is not None:
        filters.append("a.kind = :kind")
        params["kind"] = kind
    where = " AND ".join(filters)
    if _dialect(session) == "postgresql":
        params["q"] = pg_tsquery(words, mode)
        sql = (f"SELECT a.id, ts_rank(a.search_vector, q) AS rank "
               f"FROM kb_article a, to_tsquery('{TS_CONFIG}', :q) q "
               f"WHERE a.search_vector @@ q AND {where} ORDER BY rank DESC, a.id LIMIT :limit")
        rows = session.execute(text(sql), params).all()
        return [(int(r[0]), float(r[1])) for r in rows]
    params["q"] = fts5_query(words, mode)
    if language is None and kind is None:  # the FTS table alone: only active articles are in it
        sql = (f"SELECT rowid, bm25({FTS_TABLE}, 8.0, 4.0, 1.0) AS rank FROM {FTS_TABLE} "
               f"WHERE {FTS_TABLE} MATCH :q ORDER BY rank, rowid LIMIT :limit")
        rows = session.execute(text(sql), params).all()
        return [(int(r[0]), -float(r[1])) for r in rows]
    sql = (f"SELECT a.id, bm25({FTS_TABLE}, 8.0, 4.0, 1.0) AS rank FROM {FTS_TABLE} "
           f"JOIN kb_article a ON a.id = {FTS_TABLE}.rowid "
           f"WHERE {FTS_TABLE} MATCH :q AND {where} ORDER BY rank, a.id LIMIT :limit")
    rows = session.execute(text(sql), params).all()
    return [(int(r[0]), -float(r[1])) for r in rows]  # bm25: lower is better


def pg_tsquery(words: Sequence[QueryWord], mode: Literal["and", "or"]) -> str:
    """A ``to_tsquery`` text: each word's terms all required, words joined by ``mode``.
    Terms are runs of letters and digits (:mod:`app.kb_text`), quoted all the same."""
    groups = []
    for word in words:
        terms = [f"'{t}'" + (":*" if word.prefix else "") for t in word.terms]
        groups.append("(" + " & ".join(terms) + ")")
    return (" & " if mode == "and" else " | ").join(groups)


def fts5_query(words: Sequence[QueryWord], mode: Literal["and", "or"]) -> str:
    """An FTS5 ``MATCH`` expression with the same meaning as :func:`pg_tsquery`."""
    groups = []
    for word in words:
        terms = [f'"{t}"' + ("*" if word.prefix else "") for t in word.terms]
        groups.append("(" + " AND ".join(terms) + ")")
    return (" AND " if mode == "and" else " OR ").join(groups)


def suggest(session: Session, *, queue: str | None, reason: str | None,
            language: str | None = None, limit: int = 5) -> list[KbArticle]:
    """Active articles for this call, newest edit first within each group: those for both
    its contact ``reason`` and its ``queue``, then those for the reason, then for the queue.

    Three small queries on the scope index (``scope, value, language, updated_at``), each a
    top-``limit`` walk however many articles a busy queue has."""
    limit = max(1, min(limit, MAX_RESULTS))
    groups: list[tuple[tuple[str, str], tuple[str, str] | None]] = []
    if reason and queue:
        groups.append((("reason", reason), ("queue", queue)))
    if reason:
        groups.append((("reason", reason), None))
    if queue:
        groups.append((("queue", queue), None))
    picked: list[int] = []
    for (scope, value), also in groups:
        if len(picked) >= limit:
            break
        picked += _scoped(session, scope, value, language, limit - len(picked), picked, also)
    articles = {a.id: a for a in session.exec(
        select(KbArticle).where(col(KbArticle.id).in_(picked),
                                col(KbArticle.status) == "active")).all()}
    return [articles[i] for i in picked if i in articles]


def _scoped(session: Session, scope: str, value: str, language: str | None, limit: int,
            exclude: list[int], also: tuple[str, str] | None) -> list[int]:
    """Ids of the newest articles for ``scope = value`` (and ``also``), but ``exclude``."""
    row = KbArticleScope
    statement = (select(row.article_id)
                 .where(col(row.scope) == scope, col(row.value) == value)
                 .order_by(col(row.updated_at).desc(), col(row.article_id)).limit(limit))
    if language is not None:
        statement = statement.where(col(row.language) == language)
    if exclude:
        statement = statement.where(col(row.article_id).not_in(exclude))
    if also is not None:
        other = aliased(KbArticleScope)
        statement = statement.where(exists().where(
            col(other.article_id) == col(row.article_id), col(other.scope) == also[0],
            col(other.value) == also[1]))
    return list(session.exec(statement).all())


def list_articles(session: Session, *, status: str | None = None, language: str | None = None,
                  kind: str | None = None, offset: int = 0,
                  limit: int = 50) -> tuple[int, list[KbArticle]]:
    """A page of articles (newest edit first) and how many match in all."""
    statement = select(KbArticle)
    counting = select(func.count()).select_from(KbArticle)
    for column, value in ((KbArticle.status, status), (KbArticle.language, language),
                          (KbArticle.kind, kind)):
        if value is not None:
            statement = statement.where(col(column) == value)
            counting = counting.where(col(column) == value)
    total = int(session.exec(counting).one())
    page = session.exec(statement.order_by(col(KbArticle.updated_at).desc(), col(KbArticle.id))
                        .offset(offset).limit(max(1, min(limit, 200)))).all()
    return total, list(page)


def versions(session: Session, article_id: int) -> list[KbArticleVersion]:
    """The article's saved versions, newest first."""
    return list(session.exec(
        select(KbArticleVersion).where(KbArticleVersion.article_id == article_id)
        .order_by(col(KbArticleVersion.version).desc())).all())
