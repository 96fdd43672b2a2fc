"""The logged-in user (``/api/me``) and user administration (admin only)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from app.api.errors import Conflict, NotAuthenticated, NotFound, field_error
from app.api.params import Id32
from app.auth.authenticate import check_password, find_user
from app.auth.guards import CurrentUser, require_role
from app.auth.login_limits import normalize_username
from app.auth.passwords import hash_password
from app.auth.sessions import revoke_user_sessions, start_session
from app.deps import SessionDep
from app.models import Agent, Role, User

router = APIRouter(prefix="/api", tags=["users"])

Admin = Annotated[User, Depends(require_role("admin"))]
Locale = Literal["ko", "en"]
Password = Annotated[str, Field(min_length=8, max_length=200)]


class UserBase(BaseModel):
    username: str = Field(pattern=r"^[A-Za-z0-9_.-]{2,40}$")
    role: Role
    locale: Locale = "ko"
    agent_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class UserCreate(UserBase):
    """Usernames are case-insensitive: stored in lower case (``TST_U1`` becomes ``tst_u1``)."""

    model_config = ConfigDict(extra="forbid")
    password: Password

    @field_validator("username", mode="after")
    @classmethod
    def _lower(cls, username: str) -> str:
        return normalize_username(username)


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    role: str
    locale: str
    agent_id: int | None
    active: bool
    is_default_password: bool


class LocaleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    locale: Locale


class PasswordReset(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: Password


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: str = Field(max_length=200)
    new_password: Password


@router.get("/me", response_model=UserPublic)
def get_me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user)


@router.post("/me/locale", response_model=UserPublic)
def set_my_locale(session: SessionDep, user: CurrentUser, body: LocaleUpdate) -> UserPublic:
    user.locale = body.locale
    session.add(user)
    session.commit()
    session.refresh(user)
    return UserPublic.model_validate(user)


@router.post("/me/password", status_code=204)
async def change_my_password(
    request: Request,
    response: Response,
    session: SessionDep,
    user: CurrentUser,
    body: PasswordChange,
) -> None:
    """Change one's own password: this session continues (new cookies), other sessions end.

    Wrong current passwords count against the login rate limits (429 + ``Retry-After``),
    checked before the hash, like logins (:func:`app.auth.authenticate.check_password`).
    """
    try:
        await check_password(request, user.username, body.current_password)
    except NotAuthenticated:
        raise field_error(("body", "current_password"), "current password is wrong") from None
    new_hash = await request.app.state.hash_slots.run(hash_password, body.new_password)
    await run_in_threadpool(_store_new_password, request, response, session, user, new_hash)


def _store_new_password(
    request: Request, response: Response, session: Session, user: User, new_hash: str
) -> None:
    user.password_hash = new_hash
    user.is_default_password = False
    session.add(user)
    assert user.id is not None
    revoke_user_sessions(session, user.id)
    session.commit()
    session.refresh(user)
    start_session(request, response, user, session)


@router.get("/users", response_model=list[UserPublic])
def list_users(session: SessionDep, admin: Admin) -> list[UserPublic]:
    return [UserPublic.model_validate(u) for u in session.exec(select(User).order_by(col(User.id)))]


@router.post("/users", response_model=UserPublic, status_code=201)
def create_user(session: SessionDep, admin: Admin, body: UserCreate) -> UserPublic:
    if find_user(session, body.username) is not None:
        raise Conflict(f"username {body.username!r} is taken (usernames ignore case)")
    if body.agent_id is not None:
        if session.get(Agent, body.agent_id) is None:
            raise NotFound(f"agent {body.agent_id} not found")
        linked = session.exec(select(User).where(User.agent_id == body.agent_id)).first()
        if linked is not None:
            raise Conflict(f"agent_id {body.agent_id} is already linked to user {linked.username!r}")
    user = User(
        username=body.username,
        password_hash=hash_password(body.password),
        role=body.role.value,
        locale=body.locale,
        agent_id=body.agent_id,
    )
    session.add(user)
    session.commit()
    session.refresh(user)
    return UserPublic.model_validate(user)


@router.post("/users/{user_id}/password", status_code=204)
def reset_password(session: SessionDep, admin: Admin, user_id: Id32, body: PasswordReset) -> None:
    """Set a new password; all the user's sessions are revoked."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    user.password_hash = hash_password(body.password)
    user.is_default_password = False
    session.add(user)
    revoke_user_sessions(session, user_id)
    session.commit()
