"""``/planner``: history, forecast with its interval band, required agents and forecast accuracy.

The page is rendered by the server (queues from the database, the upload form with its CSRF
token); the charts are drawn in the browser by Plotly.js (``app/static/planner.js``) from the
planner API (:mod:`app.api.wfm`). Plotly.js is served from the installed ``plotly`` Python
package (``plotly/package_data/plotly.min.js``) at :data:`PLOTLY_URL`, never from a CDN.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response

from app.api.errors import NotFound
from app.auth import require_role
from app.deps import SessionDep
from app.models import User
from app.pages import render
from app.wfm_history import get_upload, history_queues, store_upload

router = APIRouter(tags=["pages"], include_in_schema=False)

PlannerUser = Annotated[User, Depends(require_role("planner"))]
#: Not under ``/static``: the app mounts that directory first, which would shadow a route.
PLOTLY_URL = "/vendor/plotly.min.js"
INTERVAL_CHOICES = (15, 30, 60)
UPLOAD_MISSING = "That uploaded history is no longer kept; upload it again."


def plotly_path() -> Path:
    import plotly

    return Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


@router.get(PLOTLY_URL)
def plotly_js() -> Response:
    path = plotly_path()
    if not path.is_file():
        raise NotFound("plotly.min.js is not in the installed plotly package")
    return FileResponse(
        path, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"}
    )


def _page(
    request: Request,
    session: SessionDep,
    user: User,
    history_id: str | None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    upload = get_upload(request.app.state, history_id) if history_id else None
    context = {
        "queues": history_queues(session),
        "intervals": INTERVAL_CHOICES,
        "history_id": history_id if upload is not None else None,
        "upload": upload,
        "error": error or (UPLOAD_MISSING if history_id and upload is None else None),
        "plotly_url": PLOTLY_URL,
    }
    return render(request, "planner.html", user, context, status_code=status_code)


@router.get("/planner")
def planner_page(
    request: Request, session: SessionDep, user: PlannerUser, history: str | None = None
) -> Response:
    return _page(request, session, user, history)


@router.post("/planner/upload")
async def planner_upload(
    request: Request, session: SessionDep, user: PlannerUser, file: Annotated[UploadFile, File()]
) -> Response:
    """The upload form (multipart, with ``csrf_token``): keep the CSV, then show the page on it."""
    data = await file.read()
    try:
        upload_id, _history = store_upload(request.app.state, data)
    except ValueError as exc:
        return _page(request, session, user, None, f"{file.filename}: {exc}", 422)
    return RedirectResponse(f"/planner?history={upload_id}", status_code=303)
