"""The browser's sign-in session (a cookie) and the end-session endpoint that clears it."""

from __future__ import annotations

from urllib.parse import urlsplit

from desktop_app.sandbox import pages
from desktop_app.sandbox.context import IdpContext
from desktop_app.sandbox.state import BrowserSession
from desktop_app.sandbox.web import Request, Response, html_response, redirect, with_params

SESSION_COOKIE = "sbx_session"
_LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]", "::1")


def redirect_uri_matches(registered: str, requested: str) -> bool:
    """Exact match, except that loopback redirect URIs match on any port (as Entra does)."""
    if registered == requested:
        return True
    try:
        reg, req = urlsplit(registered), urlsplit(requested)
        req.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return False
    if reg.scheme != "http" or reg.hostname not in _LOOPBACK_HOSTS or reg.port is not None:
        return False
    return (
        req.scheme == "http"
        and req.hostname == reg.hostname
        and (req.path or "/") == (reg.path or "/")
        and req.query == reg.query
        and not req.fragment
        and not req.username
    )


def current_session(ctx: IdpContext, req: Request) -> tuple[str | None, BrowserSession | None]:
    session_id = req.cookies.get(SESSION_COOKIE)
    if not session_id:
        return None, None
    with ctx.state.lock:
        session = ctx.state.sessions.get(session_id)
    return (session_id, session) if session else (None, None)


def session_cookie(req: Request, value: str, max_age: int | None = None) -> str:
    cookie = f"{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax"
    if req.secure:
        cookie += "; Secure"
    if max_age is not None:
        cookie += f"; Max-Age={max_age}"
    return cookie


def logout(ctx: IdpContext, req: Request) -> Response:
    session_id, _session = current_session(ctx, req)
    if session_id is not None:
        with ctx.state.lock:
            ctx.state.sessions.pop(session_id, None)
    headers = [("Set-Cookie", session_cookie(req, "", max_age=0))]
    target = req.param("post_logout_redirect_uri")
    if target and _registered_anywhere(ctx, target):
        state = req.param("state")
        url = with_params(target, {"state": state}) if state else target
        return redirect(url, headers)
    return html_response(200, pages.signed_out(), headers)


def _registered_anywhere(ctx: IdpContext, uri: str) -> bool:
    return any(
        redirect_uri_matches(r, uri) for app in ctx.directory.apps() for r in app.redirect_uris
    )
