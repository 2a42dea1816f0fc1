"""The token endpoint: the authorization code, refresh token and device code grants.

Strict where Entra is strict: S256 PKCE, single-use codes bound to their client and redirect URI,
consent per user + client + scope, refresh tokens that die when revoked, expired, or issued before
an MFA requirement. The `claims` parameter is read: client capability `cp1` puts `xms_cc` into
the access token (the resources then send CAE challenges instead of plain 401s).
"""

from __future__ import annotations

import time

from desktop_app.sandbox import device_code
from desktop_app.sandbox.claims import ClaimsRequest, conditional_access_claims, parse_claims
from desktop_app.sandbox.context import IdpContext
from desktop_app.sandbox.directory import AppRegistration, User
from desktop_app.sandbox.errors import (
    NO_STORE,
    AadError,
    aad_json_error,
    missing_parameter,
)
from desktop_app.sandbox.pkce import verifier_matches
from desktop_app.sandbox.scopes import ScopeRequest, parse
from desktop_app.sandbox.state import CODE_LIFETIME
from desktop_app.sandbox.tokens import REFRESH_TOKEN_LIFETIME, RefreshGrant, client_info
from desktop_app.sandbox.web import Request, Response, json_response

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
# MSAL Node (and MSAL Java) send the short form, and Entra accepts it beside the URN that
# learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code#authenticating-the-user names
# (msal-common's GrantType.DEVICE_CODE_GRANT is "device_code")
DEVICE_CODE_GRANTS = frozenset({DEVICE_CODE_GRANT, "device_code"})


class TokenEndpoint:
    def __init__(self, ctx: IdpContext) -> None:
        self.ctx = ctx

    def token(self, req: Request) -> Response:
        grant_type = req.form.get("grant_type")
        claims: ClaimsRequest | None = None
        try:
            app = self.ctx.posted_client(req)
            if app.public_client and (
                "client_secret" in req.form or "client_assertion" in req.form
            ):
                raise AadError(
                    "invalid_request",
                    700025,
                    "Client is public so neither 'client_assertion' nor 'client_secret' should "
                    "be presented.",
                )
            if not grant_type:
                raise missing_parameter("grant_type")
            claims = parse_claims(req.form.get("claims"))
            capabilities = claims.capabilities if claims else ()
            if grant_type == "authorization_code":
                payload = self._redeem_code(req, app, capabilities)
            elif grant_type == "refresh_token":
                payload = self._redeem_refresh_token(req, app, capabilities)
            elif grant_type in DEVICE_CODE_GRANTS:
                payload = self._redeem_device_code(req, app, capabilities)
            else:
                raise AadError(
                    "unsupported_grant_type",
                    70003,
                    f"The app requested an unsupported grant type '{grant_type}'.",
                )
        except AadError as err:
            response = aad_json_error(err, req, self.ctx.base_url)
        else:
            response = json_response(200, payload, list(NO_STORE))
        response.kind, response.grant_type = "idp", grant_type
        if claims is not None:
            response.log.update(claims.log_fields())
        return response

    # -------------------------------------------------------------- grants
    def _redeem_code(
        self, req: Request, app: AppRegistration, capabilities: tuple[str, ...]
    ) -> dict[str, object]:
        value = req.form.get("code")
        if not value:
            raise missing_parameter("code")
        state = self.ctx.state
        with state.lock:
            code = state.codes.get(value)
            if code is None:
                raise AadError(
                    "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid."
                )
            if code.redeemed:
                raise AadError(
                    "invalid_grant",
                    54005,
                    "OAuth2 Authorization code was already redeemed, please retry with a new "
                    "valid code or use an existing refresh token.",
                )
            if time.time() - code.created > CODE_LIFETIME:
                raise AadError(
                    "invalid_grant",
                    70008,
                    "The provided authorization code or refresh token has expired due to "
                    "inactivity. Send a new interactive authorization request for this user and "
                    "resource.",
                )
            if code.client_id.lower() != app.client_id.lower():
                raise AadError(
                    "invalid_grant",
                    70000,
                    "The provided value for the 'code' parameter is not valid. The code was "
                    "issued to a different client.",
                )
            redirect_uri = req.form.get("redirect_uri")
            if redirect_uri != code.redirect_uri:
                raise AadError(
                    "invalid_grant",
                    500112,
                    f"The reply address '{redirect_uri}' does not match the reply address "
                    f"'{code.redirect_uri}' provided when requesting Authorization code.",
                )
            if code.code_challenge is not None:
                verifier = req.form.get("code_verifier", "")
                if not verifier_matches(verifier, code.code_challenge):
                    raise AadError(
                        "invalid_grant",
                        501481,
                        "The Code_Verifier does not match the code_challenge supplied in the "
                        "authorization request.",
                    )
            elif "code_verifier" in req.form:
                raise AadError(
                    "invalid_grant",
                    501481,
                    "The Code_Verifier was sent, but no code_challenge was supplied in the "
                    "authorization request.",
                )
            code.redeemed = True
        user = self.ctx.directory.user_by_oid(code.oid)
        assert user is not None
        raw_scope = req.form.get("scope")
        scopes = parse(raw_scope, self.ctx.directory.resources) if raw_scope else code.scopes
        self._require_consent(user, app, scopes, ())
        return self._issue(req, user, app, scopes, code.nonce, code.sid, (), capabilities)

    def _redeem_refresh_token(
        self, req: Request, app: AppRegistration, capabilities: tuple[str, ...]
    ) -> dict[str, object]:
        value = req.form.get("refresh_token")
        if not value:
            raise missing_parameter("refresh_token")
        grant = self.ctx.tokens.parse_refresh_token(value)
        if grant is None:
            raise AadError(
                "invalid_grant",
                9002313,
                "Invalid request. Request is malformed or invalid.",
                suberror="bad_token",
            )
        if grant.client_id.lower() != app.client_id.lower():
            raise AadError(
                "invalid_grant",
                700005,
                "Provided Authorization Code is intended to use against other tenant or client.",
                suberror="bad_token",
            )
        state = self.ctx.state
        with state.lock:
            revoked_before = state.revoked_before.get(grant.oid)
            mfa_since = state.mfa_required_since.get(grant.oid)
            consent_revoked = state.consent_revoked_at.get(
                state.consent_key(grant.oid, app.client_id), 0.0
            )
            policy_id = state.mfa_policy_id
        if revoked_before is not None and grant.issued_at <= revoked_before:
            raise AadError(
                "invalid_grant",
                50173,
                "The provided grant has expired due to it being revoked, a fresh auth token is "
                "needed. The user might have changed or reset their password.",
                suberror="bad_token",
            )
        if time.time() >= grant.expires_at:
            raise AadError(
                "invalid_grant",
                700082,
                "The refresh token has expired due to inactivity. The token was issued on "
                f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(grant.issued_at))} and was "
                "inactive for the maximum allowed time.",
                suberror="bad_token",
            )
        user = self.ctx.directory.user_by_oid(grant.oid)
        if user is None:
            raise AadError("invalid_grant", 50034, "The user account does not exist.")
        raw_scope = req.form.get("scope")
        if not raw_scope:
            raise missing_parameter("scope")
        scopes = parse(raw_scope, self.ctx.directory.resources)
        if mfa_since is not None and grant.issued_at <= mfa_since:
            raise AadError(
                "invalid_grant",
                50076,
                "Due to a configuration change made by your administrator, or because you moved "
                "to a new location, you must use multi-factor authentication to access "
                f"'{scopes.resource.app_id}'.",
                suberror="basic_action",
                claims=conditional_access_claims(policy_id),
            )
        # Scopes the refresh token carries count only if consent was not revoked since.
        carried = grant.scopes if grant.issued_at > consent_revoked else ()
        self._require_consent(user, app, scopes, carried)
        return self._issue(req, user, app, scopes, None, grant.sid, carried, capabilities)

    def _redeem_device_code(
        self, req: Request, app: AppRegistration, capabilities: tuple[str, ...]
    ) -> dict[str, object]:
        device = device_code.redeem(self.ctx, req, app)
        assert device.oid is not None
        assert device.sid is not None
        user = self.ctx.directory.user_by_oid(device.oid)
        assert user is not None
        self._require_consent(user, app, device.scopes, ())
        return self._issue(req, user, app, device.scopes, None, device.sid, (), capabilities)

    # -------------------------------------------------------------- shared
    def _require_consent(
        self, user: User, app: AppRegistration, scopes: ScopeRequest, carried: tuple[str, ...]
    ) -> None:
        granted = self.ctx.state.consented(user.oid, app.client_id) | set(carried)
        if any(k not in granted for k in scopes.consent_keys()):
            raise AadError(
                "invalid_grant",
                65001,
                f"The user or administrator has not consented to use the application with ID "
                f"'{app.client_id}' named '{app.display_name}'. Send an interactive authorization "
                "request for this user and resource.",
                suberror="consent_required",
            )

    def _issue(
        self,
        req: Request,
        user: User,
        app: AppRegistration,
        scopes: ScopeRequest,
        nonce: str | None,
        sid: str,
        carried: tuple[str, ...],
        capabilities: tuple[str, ...],
    ) -> dict[str, object]:
        state, tokens = self.ctx.state, self.ctx.tokens
        with state.lock:
            lifetime = state.access_token_lifetime
            refresh_in = state.refresh_in
            refresh_lifetime = state.refresh_token_lifetime
        access_token = tokens.access_token(user, app, scopes, lifetime, sid, capabilities)
        state.record_token("access", access_token)
        granted = state.consented(user.oid, app.client_id) | set(carried)
        payload: dict[str, object] = {
            "token_type": "Bearer",
            "scope": scopes.granted(granted),  # the granted set, not the request (scopes.py)
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
        }
        if refresh_in is not None:
            payload["refresh_in"] = refresh_in
        payload["access_token"] = access_token
        if scopes.has("offline_access"):
            now = time.time()
            life = REFRESH_TOKEN_LIFETIME if refresh_lifetime is None else refresh_lifetime
            grant = RefreshGrant(
                oid=user.oid,
                client_id=app.client_id,
                scopes=tuple(sorted(state.consented(user.oid, app.client_id) | set(carried))),
                issued_at=now,
                expires_at=now + life,
                sid=sid,
            )
            refresh_token = tokens.refresh_token(grant)
            state.record_token("refresh", refresh_token)
            payload["refresh_token"] = refresh_token
        if scopes.has("openid"):
            id_token = tokens.id_token(user, app, scopes, nonce, sid)
            state.record_token("id", id_token)
            payload["id_token"] = id_token
        if req.form.get("client_info") == "1":
            payload["client_info"] = client_info(user)
        return payload
