"""``GET /api/health``: is the service up and its database reachable (no login needed)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

router = APIRouter(prefix="/api", tags=["health"])


class Health(BaseModel):
    status: str  # "ok" or "degraded"
    database: bool
    version: str


def package_version() -> str:
    try:
        return version("contactops")
    except PackageNotFoundError:  # running from a checkout that is not installed
        return "0+unknown"


def database_reachable(request: Request) -> bool:
    try:
        with request.app.state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
def health(request: Request) -> JSONResponse:
    """200 with ``status: ok`` when the database answers, else 503 ``degraded``."""
    ok = database_reachable(request)
    body = Health(status="ok" if ok else "degraded", database=ok, version=package_version())
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)
