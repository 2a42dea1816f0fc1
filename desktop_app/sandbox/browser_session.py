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
    """The end-session endpoint. `logout_hint` is the ID token's `login_hint` claim; with it the
    account is signed out without a prompt, without it (or with one that names no account)
    Entra asks which account to sign out ("Send a sign-out request", learn.microsoft.com/
    entra/identity-platform/v2-protocols-oidc#send-a-sign-out-request; the claim:
    learn.microsoft.com/entra/identity-platform/optional-claims-reference)."""
    session_id, session = current_session(ctx, req)
    hint = req.param("logout_hint")
    hinted = ctx.tokens.parse_login_hint(hint) if hint else None
    if session_id is None or session is None:
        outcome = "no_session"
    elif hinted is not None and hinted == session.oid:
        outcome = "hinted"
    elif req.method == "POST" and req.form.get("sid") == session.sid:
        outcome = "picked"
    elif hinted is not None:
        outcome = "other_account"  # that account is not signed in here: this one stays
    else:
        user = ctx.directory.user_by_oid(session.oid)
        fields = {k: v for k, v in {**req.form, **req.query}.items() if k != "sid"}
        page = pages.pick_sign_out(
            action=req.path, upn=user.upn if user else "", sid=session.sid, fields=fields
        )
        response = html_response(200, page)
        response.log.update(logout="pick_account", logout_hint=_hint_kind(hint, hinted))
        return response
    headers = []
    if outcome in ("hinted", "picked"):
        with ctx.state.lock:
            ctx.state.sessions.pop(str(session_id), None)
        headers.append(("Set-Cookie", session_cookie(req, "", max_age=0)))
    response = _signed_out(ctx, req, headers)
    response.log.update(logout=outcome, logout_hint=_hint_kind(hint, hinted))
    return response


def _hint_kind(hint: str | None, hinted: str | None) -> str | None:
    """What the request log says of the logout_hint (never its value)."""
    if not hint:
        return None
    return "login_hint_claim" if hinted is not None else "unusable"


def _signed_out(ctx: IdpContext, req: Request, headers: list[tuple[str, str]]) -> Response:
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
