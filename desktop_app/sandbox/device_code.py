"""The device code flow (RFC 8628 as Entra runs it).

`POST /{tenant}/oauth2/v2.0/devicecode` hands out a device code, a 9-character user code and the
verification URI (`/devicelogin` on the browser-facing listener). There a person enters the code,
confirms the app, then signs in (same pages as /authorize: account, password, MFA, consent) or
cancels. Meanwhile the app polls the token endpoint, which answers `authorization_pending`
(AADSTS70016), `authorization_declined` (70000), `expired_token` (70020) or
`bad_verification_code` (70018), and once approved the tokens, exactly once.
"""

from __future__ import annotations

import secrets
import time

from desktop_app.sandbox import pages
from desktop_app.sandbox.browser_session import current_session
from desktop_app.sandbox.claims import parse_claims
from desktop_app.sandbox.context import IdpContext
from desktop_app.sandbox.directory import AppRegistration
from desktop_app.sandbox.errors import (
    NO_STORE,
    AadError,
    aad_json_error,
    missing_parameter,
)
from desktop_app.sandbox.interaction import Interaction
from desktop_app.sandbox.scopes import parse
from desktop_app.sandbox.state import DeviceAuthorization, PendingAuthorization
from desktop_app.sandbox.web import Request, Response, html_response, json_response

VERIFICATION_PATH = "/devicelogin"


def device_authorization(ctx: IdpContext, req: Request, tenant: str) -> Response:
    """The device authorization endpoint (msal's `initiate_device_flow`)."""
    try:
        app = ctx.posted_client(req)
        raw_scope = req.form.get("scope")
        if not raw_scope or not raw_scope.strip():
            raise missing_parameter("scope")
        scopes = parse(raw_scope, ctx.directory.resources)
        claims = parse_claims(req.form.get("claims"))
    except AadError as err:
        response = aad_json_error(err, req, ctx.base_url)
        response.kind = "idp"
        return response
    state = ctx.state
    with state.lock:
        interval, lifetime = state.device_code_interval, state.device_code_lifetime
    device = DeviceAuthorization(
        device_code="1.SBX.device." + secrets.token_urlsafe(48),
        user_code=state.new_user_code(),
        tenant=tenant,
        client_id=app.client_id,
        scopes=scopes,
        interval=interval,
        expires_at=time.time() + lifetime,
    )
    state.new_device_code(device)
    uri = ctx.browser_base_url + VERIFICATION_PATH
    response = json_response(
        200,
        {
            "user_code": device.user_code,
            "device_code": device.device_code,
            "verification_uri": uri,
            "expires_in": lifetime,
            "interval": interval,
            "message": f"To sign in, use a web browser to open the page {uri} and enter the code "
            f"{device.user_code} to authenticate.",
        },
        list(NO_STORE),
    )
    response.kind = "idp"
    if claims is not None:
        response.log.update(claims.log_fields())
    return response


def redeem(ctx: IdpContext, req: Request, app: AppRegistration) -> DeviceAuthorization:
    """The device code grant at the token endpoint: the approved authorization, or AadError."""
    value = req.form.get("device_code")
    if not value:
        raise missing_parameter("device_code")
    with ctx.state.lock:
        device = ctx.state.device_codes.get(value)
        if device is None or device.client_id.lower() != app.client_id.lower():
            raise AadError(
                "bad_verification_code",
                70018,
                "The provided value for the input parameter 'device_code' is not valid.",
            )
        if device.status == "redeemed":
            raise AadError(
                "invalid_grant",
                54005,
                "The device code was already redeemed; start a new device code flow.",
            )
        if device.status == "declined":
            raise AadError(
                "authorization_declined",
                70000,
                "The user declined the authorization request.",
            )
        if time.time() >= device.expires_at:
            raise AadError(
                "expired_token",
                70020,
                "The provided value for the input parameter 'device_code' is not valid. This "
                "device code has expired.",
            )
        if device.status != "approved":
            raise AadError(
                "authorization_pending",
                70016,
                "The provided request has not yet been authorized by the user. The user must "
                "input their code.",
            )
        device.status = "redeemed"
        return device


class DeviceLogin:
    """The pages at the verification URI: enter the code, confirm the app, then sign in."""

    def __init__(self, ctx: IdpContext, interaction: Interaction) -> None:
        self.ctx = ctx
        self.interaction = interaction

    def handle(self, req: Request) -> Response:
        if req.method != "POST":
            return self._entry(None)
        user_code = req.form.get("otc", "")
        action = req.form.get("action", "next")
        device = self.ctx.state.device_by_user_code(user_code)
        problem = self._problem(device)
        if device is None or problem is not None:
            return self._entry(problem or "That code didn't work. Check the code and try again.")
        app = self.ctx.directory.app(device.client_id)
        if app is None:
            return self._entry("That code didn't work. Check the code and try again.")
        if action == "cancel":
            return self.interaction.decline_device_code(device.device_code, app)
        if action != "continue":
            html = pages.device_confirm(
                action=VERIFICATION_PATH, user_code=device.user_code, app_name=app.display_name
            )
            return html_response(200, html)
        pending = PendingAuthorization(
            tenant=device.tenant,
            client_id=device.client_id,
            redirect_uri="",
            response_mode="device",
            state=None,
            nonce=None,
            code_challenge=None,
            scopes=device.scopes,
            # The account picker every time; the signed-in account needs no password.
            prompt="select_account",
            login_hint=None,
            want_client_info=False,
            device_code=device.device_code,
        )
        ctx_id = self.ctx.state.new_pending(pending)
        _session_id, session = current_session(self.ctx, req)
        return self.interaction.sign_in_page(ctx_id, pending, app, session, None)

    def _problem(self, device: DeviceAuthorization | None) -> str | None:
        if device is None:
            return None
        if time.time() >= device.expires_at:
            return "AADSTS70019: That code has expired. Go back to your device and start again."
        if device.status != "pending":
            return "That code was already used. Go back to your device and start again."
        return None

    @staticmethod
    def _entry(error: str | None) -> Response:
        return html_response(200, pages.device_code_entry(action=VERIFICATION_PATH, error=error))
