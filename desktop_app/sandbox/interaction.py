"""The steps a person goes through in the browser, shared by /authorize and the device code page:
pick an account and type the password, approve an MFA request when a policy demands it, consent to
missing scopes. Then the result goes back: a code by form_post or redirect to the app, or (device
code flow) the device code is approved and the page says so.
"""

from __future__ import annotations

import time

from desktop_app.sandbox import pages
from desktop_app.sandbox.browser_session import current_session, session_cookie
from desktop_app.sandbox.context import IdpContext
from desktop_app.sandbox.directory import AppRegistration
from desktop_app.sandbox.errors import AadError, Trace, describe
from desktop_app.sandbox.scopes import ScopeRequest
from desktop_app.sandbox.state import BrowserSession, IssuedCode, PendingAuthorization
from desktop_app.sandbox.tokens import client_info
from desktop_app.sandbox.web import (
    Request,
    Response,
    html_response,
    new_nonce,
    redirect,
    with_params,
)

_OIDC_DESCRIPTIONS = {
    "openid": "Sign you in",
    "profile": "View your basic profile",
    "email": "View your email address",
    "offline_access": "Maintain access to data you have given it access to",
}


# ------------------------------------------------------------------ handing results to the app
def respond(redirect_uri: str, mode: str, fields: dict[str, str]) -> Response:
    if mode == "form_post":
        nonce = new_nonce()
        html = pages.form_post(action=redirect_uri, fields=fields, nonce=nonce)
        return html_response(200, html, script_nonce=nonce)
    return redirect(with_params(redirect_uri, fields, fragment=mode == "fragment"))


def error_fields(err: AadError, trace: Trace, state: str | None) -> dict[str, str]:
    fields = {"error": err.error, "error_description": describe(err, trace)}
    if err.suberror:
        fields["suberror"] = err.suberror
    if state is not None:
        fields["state"] = state
    return fields


def error_page(err: AadError, trace: Trace, status: int | None = None) -> Response:
    html = pages.error(
        headline="Sorry, but we're having trouble signing you in.",
        description=f"AADSTS{err.code}: {err.message}",
        details=[
            ("Request Id", trace.trace_id),
            ("Correlation Id", trace.correlation_id),
            ("Timestamp", trace.timestamp),
        ],
    )
    if status is None:
        status = 400 if err.code in (900144, 90002) else 200
    return html_response(status, html)


def expired_page(trace: Trace) -> Response:
    err = AadError(
        "invalid_request",
        9002313,
        "Invalid request. Request is malformed or invalid. The sign-in session expired or "
        "was already used; start the sign-in again from the application.",
    )
    return error_page(err, trace)


def mfa_interaction_required(scopes: ScopeRequest) -> AadError:
    return AadError(
        "interaction_required",
        50076,
        "Due to a configuration change made by your administrator, or because you moved to a new "
        "location, you must use multi-factor authentication to access "
        f"'{scopes.resource.app_id}'.",
    )


class Interaction:
    def __init__(self, ctx: IdpContext) -> None:
        self.ctx = ctx

    # -------------------------------------------------------------- pages
    def sign_in_page(
        self,
        ctx_id: str,
        pending: PendingAuthorization,
        app: AppRegistration,
        session: BrowserSession | None,
        error: str | None,
    ) -> Response:
        directory = self.ctx.directory
        signed_in = directory.user_by_oid(session.oid) if session else None
        html = pages.sign_in(
            action=f"/{pending.tenant}/login",
            ctx=ctx_id,
            app_name=app.display_name,
            users=list(directory.users.values()),
            selected=pending.login_hint or (signed_in.upn if signed_in else None),
            signed_in=signed_in.upn if signed_in else None,
            error=error,
        )
        return html_response(200, html)

    def after_sign_in(
        self,
        ctx_id: str,
        pending: PendingAuthorization,
        app: AppRegistration,
        session: BrowserSession,
        headers: list[tuple[str, str]],
    ) -> Response:
        """The steps left once the user is known: MFA when required, then consent, then done."""
        user = self.ctx.directory.user_by_oid(session.oid)
        assert user is not None
        if not pending.mfa_done and self.mfa_pending(user.oid):
            html = pages.mfa(action=f"/{pending.tenant}/mfa", ctx=ctx_id, upn=user.upn)
            return html_response(200, html, headers)
        missing = self.missing_consent(pending, app)
        if pending.prompt == "consent":
            missing = list(pending.scopes.consent_keys())
        if missing:
            permissions = [_describe_permission(key, pending.scopes) for key in missing]
            html = pages.consent(
                action=f"/{pending.tenant}/consent",
                ctx=ctx_id,
                app_name=app.display_name,
                upn=user.upn,
                permissions=permissions,
            )
            return html_response(200, html, headers)
        with self.ctx.state.lock:
            self.ctx.state.pending.pop(ctx_id, None)
        response = self.finish(pending, app, session)
        response.headers.extend(headers)
        return response

    # -------------------------------------------------------------- form posts
    def sign_in(self, req: Request, tenant: str) -> Response:
        """POST of the sign-in page: the account picked, the password typed, or Cancel."""
        trace = Trace.new(None)
        found = self._pending(req, tenant)
        if found is None:
            return expired_page(trace)
        ctx_id, pending, app = found
        if req.form.get("action") == "cancel":
            return self.declined(ctx_id, pending, app, trace)
        directory = self.ctx.directory
        session_id, session = current_session(self.ctx, req)
        upn = req.form.get("username", "")
        password = req.form.get("password", "")
        user = directory.check_password(upn, password)
        if user is None and session is not None and pending.prompt == "select_account":
            # Picking the account you are already signed in with needs no password.
            current = directory.user_by_oid(session.oid)
            if current is not None and current.upn.lower() == upn.lower() and not password:
                user = current
        if user is None:
            if not upn:
                message = "Pick an account to sign in with."
            elif directory.user(upn) is None:
                message = (
                    "AADSTS50034: We couldn't find an account with that username. "
                    "Try another, or get a new Microsoft account."
                )
            else:
                message = (
                    "AADSTS50126: Error validating credentials due to invalid username or "
                    "password. Your account or password is incorrect."
                )
            pending.login_hint = upn or pending.login_hint
            return self.sign_in_page(ctx_id, pending, app, session, message)
        cookies: list[tuple[str, str]] = []
        if session is None or session_id is None or session.oid != user.oid:
            session_id, session = self.ctx.state.new_session(user.oid)
            cookies.append(("Set-Cookie", session_cookie(req, session_id)))
        pending.oid, pending.session_id = user.oid, session_id
        return self.after_sign_in(ctx_id, pending, app, session, cookies)

    def mfa(self, req: Request, tenant: str) -> Response:
        """POST of the MFA page: Approve satisfies the user's MFA requirement."""
        trace = Trace.new(None)
        found = self._answered(req, tenant, "approve", trace)
        if isinstance(found, Response):
            return found
        ctx_id, pending, app = found
        assert pending.oid is not None
        with self.ctx.state.lock:
            self.ctx.state.mfa_pending.discard(pending.oid)
            session = self.ctx.state.sessions.get(pending.session_id or "")
        pending.mfa_done = True
        if session is None:
            return expired_page(trace)
        return self.after_sign_in(ctx_id, pending, app, session, [])

    def consent(self, req: Request, tenant: str) -> Response:
        trace = Trace.new(None)
        found = self._answered(req, tenant, "accept", trace)
        if isinstance(found, Response):
            return found
        ctx_id, pending, app = found
        assert pending.oid is not None
        state = self.ctx.state
        state.grant_consent(pending.oid, pending.client_id, pending.scopes.consent_keys())
        with state.lock:
            state.pending.pop(ctx_id, None)
            session = state.sessions.get(pending.session_id or "")
        if session is None:
            return expired_page(trace)
        return self.finish(pending, app, session)

    # -------------------------------------------------------------- outcomes
    def finish(
        self, pending: PendingAuthorization, app: AppRegistration, session: BrowserSession
    ) -> Response:
        user = self.ctx.directory.user_by_oid(session.oid)
        assert user is not None
        if pending.device_code is not None:
            return self._approve_device_code(pending.device_code, app, session)
        code = self.ctx.state.new_code(
            IssuedCode(
                client_id=pending.client_id,
                redirect_uri=pending.redirect_uri,
                oid=user.oid,
                scopes=pending.scopes,
                code_challenge=pending.code_challenge,
                nonce=pending.nonce,
                sid=session.sid,
            )
        )
        fields = {"code": code}
        if pending.want_client_info:
            fields["client_info"] = client_info(user)
        if pending.state is not None:
            fields["state"] = pending.state
        fields["session_state"] = session.sid
        return respond(pending.redirect_uri, pending.response_mode, fields)

    def fail(self, pending: PendingAuthorization, err: AadError, trace: Trace) -> Response:
        fields = error_fields(err, trace, pending.state)
        return respond(pending.redirect_uri, pending.response_mode, fields)

    def declined(
        self, ctx_id: str, pending: PendingAuthorization, app: AppRegistration, trace: Trace
    ) -> Response:
        with self.ctx.state.lock:
            self.ctx.state.pending.pop(ctx_id, None)
        if pending.device_code is not None:
            return self.decline_device_code(pending.device_code, app)
        err = AadError("access_denied", 65004, "User declined to consent to access the app.")
        return self.fail(pending, err, trace)

    def decline_device_code(self, device_code: str, app: AppRegistration) -> Response:
        with self.ctx.state.lock:
            device = self.ctx.state.device_codes.get(device_code)
            if device is not None and device.status == "pending":
                device.status = "declined"
        return html_response(200, pages.device_declined(app_name=app.display_name))

    def _approve_device_code(
        self, device_code: str, app: AppRegistration, session: BrowserSession
    ) -> Response:
        with self.ctx.state.lock:
            device = self.ctx.state.device_codes.get(device_code)
            usable = (
                device is not None
                and device.status == "pending"
                and time.time() < device.expires_at
            )
            if device is not None and usable:
                device.status, device.oid, device.sid = "approved", session.oid, session.sid
        if not usable:
            return error_page(device_code_expired(), Trace.new(None))
        return html_response(200, pages.device_done(app_name=app.display_name))

    # -------------------------------------------------------------- helpers
    def mfa_pending(self, oid: str) -> bool:
        with self.ctx.state.lock:
            return oid in self.ctx.state.mfa_pending

    def missing_consent(self, pending: PendingAuthorization, app: AppRegistration) -> list[str]:
        assert pending.oid is not None
        granted = self.ctx.state.consented(pending.oid, app.client_id)
        return [k for k in pending.scopes.consent_keys() if k not in granted]

    def _pending(
        self, req: Request, tenant: str
    ) -> tuple[str, PendingAuthorization, AppRegistration] | None:
        ctx_id = req.form.get("ctx", "")
        with self.ctx.state.lock:
            pending = self.ctx.state.pending.get(ctx_id)
        if req.method != "POST" or pending is None or pending.tenant != tenant:
            return None
        app = self.ctx.directory.app(pending.client_id)
        return None if app is None else (ctx_id, pending, app)

    def _answered(
        self, req: Request, tenant: str, accept: str, trace: Trace
    ) -> tuple[str, PendingAuthorization, AppRegistration] | Response:
        """The sign-in that a page after the password (MFA, consent) continues, when the person
        chose ``accept`` there; otherwise the answer: the expired page, or the sign-in declined."""
        found = self._pending(req, tenant)
        if found is None or found[1].oid is None:
            return expired_page(trace)
        ctx_id, pending, app = found
        if req.form.get("action") != accept:
            return self.declined(ctx_id, pending, app, trace)
        return found


def device_code_expired() -> AadError:
    return AadError(
        "expired_token",
        70019,
        "Verification code expired. Go back to your device and start the sign-in again.",
    )


def _describe_permission(key: str, scopes: ScopeRequest) -> str:
    if key in _OIDC_DESCRIPTIONS:
        return _OIDC_DESCRIPTIONS[key]
    name = key.rsplit("/", 1)[-1]
    text = scopes.resource.scopes.get(name, name)
    return f"{text} ({scopes.resource.display_name}: {name})"
