"""The Entra ID v2.0 endpoints: discovery, keys, authorize (sign-in and consent pages), token, logout.

Strict where Entra is strict: registered redirect URIs only, one resource per request, S256 PKCE,
single-use codes bound to their client and redirect URI, consent per user + client + scope.
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

from desktop_app.sandbox import pages
from desktop_app.sandbox.directory import (
    TENANT_DOMAIN,
    TENANT_ID,
    TENANT_NAME,
    AppRegistration,
    Directory,
    User,
)
from desktop_app.sandbox.errors import AadError, Trace, describe, token_error_body
from desktop_app.sandbox.jwt import b64url_encode, public_jwk
from desktop_app.sandbox.pkce import valid_challenge, verifier_matches
from desktop_app.sandbox.scopes import OIDC_SCOPES, ScopeRequest, parse
from desktop_app.sandbox.state import (
    CODE_LIFETIME,
    BrowserSession,
    IssuedCode,
    PendingAuthorization,
    SandboxState,
)
from desktop_app.sandbox.tokens import REFRESH_TOKEN_LIFETIME, RefreshGrant, TokenIssuer
from desktop_app.sandbox.web import (
    Request,
    Response,
    html_response,
    json_response,
    new_nonce,
    redirect,
    with_params,
)

SESSION_COOKIE = "sbx_session"
_LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]", "::1")
_RESPONSE_MODES = ("query", "fragment", "form_post")
_PROMPTS = (None, "login", "none", "consent", "select_account")
_OIDC_DESCRIPTIONS = {
    "openid": "Sign you in",
    "profile": "View your basic profile",
    "email": "View your email address",
    "offline_access": "Maintain access to data you have given it access to",
}
_NO_STORE = [("Cache-Control", "no-store"), ("Pragma", "no-cache")]


def missing_parameter(name: str) -> AadError:
    return AadError(
        "invalid_request",
        900144,
        f"The request body must contain the following parameter: '{name}'.",
    )


def unknown_client(client_id: str) -> AadError:
    return AadError(
        "unauthorized_client",
        700016,
        f"Application with identifier '{client_id}' was not found in the directory "
        f"'{TENANT_NAME}'. This can happen if the application has not been installed by the "
        "administrator of the tenant or consented to by any user in the tenant. You may have sent "
        "your authentication request to the wrong tenant.",
    )


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


def client_info(user: User) -> str:
    return b64url_encode(json.dumps({"uid": user.oid, "utid": TENANT_ID}).encode())


class IdentityProvider:
    def __init__(
        self,
        directory: Directory,
        state: SandboxState,
        tokens: TokenIssuer,
        base_url: str,
        browser_base_url: str,
    ) -> None:
        self.directory = directory
        self.state = state
        self.tokens = tokens
        self.base_url = base_url
        self.browser_base_url = browser_base_url

    # ---------------------------------------------------------------- discovery
    def openid_configuration(self, tenant: str) -> Response:
        path = tenant if tenant.lower() in ("common", "organizations") else TENANT_ID
        issuer_tenant = TENANT_ID if path == TENANT_ID else "{tenantid}"
        base, browser = f"{self.base_url}/{path}", f"{self.browser_base_url}/{path}"
        return json_response(
            200,
            {
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
                "jwks_uri": f"{base}/discovery/v2.0/keys",
                "response_modes_supported": list(_RESPONSE_MODES),
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["code"],
                "scopes_supported": list(OIDC_SCOPES),
                "issuer": f"{self.base_url}/{issuer_tenant}/v2.0",
                "request_uri_parameter_supported": False,
                "authorization_endpoint": f"{browser}/oauth2/v2.0/authorize",
                "end_session_endpoint": f"{browser}/oauth2/v2.0/logout",
                "http_logout_supported": True,
                "frontchannel_logout_supported": True,
                "code_challenge_methods_supported": ["S256"],
                "claims_supported": [
                    "sub",
                    "iss",
                    "aud",
                    "exp",
                    "iat",
                    "nbf",
                    "nonce",
                    "sid",
                    "oid",
                    "tid",
                    "ver",
                    "name",
                    "preferred_username",
                    "email",
                    "roles",
                    "groups",
                    "uti",
                ],
                "tenant_region_scope": "NA",
                "cloud_instance_name": "sandbox.invalid",
            },
        )

    def instance_discovery(self, req: Request) -> Response:
        host = urlsplit(self.base_url).netloc
        return json_response(
            200,
            {
                "tenant_discovery_endpoint": (
                    f"{self.base_url}/{TENANT_ID}/v2.0/.well-known/openid-configuration"
                ),
                "api-version": "1.1",
                "metadata": [
                    {"preferred_network": host, "preferred_cache": host, "aliases": [host]}
                ],
            },
        )

    def keys(self) -> Response:
        key = public_jwk(self.tokens.public_key, self.tokens.kid)
        return json_response(200, {"keys": [{**key, "issuer": self.tokens.issuer}]})

    def unknown_tenant_json(self, tenant: str, req: Request) -> Response:
        err = AadError(
            "invalid_tenant",
            90002,
            f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and "
            "are signing into the correct cloud.",
        )
        return self._json_error(err, req)

    # ---------------------------------------------------------------- authorize
    def authorize(self, req: Request, tenant: str) -> Response:
        trace = Trace.new(req.header("client-request-id"))
        client_id = req.param("client_id")
        if not client_id:
            return self._error_page(missing_parameter("client_id"), trace)
        app = self.directory.app(client_id)
        if app is None:
            return self._error_page(unknown_client(client_id), trace)
        redirect_uri = req.param("redirect_uri")
        if not redirect_uri:
            return self._error_page(missing_parameter("redirect_uri"), trace)
        if not any(redirect_uri_matches(r, redirect_uri) for r in app.redirect_uris):
            err = AadError(
                "invalid_request",
                50011,
                f"The redirect URI '{redirect_uri}' specified in the request does not match the "
                f"redirect URIs configured for the application '{app.client_id}'. Make sure the "
                "redirect URI sent in the request matches one added to your application in the "
                "Azure portal.",
            )
            return self._error_page(err, trace)
        mode = req.param("response_mode") or "query"
        state = req.param("state")
        if mode not in _RESPONSE_MODES:
            mode = "query"
            bad_mode = AadError("invalid_request", 900352, "Invalid value for 'response_mode'.")
            return self._respond(redirect_uri, mode, self._error_fields(bad_mode, trace, state))
        try:
            pending = self._validate_authorize(req, tenant, app, redirect_uri, mode, state)
        except AadError as err:
            return self._respond(redirect_uri, mode, self._error_fields(err, trace, state))
        session_id, session = self._session(req)
        hinted = self.directory.user(pending.login_hint) if pending.login_hint else None
        hint_conflicts = session is not None and hinted is not None and hinted.oid != session.oid
        if pending.prompt == "none":
            if session is None or session_id is None or hint_conflicts:
                denied = AadError(
                    "login_required",
                    50058,
                    "A silent sign-in request was sent but no user is signed in.",
                )
                return self._fail(pending, denied, trace)
            pending.oid, pending.session_id = session.oid, session_id
            if self._missing_consent(pending, app):
                needs_consent = AadError(
                    "consent_required",
                    65001,
                    f"The user or administrator has not consented to use the application with ID "
                    f"'{app.client_id}' named '{app.display_name}'.",
                )
                return self._fail(pending, needs_consent, trace)
            return self._complete(pending, session)
        ctx = self.state.new_pending(pending)
        reuse = pending.prompt not in ("login", "select_account") and not hint_conflicts
        if session is not None and reuse:
            pending.oid, pending.session_id = session.oid, session_id
            return self._after_sign_in(ctx, pending, app, session, [])
        return self._sign_in_page(ctx, pending, app, session, None)

    def _validate_authorize(
        self,
        req: Request,
        tenant: str,
        app: AppRegistration,
        redirect_uri: str,
        mode: str,
        state: str | None,
    ) -> PendingAuthorization:
        response_type = req.param("response_type")
        if not response_type:
            raise missing_parameter("response_type")
        if response_type != "code":
            raise AadError(
                "unsupported_response_type",
                700054,
                f"response_type '{response_type}' is not enabled for the application.",
            )
        raw_scope = req.param("scope")
        if not raw_scope or not raw_scope.strip():
            raise missing_parameter("scope")
        scopes = parse(raw_scope, self.directory.resources)
        challenge = req.param("code_challenge")
        method = req.param("code_challenge_method")
        if challenge is not None:
            if method != "S256":
                raise AadError(
                    "invalid_request",
                    501485,
                    "The Lanyard sandbox accepts only code_challenge_method 'S256' "
                    f"(got '{method}').",
                )
            if not valid_challenge(challenge):
                raise AadError(
                    "invalid_request", 501491, "Invalid size of Code_Challenge parameter."
                )
        prompt = req.param("prompt")
        if prompt not in _PROMPTS:
            raise AadError("invalid_request", 90023, f"Invalid prompt value '{prompt}'.")
        return PendingAuthorization(
            tenant=tenant,
            client_id=app.client_id,
            redirect_uri=redirect_uri,
            response_mode=mode,
            state=state,
            nonce=req.param("nonce"),
            code_challenge=challenge,
            scopes=scopes,
            prompt=prompt,
            login_hint=req.param("login_hint"),
            want_client_info=req.param("client_info") == "1",
        )

    def sign_in(self, req: Request, tenant: str) -> Response:
        """POST of the sign-in page: the account picked, the password typed, or Cancel."""
        trace = Trace.new(None)
        found = self._pending(req, tenant)
        if found is None:
            return self._expired_page(trace)
        ctx, pending, app = found
        if req.form.get("action") == "cancel":
            return self._declined(ctx, pending, trace)
        session_id, session = self._session(req)
        upn = req.form.get("username", "")
        password = req.form.get("password", "")
        user = self.directory.check_password(upn, password)
        if user is None and session is not None and pending.prompt == "select_account":
            # Picking the account you are already signed in with needs no password.
            current = self.directory.user_by_oid(session.oid)
            if current is not None and current.upn.lower() == upn.lower() and not password:
                user = current
        if user is None:
            if not upn:
                message = "Pick an account to sign in with."
            elif self.directory.user(upn) is None:
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
            return self._sign_in_page(ctx, pending, app, session, message)
        cookies: list[tuple[str, str]] = []
        if session is None or session_id is None or session.oid != user.oid:
            session_id, session = self.state.new_session(user.oid)
            cookies.append(("Set-Cookie", self._cookie(req, session_id)))
        pending.oid, pending.session_id = user.oid, session_id
        return self._after_sign_in(ctx, pending, app, session, cookies)

    def consent(self, req: Request, tenant: str) -> Response:
        trace = Trace.new(None)
        found = self._pending(req, tenant)
        if found is None or found[1].oid is None:
            return self._expired_page(trace)
        ctx, pending, _app = found
        if req.form.get("action") != "accept":
            return self._declined(ctx, pending, trace)
        assert pending.oid is not None
        self.state.grant_consent(pending.oid, pending.client_id, pending.scopes.consent_keys())
        with self.state.lock:
            self.state.pending.pop(ctx, None)
            session = self.state.sessions.get(pending.session_id or "")
        if session is None:
            return self._expired_page(trace)
        return self._complete(pending, session)

    def _after_sign_in(
        self,
        ctx: str,
        pending: PendingAuthorization,
        app: AppRegistration,
        session: BrowserSession,
        headers: list[tuple[str, str]],
    ) -> Response:
        missing = self._missing_consent(pending, app)
        if pending.prompt == "consent":
            missing = list(pending.scopes.consent_keys())
        user = self.directory.user_by_oid(session.oid)
        if missing and user is not None:
            permissions = [self._describe_permission(key, pending.scopes) for key in missing]
            html = pages.consent(
                action=f"/{pending.tenant}/consent",
                ctx=ctx,
                app_name=app.display_name,
                upn=user.upn,
                permissions=permissions,
            )
            return html_response(200, html, headers)
        with self.state.lock:
            self.state.pending.pop(ctx, None)
        response = self._complete(pending, session)
        response.headers.extend(headers)
        return response

    def _missing_consent(self, pending: PendingAuthorization, app: AppRegistration) -> list[str]:
        assert pending.oid is not None
        granted = self.state.consented(pending.oid, app.client_id)
        return [k for k in pending.scopes.consent_keys() if k not in granted]

    @staticmethod
    def _describe_permission(key: str, scopes: ScopeRequest) -> str:
        if key in _OIDC_DESCRIPTIONS:
            return _OIDC_DESCRIPTIONS[key]
        name = key.rsplit("/", 1)[-1]
        text = scopes.resource.scopes.get(name, name)
        return f"{text} ({scopes.resource.display_name}: {name})"

    def _complete(self, pending: PendingAuthorization, session: BrowserSession) -> Response:
        user = self.directory.user_by_oid(session.oid)
        assert user is not None
        code = self.state.new_code(
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
        return self._respond(pending.redirect_uri, pending.response_mode, fields)

    def _respond(self, redirect_uri: str, mode: str, fields: dict[str, str]) -> Response:
        if mode == "form_post":
            nonce = new_nonce()
            html = pages.form_post(action=redirect_uri, fields=fields, nonce=nonce)
            return html_response(200, html, script_nonce=nonce)
        return redirect(with_params(redirect_uri, fields, fragment=mode == "fragment"))

    @staticmethod
    def _error_fields(err: AadError, trace: Trace, state: str | None) -> dict[str, str]:
        fields = {"error": err.error, "error_description": describe(err, trace)}
        if err.suberror:
            fields["suberror"] = err.suberror
        if state is not None:
            fields["state"] = state
        return fields

    def _fail(self, pending: PendingAuthorization, err: AadError, trace: Trace) -> Response:
        fields = self._error_fields(err, trace, pending.state)
        return self._respond(pending.redirect_uri, pending.response_mode, fields)

    def _declined(self, ctx: str, pending: PendingAuthorization, trace: Trace) -> Response:
        with self.state.lock:
            self.state.pending.pop(ctx, None)
        err = AadError(
            "access_denied",
            65004,
            "User declined to consent to access the app.",
        )
        return self._fail(pending, err, trace)

    def _pending(
        self, req: Request, tenant: str
    ) -> tuple[str, PendingAuthorization, AppRegistration] | None:
        ctx = req.form.get("ctx", "")
        with self.state.lock:
            pending = self.state.pending.get(ctx)
        if req.method != "POST" or pending is None or pending.tenant != tenant:
            return None
        app = self.directory.app(pending.client_id)
        return None if app is None else (ctx, pending, app)

    def _sign_in_page(
        self,
        ctx: str,
        pending: PendingAuthorization,
        app: AppRegistration,
        session: BrowserSession | None,
        error: str | None,
    ) -> Response:
        signed_in = self.directory.user_by_oid(session.oid) if session else None
        html = pages.sign_in(
            action=f"/{pending.tenant}/login",
            ctx=ctx,
            app_name=app.display_name,
            users=list(self.directory.users.values()),
            selected=pending.login_hint or (signed_in.upn if signed_in else None),
            signed_in=signed_in.upn if signed_in else None,
            error=error,
        )
        return html_response(200, html)

    def _error_page(self, err: AadError, trace: Trace) -> Response:
        html = pages.error(
            headline="Sorry, but we're having trouble signing you in.",
            description=f"AADSTS{err.code}: {err.message}",
            details=[
                ("Request Id", trace.trace_id),
                ("Correlation Id", trace.correlation_id),
                ("Timestamp", trace.timestamp),
            ],
        )
        return html_response(400 if err.code in (900144, 90002) else 200, html)

    def _expired_page(self, trace: Trace) -> Response:
        err = AadError(
            "invalid_request",
            9002313,
            "Invalid request. Request is malformed or invalid. The sign-in session expired or "
            "was already used; start the sign-in again from the application.",
        )
        return self._error_page(err, trace)

    def unknown_tenant_page(self, tenant: str) -> Response:
        err = AadError("invalid_tenant", 90002, f"Tenant '{tenant}' not found.")
        return self._error_page(err, Trace.new(None))

    # ---------------------------------------------------------------- sessions
    def _session(self, req: Request) -> tuple[str | None, BrowserSession | None]:
        session_id = req.cookies.get(SESSION_COOKIE)
        if not session_id:
            return None, None
        with self.state.lock:
            session = self.state.sessions.get(session_id)
        return (session_id, session) if session else (None, None)

    @staticmethod
    def _cookie(req: Request, value: str, max_age: int | None = None) -> str:
        cookie = f"{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax"
        if req.secure:
            cookie += "; Secure"
        if max_age is not None:
            cookie += f"; Max-Age={max_age}"
        return cookie

    def logout(self, req: Request, tenant: str) -> Response:
        session_id, _session = self._session(req)
        if session_id is not None:
            with self.state.lock:
                self.state.sessions.pop(session_id, None)
        headers = [("Set-Cookie", self._cookie(req, "", max_age=0))]
        target = req.param("post_logout_redirect_uri")
        if target and self._registered_anywhere(target):
            state = req.param("state")
            url = with_params(target, {"state": state}) if state else target
            return redirect(url, headers)
        return html_response(200, pages.signed_out(), headers)

    def _registered_anywhere(self, uri: str) -> bool:
        return any(
            redirect_uri_matches(r, uri) for app in self.directory.apps() for r in app.redirect_uris
        )

    # ---------------------------------------------------------------- token
    def token(self, req: Request, tenant: str) -> Response:
        grant_type = req.form.get("grant_type")
        try:
            if req.method != "POST":
                raise AadError(
                    "invalid_request", 900561, "The endpoint only accepts POST, OPTIONS requests."
                )
            client_id = req.form.get("client_id")
            if not client_id:
                raise missing_parameter("client_id")
            app = self.directory.app(client_id)
            if app is None:
                raise unknown_client(client_id)
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
            if grant_type == "authorization_code":
                payload = self._redeem_code(req, app)
            elif grant_type == "refresh_token":
                payload = self._redeem_refresh_token(req, app)
            else:
                raise AadError(
                    "unsupported_grant_type",
                    70003,
                    f"The app requested an unsupported grant type '{grant_type}'.",
                )
        except AadError as err:
            response = self._json_error(err, req)
        else:
            response = json_response(200, payload, list(_NO_STORE))
        response.kind, response.grant_type = "idp", grant_type
        return response

    def _json_error(self, err: AadError, req: Request) -> Response:
        trace = Trace.new(req.header("client-request-id"))
        body = token_error_body(err, trace, self.base_url)
        headers = [*_NO_STORE, ("x-ms-request-id", trace.trace_id)]
        if req.header("client-request-id"):
            headers.append(("client-request-id", trace.correlation_id))
        return json_response(err.status, body, headers)

    def _redeem_code(self, req: Request, app: AppRegistration) -> dict[str, object]:
        value = req.form.get("code")
        if not value:
            raise missing_parameter("code")
        with self.state.lock:
            code = self.state.codes.get(value)
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
        user = self.directory.user_by_oid(code.oid)
        assert user is not None
        raw_scope = req.form.get("scope")
        scopes = parse(raw_scope, self.directory.resources) if raw_scope else code.scopes
        self._require_consent(user, app, scopes, ())
        return self._issue(req, user, app, scopes, code.nonce, code.sid, ())

    def _redeem_refresh_token(self, req: Request, app: AppRegistration) -> dict[str, object]:
        value = req.form.get("refresh_token")
        if not value:
            raise missing_parameter("refresh_token")
        grant = self.tokens.parse_refresh_token(value)
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
        with self.state.lock:
            revoked_before = self.state.revoked_before.get(grant.oid)
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
        user = self.directory.user_by_oid(grant.oid)
        if user is None:
            raise AadError("invalid_grant", 50034, "The user account does not exist.")
        raw_scope = req.form.get("scope")
        if not raw_scope:
            raise missing_parameter("scope")
        scopes = parse(raw_scope, self.directory.resources)
        self._require_consent(user, app, scopes, grant.scopes)
        return self._issue(req, user, app, scopes, None, grant.sid, grant.scopes)

    def _require_consent(
        self, user: User, app: AppRegistration, scopes: ScopeRequest, carried: tuple[str, ...]
    ) -> None:
        granted = self.state.consented(user.oid, app.client_id) | set(carried)
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
    ) -> dict[str, object]:
        with self.state.lock:
            lifetime = self.state.access_token_lifetime
            refresh_in = self.state.refresh_in
            refresh_lifetime = self.state.refresh_token_lifetime
        access_token = self.tokens.access_token(user, app, scopes, lifetime, sid)
        self.state.record_token("access", access_token)
        payload: dict[str, object] = {
            "token_type": "Bearer",
            "scope": scopes.echo(),
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
                scopes=tuple(sorted(self.state.consented(user.oid, app.client_id) | set(carried))),
                issued_at=now,
                expires_at=now + life,
                sid=sid,
            )
            refresh_token = self.tokens.refresh_token(grant)
            self.state.record_token("refresh", refresh_token)
            payload["refresh_token"] = refresh_token
        if scopes.has("openid"):
            id_token = self.tokens.id_token(user, app, scopes, nonce, sid)
            self.state.record_token("id", id_token)
            payload["id_token"] = id_token
        if req.form.get("client_info") == "1":
            payload["client_info"] = client_info(user)
        return payload


__all__ = ["SESSION_COOKIE", "TENANT_DOMAIN", "IdentityProvider", "redirect_uri_matches"]
