"""The logged-in user (``/api/me``) and user administration (admin only, every change in the
admin audit log through :mod:`app.user_admin`).

Passwords are hashed in a bounded hash slot (:class:`app.auth.passwords.HashSlots`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app import user_admin
from app.api.errors import NotAuthenticated, field_error
from app.api.params import Id32
from app.auth.authenticate import check_password
from app.auth.guards import CurrentUser, require_role
from app.auth.login_limits import normalize_username
from app.auth.passwords import hash_password
from app.auth.sessions import revoke_user_sessions, start_session
from app.deps import SessionDep
from app.models import Role, User

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
    #: locked out after too many failed logins (an admin unlocks)
    locked: bool = False


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    active: bool | None = None
    role: Role | None = None
    agent_id: int | None = Field(default=None, ge=1, le=2**31 - 1,
                                 description="the agent profile; null unlinks")


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
    locked = user_admin.locked_ids(session)
    return [
        UserPublic.model_validate(u).model_copy(update={"locked": u.id in locked})
        for u in user_admin.all_users(session)
    ]


@router.post("/users", response_model=UserPublic, status_code=201)
async def create_user(
    request: Request, session: SessionDep, admin: Admin, body: UserCreate
) -> UserPublic:
    password_hash = await request.app.state.hash_slots.run(hash_password, body.password)
    user = await run_in_threadpool(
        user_admin.create_user, session, admin, body.username, password_hash, body.role,
        body.locale, body.agent_id,
    )
    return UserPublic.model_validate(user)


@router.post("/users/{user_id}/password", status_code=204)
async def reset_password(
    request: Request, session: SessionDep, admin: Admin, user_id: Id32, body: PasswordReset
) -> None:
    """Set a new password; all the user's sessions are revoked."""
    password_hash = await request.app.state.hash_slots.run(hash_password, body.password)
    await run_in_threadpool(user_admin.reset_password, session, admin, user_id, password_hash)


@router.patch("/users/{user_id}", response_model=UserPublic)
def update_user(session: SessionDep, admin: Admin, user_id: Id32, body: UserUpdate) -> UserPublic:
    """Disable or enable the account, or assign a role and an agent profile (audited)."""
    user = user_admin.get_user(session, user_id)
    if body.active is not None and body.active != user.active:
        user = user_admin.set_active(session, admin, user_id, body.active)
    if body.role is not None or "agent_id" in body.model_fields_set:
        role = body.role or Role(user.role)
        agent_id = body.agent_id if "agent_id" in body.model_fields_set else user.agent_id
        user = user_admin.assign(session, admin, user_id, role, agent_id)
    return UserPublic.model_validate(user)


@router.post("/users/{user_id}/unlock", response_model=UserPublic)
def unlock_user(request: Request, session: SessionDep, admin: Admin, user_id: Id32) -> UserPublic:
    """End the account's lock-out after too many failed logins (audited)."""
    user = user_admin.unlock_user(session, admin, user_id, request.app.state.login_limiter)
    return UserPublic.model_validate(user)
