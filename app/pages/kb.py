"""``/kb``: the knowledge base editor for supervisors (and admins): find, write, edit, retire
and restore articles and read their history. Everything goes through ``/api/kb``
(:mod:`app.api.kb`); the page only renders the frame and its translated labels."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.auth import require_role
from app.kb import KINDS, LANGUAGES
from app.models import User
from app.pages import render

router = APIRouter(tags=["pages"], include_in_schema=False)

Editor = Annotated[User, Depends(require_role("supervisor"))]


@router.get("/kb")
def kb_page(request: Request, user: Editor) -> Response:
    return render(request, "kb.html", user, {"languages": LANGUAGES, "kinds": KINDS})
