"""Every failure Lanyard shows is built here, from what msal, requests and Graph hand back.

msal reports most failures as result dicts, but raises for some: a 429 or 5xx with a plain-text
body (ValueError from its JSON parse), connection errors and timeouts (from requests),
MsalServiceError, BrowserInteractionTimeoutError. Graph answers with an error envelope and
headers. All of it becomes one LanyardError: a message for people, what to do, and the details
support asks for (AADSTS codes, trace and correlation ids, Graph's request-id, the time).

No Qt, and no msal import: msal's exception types are recognised only if msal is loaded.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import email.utils
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from desktop_app.errors import ErrorKind, InteractionReason, LanyardError

# AADSTS codes that mean: only a person, in the browser, can fix this
MFA_CODES = frozenset({50076, 50079, 50158, 50078, 53003, 50133})
CONSENT_CODES = frozenset({65001})
EXPIRED_CODES = frozenset({700082, 50173, 70043, 50132})
INTERACTION_CODES = MFA_CODES | CONSENT_CODES | EXPIRED_CODES

_ID_RE = {
    "trace_id": re.compile(r"Trace ID: ([0-9a-fA-F-]+)"),
    "correlation_id": re.compile(r"Correlation ID: ([0-9a-fA-F-]+)"),
    "timestamp": re.compile(r"Timestamp: ([0-9:\- Z]+)"),
}
_CHALLENGE_PARAM = re.compile(r'(\w+)="([^"]*)"')


@dataclass(frozen=True)
class ResponseSummary:
    """The last HTTP answer a session received on this thread, for errors msal raises without it."""

    status: int
    retry_after: str = ""
    request_id: str = ""


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _details(**values: str) -> dict[str, str]:
    details = {key: value for key, value in values.items() if value}
    details["time"] = utc_now()
    return details


def retry_after_seconds(value: str, now: float | None = None) -> float | None:
    """A Retry-After header (seconds or an HTTP date) in seconds from now; None if unreadable."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    current = dt.datetime.now(dt.UTC).timestamp() if now is None else now
    return max(0.0, when.timestamp() - current)


# -- the identity provider, through msal ---------------------------------------------------------


def _int_list(value: object) -> list[int]:
    if isinstance(value, list):
        return [item for item in value if isinstance(item, int) and not isinstance(item, bool)]
    return []


def interaction_reason(error: str, codes: list[int], suberror: str) -> InteractionReason | None:
    """Why only a person can continue, or None when the failure is not one of those."""
    code_set = set(codes)
    if suberror == "consent_required" or error == "consent_required" or code_set & CONSENT_CODES:
        return InteractionReason.CONSENT
    if suberror == "basic_action" or code_set & MFA_CODES:
        return InteractionReason.MFA
    if suberror == "bad_token" or code_set & EXPIRED_CODES:
        return InteractionReason.EXPIRED
    if error == "login_required":
        return InteractionReason.LOGIN
    if error == "interaction_required":
        return InteractionReason.EXPIRED
    return None


_INTERACTION_WORDING = {
    InteractionReason.EXPIRED: (
        "Your sign-in has expired or was revoked.",
        "Sign in again to continue; Lanyard keeps showing what it last loaded.",
    ),
    InteractionReason.MFA: (
        "Your organisation needs you to confirm your sign-in (multi-factor authentication "
        "or a conditional access policy).",
        "Sign in again and complete the extra step in your browser.",
    ),
    InteractionReason.CONSENT: (
        "Lanyard needs your consent for a permission it asks for.",
        "Sign in again and accept the requested permissions.",
    ),
    InteractionReason.LOGIN: (
        "Your browser session has ended.",
        "Sign in again to continue.",
    ),
    InteractionReason.CLAIMS: (
        "Your organisation needs you to sign in again (continuous access evaluation).",
        "Sign in again to continue.",
    ),
}


def interaction_needed(
    reason: InteractionReason, claims: str = "", details: Mapping[str, str] | None = None
) -> LanyardError:
    message, recommendation = _INTERACTION_WORDING[reason]
    return LanyardError(
        message,
        recommendation,
        ErrorKind.INTERACTION_REQUIRED,
        dict(details or _details()),
        reason=reason,
        claims_challenge=claims,
    )


def from_msal_result(result: Mapping[str, Any], action: str) -> LanyardError:
    """An msal error dict as a LanyardError. ``action`` says what was being done."""
    error = str(result.get("error") or "unknown_error")
    description = str(result.get("error_description") or "")
    codes = _int_list(result.get("error_codes"))
    suberror = str(result.get("suberror") or "")
    found = {}
    for key, pattern in _ID_RE.items():
        match = pattern.search(description)
        found[key] = str(result.get(key) or (match.group(1) if match else "")).strip()
    details = _details(
        error=error,
        codes=", ".join(f"AADSTS{code}" for code in codes),
        suberror=suberror,
        **found,
    )
    # first line of Entra's description, without the trailing ids already listed above
    summary = description.split("\r\n")[0].split("\n")[0].split(" Trace ID:")[0].strip()

    if error in {"access_denied", "authorization_declined"} and (
        "65004" in description or not codes or error == "authorization_declined"
    ):
        return LanyardError(
            f"{action} was cancelled in the browser.",
            "Sign in again and accept the requested permissions to continue.",
            ErrorKind.CANCELLED,
            details,
        )
    if error == "expired_token":
        return LanyardError(
            f"{action} took too long: the code expired before it was used.",
            "Start the sign-in again.",
            ErrorKind.TIMEOUT,
            details,
        )
    reason = interaction_reason(error, codes, suberror)
    if reason is not None:
        claims = result.get("claims")
        return interaction_needed(reason, claims if isinstance(claims, str) else "", details)
    if error in {"unauthorized_client", "invalid_client"} or 700016 in codes:
        return LanyardError(
            f"{action} failed: the identity provider does not know this application.",
            "Check the client id (Application ID) in Lanyard's settings and that the app "
            "registration is in the tenant you sign in to.",
            ErrorKind.CONFIG,
            details,
        )
    if error == "temporarily_unavailable":
        return LanyardError(
            f"{action} failed: the identity provider is temporarily unavailable.",
            "Lanyard tries again shortly.",
            ErrorKind.SERVICE,
            details,
        )
    return LanyardError(
        f"{action} failed: {summary or error}",
        "Try again. If it keeps failing, copy the details for your administrator.",
        ErrorKind.SERVICE,
        details,
    )


def _msal_exception(exc: Exception) -> str:
    """'service', 'browser_timeout' or '' for an exception msal defined (when msal is loaded)."""
    if "msal" not in sys.modules:
        return ""
    import msal
    from msal.oauth2cli.oauth2 import BrowserInteractionTimeoutError

    if isinstance(exc, BrowserInteractionTimeoutError):
        return "browser_timeout"
    if isinstance(exc, msal.exceptions.MsalServiceError):
        return "service"
    return ""


def from_exception(
    exc: Exception,
    action: str,
    service: str = "the identity provider",
    last: ResponseSummary | None = None,
) -> LanyardError:
    """What msal or requests raised, worded for people. ``last`` is the HTTP answer that made a
    parse fail (msal raises ValueError on a plain-text 429 without telling the status)."""
    name = exc.__class__.__name__
    if isinstance(exc, requests.exceptions.SSLError):
        return LanyardError(
            f"{action} failed: the certificate of {service} is not trusted.",
            "If your network inspects TLS, set ca_bundle in Lanyard's settings to your "
            "organisation's CA certificate.",
            ErrorKind.NETWORK,
            _details(error=name),
        )
    if isinstance(exc, requests.exceptions.ProxyError):
        return LanyardError(
            f"{action} failed: Lanyard could not reach the proxy, or the proxy refused to "
            f"connect to {service}.",
            "Check the proxy in File → Settings… (or the --proxy / LANYARD_PROXY / HTTPS_PROXY "
            "you set): its address, that it is running, and any user name and password it needs.",
            ErrorKind.NETWORK,
            _details(error=name),
        )
    if isinstance(exc, requests.exceptions.Timeout):
        return LanyardError(
            f"{action} failed: {service} did not answer in time.",
            "Check your connection. Lanyard tries again shortly.",
            ErrorKind.NETWORK,
            _details(error=name),
        )
    if isinstance(exc, requests.exceptions.RequestException):
        return LanyardError(
            f"{action} failed: {service} could not be reached.",
            "Check your network connection. Lanyard tries again shortly.",
            ErrorKind.NETWORK,
            _details(error=name),
        )
    kind = _msal_exception(exc)
    if kind == "browser_timeout":
        return LanyardError(
            f"{action} timed out: the browser did not return to Lanyard.",
            "If you closed the browser tab, select Sign in to start again.",
            ErrorKind.TIMEOUT,
            _details(error=name),
        )
    if last is not None and last.status == 429:
        return LanyardError(
            f"{action} failed: {service} is throttling requests.",
            "Lanyard waits as asked and tries again.",
            ErrorKind.SERVICE,
            _details(status="429", retry_after=last.retry_after, request_id=last.request_id),
        )
    if last is not None and last.status >= 500:
        return LanyardError(
            f"{action} failed: {service} is having problems (HTTP {last.status}).",
            "Lanyard tries again shortly.",
            ErrorKind.SERVICE,
            _details(
                status=str(last.status), retry_after=last.retry_after, request_id=last.request_id
            ),
        )
    if kind == "service":
        return LanyardError(
            f"{action} failed: {service} reported an error.",
            "Try again. If it keeps failing, copy the details for your administrator.",
            ErrorKind.SERVICE,
            _details(error=str(getattr(exc, "_error", "") or name)),  # msal keeps it private
        )
    return LanyardError(
        f"{action} failed: {service} sent an answer Lanyard could not read.",
        "Lanyard tries again shortly; the service may be busy.",
        ErrorKind.SERVICE,
        _details(error=name, status=str(last.status) if last else ""),
    )


# -- Microsoft Graph -----------------------------------------------------------------------------


def parse_claims_challenge(header: str) -> str | None:
    """The claims JSON of a `WWW-Authenticate: Bearer ... error="insufficient_claims",
    claims="<base64>"` challenge, decoded; None when the header is not such a challenge."""
    params = {key.lower(): value for key, value in _CHALLENGE_PARAM.findall(header or "")}
    if params.get("error") != "insufficient_claims" or not params.get("claims"):
        return None
    encoded = params["claims"]
    try:
        decoded = base64.b64decode(encoded + "=" * (-len(encoded) % 4), altchars=b"-_")
        text = decoded.decode("utf-8")
        if not isinstance(json.loads(text), dict):
            return None
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return text


def _header(headers: Mapping[str, str], name: str) -> str:
    """A header by name, whatever its case (requests' headers ignore case; a plain dict not)."""
    wanted = name.lower()
    return next((str(v) for k, v in headers.items() if k.lower() == wanted), "")


def from_graph_response(
    response: requests.Response, action: str, service: str = "Microsoft Graph"
) -> LanyardError:
    try:
        body = response.json()
    except ValueError:
        body = None
    return graph_error(response.status_code, response.headers, body, action, service)


def graph_error(
    status: int,
    headers: Mapping[str, str],
    body: object,
    action: str,
    service: str = "Microsoft Graph",
) -> LanyardError:
    """An error answer in Graph's shape (``{"error": {"code", "message", "innerError"}}``),
    from Graph or another API that answers the same way; ``body`` is the parsed JSON or None."""
    code = message = inner_request_id = date = ""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        code = str(error.get("code") or "")
        message = str(error.get("message") or "")[:300]
        inner = error.get("innerError")
        if isinstance(inner, dict):
            inner_request_id = str(inner.get("request-id") or "")
            date = str(inner.get("date") or "")
    details = _details(
        status=str(status),
        code=code,
        request_id=_header(headers, "request-id") or inner_request_id,
        date=date,
    )
    if status == 401:
        claims = parse_claims_challenge(_header(headers, "WWW-Authenticate"))
        if claims is not None:
            return interaction_needed(InteractionReason.CLAIMS, claims, details)
        return LanyardError(
            f"{action} failed: {service} did not accept your sign-in.",
            "Refresh, or sign in again if it keeps happening.",
            ErrorKind.INTERACTION_REQUIRED,
            details,
            reason=InteractionReason.EXPIRED,
        )
    if status == 403:
        return LanyardError(
            f"{action} failed: you do not have permission ({code or 'Forbidden'}).",
            "Ask your administrator to grant Lanyard the needed permission.",
            ErrorKind.SERVICE,
            details,
        )
    if status == 429:
        details["retry_after"] = _header(headers, "Retry-After")
        return LanyardError(
            f"{action} failed: {service} is throttling requests.",
            "Lanyard waits as asked and tries again.",
            ErrorKind.SERVICE,
            {k: v for k, v in details.items() if v},
        )
    if status >= 500:
        return LanyardError(
            f"{action} failed: {service} is having problems (HTTP {status}).",
            "Lanyard tries again shortly.",
            ErrorKind.SERVICE,
            details,
        )
    return LanyardError(
        f"{action} failed: {message or f'{service} answered {status}'}",
        "Try again. If it keeps failing, copy the details for your administrator.",
        ErrorKind.SERVICE,
        details,
    )


def unreadable_graph_answer(action: str, status: int) -> LanyardError:
    return LanyardError(
        f"{action} failed: Microsoft Graph sent an answer Lanyard could not read.",
        "Lanyard tries again shortly.",
        ErrorKind.SERVICE,
        _details(status=str(status)),
    )
