"""Security headers on every HTTP response: CSP, anti-framing, nosniff, referrer policy."""

from __future__ import annotations

from typing import Any

# --- security headers ----------------------------------------------------------------------

#: ``onsubmit="return false"`` on the planner's form, allowed by hash (CSP3 'unsafe-hashes')
_INLINE_HANDLER_HASHES = ("'sha256-GZIcz60Uwd6wT3vaYke/atSr53TehbYAPepOa3d03Vw='",)

#: Pages load scripts only from this origin (``/static``, the locally served Plotly file);
#: styles allow 'unsafe-inline' because agent.js/wallboard.js and Plotly add ``<style>``
#: elements and the templates use ``style=`` attributes (style injection cannot run script).
#: Websockets are same-origin ('self' covers ws:/wss: on the same host, CSP Level 3).
_CSP_DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self' 'unsafe-hashes' " + " ".join(_INLINE_HANDLER_HASHES),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
CONTENT_SECURITY_POLICY = "; ".join(_CSP_DIRECTIVES)


def content_security_policy(extra_connect: tuple[str, ...] = ()) -> str:
    """The pages' policy, with ``extra_connect`` sources (e.g. the SIP proxy's WebSocket URI
    the agent console's softphone registers on) added to ``connect-src``."""
    if not extra_connect:
        return CONTENT_SECURITY_POLICY
    return "; ".join(
        d + "".join(" " + src for src in extra_connect) if d.startswith("connect-src") else d
        for d in _CSP_DIRECTIVES
    )


#: The API docs (Swagger UI from a CDN, with an inline script) only refuse framing.
DOCS_CONTENT_SECURITY_POLICY = "frame-ancestors 'none'"
DOCS_PREFIX = "/api/docs"

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)


class SecurityHeadersMiddleware:
    """Pure ASGI middleware adding anti-framing, CSP, nosniff and referrer headers to every
    HTTP response (headers a route already set are kept). Websockets pass untouched."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        csp = DOCS_CONTENT_SECURITY_POLICY if path.startswith(DOCS_PREFIX) else (
            CONTENT_SECURITY_POLICY
        )
        extra = (*SECURITY_HEADERS, (b"content-security-policy", csp.encode()))

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((k, v) for k, v in extra if k not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
