"""The knowledge base API (``/api/kb``): search, suggestions for the call, articles and their
history; supervisors (and admins) create, edit, retire and restore articles.

Roles: every logged-in user reads active articles (agents beside the call); supervisors and
admins also read retired ones and the edit history, and change articles. Every change is in
the admin audit log (``kb.create``, ``kb.update``, ``kb.retire``, ``kb.restore``).

Bounds: a query of at most :data:`MAX_QUERY_CHARS` characters, at most
:data:`app.kb.MAX_RESULTS` results; a title of at most 200 characters, a body of at most
:data:`MAX_BODY_CHARS`, at most :data:`MAX_LIST_ITEMS` tags, queues and reasons. An edit
names the ``version`` it was made from; a newer version saved meanwhile is a 409.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.api.errors import Conflict, NotFound
from app.api.params import Id32
from app.auth import CurrentUser, require_role
from app.deps import SessionDep
from app.kb import (
    MAX_RESULTS,
    ArticleFields,
    Kind,
    Language,
    create_article,
    list_articles,
    search,
    set_status,
    suggest,
    update_article,
    versions,
)
from app.kb_text import Segment
from app.models import KbArticle, Role, User

router = APIRouter(prefix="/api/kb", tags=["knowledge base"])

Editor = Annotated[User, Depends(require_role("supervisor"))]

MAX_QUERY_CHARS = 200
MAX_BODY_CHARS = 20_000
MAX_LIST_ITEMS = 20
CODE = r"^[A-Za-z0-9_\-]{1,40}$"
TAG = r"^[^\s,][^,]{0,38}[^\s,]$|^[^\s,]$"

Code = Annotated[str, Field(pattern=CODE)]
Tag = Annotated[str, Field(pattern=TAG, description="1 to 40 characters, no comma")]


class ArticleIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=MAX_BODY_CHARS)
    language: Language
    kind: Kind
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    queues: list[Code] = Field(default_factory=list, max_length=MAX_LIST_ITEMS,
                               description="queue names, e.g. deposits")
    reasons: list[Code] = Field(default_factory=list, max_length=MAX_LIST_ITEMS,
                                description="contact reason codes, e.g. card_lost")

    @field_validator("title", "body")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    def fields(self) -> ArticleFields:
        return ArticleFields(title=self.title, body=self.body, language=self.language,
                             kind=self.kind, tags=list(dict.fromkeys(self.tags)),
                             queues=list(dict.fromkeys(self.queues)),
                             reasons=list(dict.fromkeys(self.reasons)))


class ArticleUpdate(ArticleIn):
    version: int = Field(ge=1, le=2**31 - 1, description="the version this edit was made from")


class ArticleSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
    language: str
    kind: str
    tags: list[str]
    status: str
    version: int
    updated_by: str
    updated_at: datetime


class ArticlePublic(ArticleSummary):
    body: str
    queues: list[str]
    reasons: list[str]


class ArticlePage(BaseModel):
    total: int
    articles: list[ArticleSummary]


class Piece(BaseModel):
    text: str
    hit: bool


class Hit(BaseModel):
    article: ArticleSummary
    rank: float
    title: list[Piece]
    snippet: list[Piece]


class SearchOut(BaseModel):
    query: str
    any_word: bool = Field(description="no article had every word; these have some")
    hits: list[Hit]


class VersionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    version: int
    title: str
    body: str
    language: str
    kind: str
    tags: list[str]
    queues: list[str]
    reasons: list[str]
    status: str
    updated_by: str
    updated_at: datetime


def _pieces(segments: list[Segment]) -> list[Piece]:
    return [Piece(text=t, hit=h) for t, h in segments]


def _is_editor(user: User) -> bool:
    return user.role in (Role.supervisor, Role.admin)


def _article(session: SessionDep, article_id: int, user: User) -> KbArticle:
    article = session.get(KbArticle, article_id)
    if article is None or (article.status != "active" and not _is_editor(user)):
        raise NotFound(f"article {article_id} not found")
    return article


@router.get("/search", response_model=SearchOut)
def search_articles(
    session: SessionDep,
    user: CurrentUser,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="words to find")],
    language: Annotated[Language | None, Query()] = None,
    kind: Annotated[Kind | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_RESULTS)] = 10,
) -> SearchOut:
    """Active articles with every word of ``q`` (Korean or English), best first, with the
    title and a snippet of the body cut into pieces (``hit``: a match to highlight)."""
    result = search(session, q, language=language, kind=kind, limit=limit)
    return SearchOut(query=q, any_word=result.any_word, hits=[
        Hit(article=ArticleSummary.model_validate(h.article), rank=h.rank,
            title=_pieces(h.title), snippet=_pieces(h.snippet)) for h in result.hits])


@router.get("/suggestions", response_model=list[ArticleSummary])
def suggestions(
    session: SessionDep,
    user: CurrentUser,
    queue: Annotated[str | None, Query(pattern=CODE, description="the call's queue")] = None,
    reason: Annotated[str | None, Query(pattern=CODE, description="contact reason")] = None,
    language: Annotated[Language | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_RESULTS)] = 5,
) -> list[ArticleSummary]:
    """Articles for the current call: its contact ``reason`` first, then its ``queue``."""
    found = suggest(session, queue=queue, reason=reason, language=language, limit=limit)
    return [ArticleSummary.model_validate(a) for a in found]


@router.get("/articles", response_model=ArticlePage)
def get_articles(
    session: SessionDep,
    user: CurrentUser,
    status: Annotated[str | None, Query(pattern="^(active|retired)$")] = None,
    language: Annotated[Language | None, Query()] = None,
    kind: Annotated[Kind | None, Query()] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ArticlePage:
    """A page of articles, newest edit first (retired ones for supervisors only)."""
    if not _is_editor(user):
        status = "active"
    total, page = list_articles(session, status=status, language=language, kind=kind,
                                offset=offset, limit=limit)
    return ArticlePage(total=total, articles=[ArticleSummary.model_validate(a) for a in page])


@router.get("/articles/{article_id}", response_model=ArticlePublic)
def get_article(session: SessionDep, user: CurrentUser, article_id: Id32) -> ArticlePublic:
    return ArticlePublic.model_validate(_article(session, article_id, user))


@router.get("/articles/{article_id}/versions", response_model=list[VersionPublic])
def get_versions(session: SessionDep, user: Editor, article_id: Id32) -> list[VersionPublic]:
    """Every saved version, newest first."""
    _article(session, article_id, user)
    return [VersionPublic.model_validate(v) for v in versions(session, article_id)]


@router.post("/articles", response_model=ArticlePublic, status_code=201)
def post_article(session: SessionDep, user: Editor, body: ArticleIn) -> ArticlePublic:
    article = create_article(session, body.fields(), user)
    session.commit()
    session.refresh(article)
    return ArticlePublic.model_validate(article)


@router.put("/articles/{article_id}", response_model=ArticlePublic)
def put_article(session: SessionDep, user: Editor, article_id: Id32,
                body: ArticleUpdate) -> ArticlePublic:
    article = _article(session, article_id, user)
    if article.version != body.version:
        raise Conflict(f"article {article_id} is at version {article.version}, this edit was "
                       f"made from version {body.version}: reload it first")
    update_article(session, article, body.fields(), user)
    session.commit()
    session.refresh(article)
    return ArticlePublic.model_validate(article)


@router.post("/articles/{article_id}/retire", response_model=ArticlePublic)
def retire_article(session: SessionDep, user: Editor, article_id: Id32) -> ArticlePublic:
    """Retire the article: no longer found or suggested; kept with its history."""
    return _set_status(session, user, article_id, "retired")


@router.post("/articles/{article_id}/restore", response_model=ArticlePublic)
def restore_article(session: SessionDep, user: Editor, article_id: Id32) -> ArticlePublic:
    return _set_status(session, user, article_id, "active")


def _set_status(session: SessionDep, user: User, article_id: int,
                status: str) -> ArticlePublic:
    article = _article(session, article_id, user)
    if article.status == status:
        raise Conflict(f"article {article_id} is already {status}")
    set_status(session, article, "retired" if status == "retired" else "active", user)
    session.commit()
    session.refresh(article)
    return ArticlePublic.model_validate(article)
