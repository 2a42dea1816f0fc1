"""msal's failures as LanyardErrors: its error dicts and the exceptions it raises.

msal reports most failures as result dicts, but raises for some: a 429 or 5xx with a plain-text
body (ValueError from its JSON parse), connection errors and timeouts (from requests),
MsalServiceError, BrowserInteractionTimeoutError. All of it becomes one LanyardError: a message
for people, what to do, and the details support asks for (AADSTS codes, trace and correlation ids,
the time). No msal import: msal's exception types are recognised only if msal is loaded.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from typing import Any

from desktop_app.core.errors import (
    ErrorKind,
    InteractionReason,
    LanyardError,
    ResponseSummary,
    interaction_needed,
    support_details,
)
from desktop_app.core.http_errors import from_http_exception, unreadable_answer

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
    details = support_details(
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
    kind = _msal_exception(exc)
    if kind == "browser_timeout":
        return LanyardError(
            f"{action} timed out: the browser did not return to Lanyard.",
            "If you closed the browser tab, select Sign in to start again.",
            ErrorKind.TIMEOUT,
            support_details(error=name),
        )
    known = from_http_exception(exc, action, service, last)
    if known is not None:
        return known
    if kind == "service":
        return LanyardError(
            f"{action} failed: {service} reported an error.",
            "Try again. If it keeps failing, copy the details for your administrator.",
            ErrorKind.SERVICE,
            support_details(error=str(getattr(exc, "_error", "") or name)),  # msal keeps it private
        )
    return unreadable_answer(exc, action, service, last)
