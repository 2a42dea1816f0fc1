"""The authorization endpoint: validates the request strictly, then starts (or skips, with a
browser session) the interactive steps. Errors go back to the app by its redirect URI, except
for an unknown client or redirect URI, which only get an error page.
"""

from __future__ import annotations

from desktop_app.sandbox.browser_session import current_session, redirect_uri_matches
from desktop_app.sandbox.context import IdpContext
from desktop_app.sandbox.directory import AppRegistration
from desktop_app.sandbox.discovery import RESPONSE_MODES
from desktop_app.sandbox.errors import AadError, Trace, missing_parameter, unknown_client
from desktop_app.sandbox.interaction import (
    Interaction,
    error_fields,
    error_page,
    mfa_interaction_required,
    respond,
)
from desktop_app.sandbox.pkce import valid_challenge
from desktop_app.sandbox.scopes import parse
from desktop_app.sandbox.state import PendingAuthorization
from desktop_app.sandbox.web import Request, Response

_PROMPTS = (None, "login", "none", "consent", "select_account")


def authorize(ctx: IdpContext, interaction: Interaction, req: Request, tenant: str) -> Response:
    trace = Trace.new(req.header("client-request-id"))
    client_id = req.param("client_id")
    if not client_id:
        return error_page(missing_parameter("client_id"), trace)
    app = ctx.directory.app(client_id)
    if app is None:
        return error_page(unknown_client(client_id), trace)
    redirect_uri = req.param("redirect_uri")
    if not redirect_uri:
        return error_page(missing_parameter("redirect_uri"), trace)
    if not any(redirect_uri_matches(r, redirect_uri) for r in app.redirect_uris):
        err = AadError(
            "invalid_request",
            50011,
            f"The redirect URI '{redirect_uri}' specified in the request does not match the "
            f"redirect URIs configured for the application '{app.client_id}'. Make sure the "
            "redirect URI sent in the request matches one added to your application in the "
            "Azure portal.",
        )
        return error_page(err, trace)
    mode = req.param("response_mode") or "query"
    state = req.param("state")
    if mode not in RESPONSE_MODES:
        bad_mode = AadError("invalid_request", 900352, "Invalid value for 'response_mode'.")
        return respond(redirect_uri, "query", error_fields(bad_mode, trace, state))
    try:
        pending = _validate(ctx, req, tenant, app, redirect_uri, mode, state)
    except AadError as err:
        return respond(redirect_uri, mode, error_fields(err, trace, state))
    session_id, session = current_session(ctx, req)
    hinted = ctx.directory.user(pending.login_hint) if pending.login_hint else None
    hint_conflicts = session is not None and hinted is not None and hinted.oid != session.oid
    if pending.prompt == "none":
        if session is None or session_id is None or hint_conflicts:
            denied = AadError(
                "login_required",
                50058,
                "A silent sign-in request was sent but no user is signed in.",
            )
            return interaction.fail(pending, denied, trace)
        pending.oid, pending.session_id = session.oid, session_id
        if interaction.mfa_pending(session.oid):
            return interaction.fail(pending, mfa_interaction_required(pending.scopes), trace)
        if interaction.missing_consent(pending, app):
            needs_consent = AadError(
                "consent_required",
                65001,
                f"The user or administrator has not consented to use the application with ID "
                f"'{app.client_id}' named '{app.display_name}'.",
            )
            return interaction.fail(pending, needs_consent, trace)
        return interaction.finish(pending, app, session)
    ctx_id = ctx.state.new_pending(pending)
    reuse = pending.prompt not in ("login", "select_account") and not hint_conflicts
    if session is not None and reuse:
        pending.oid, pending.session_id = session.oid, session_id
        return interaction.after_sign_in(ctx_id, pending, app, session, [])
    return interaction.sign_in_page(ctx_id, pending, app, session, None)


def _validate(
    ctx: IdpContext,
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
    scopes = parse(raw_scope, ctx.directory.resources)
    challenge = req.param("code_challenge")
    method = req.param("code_challenge_method")
    if challenge is not None:
        if method != "S256":
            raise AadError(
                "invalid_request",
                501485,
                f"The Lanyard sandbox accepts only code_challenge_method 'S256' (got '{method}').",
            )
        if not valid_challenge(challenge):
            raise AadError("invalid_request", 501491, "Invalid size of Code_Challenge parameter.")
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
