"""MSAL's result dicts turned into values and into errors worded for people.

One place reads msal's dict shapes, so the rest of Lanyard never sees a raw result.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop_app.auth.claims import IdTokenClaims
from desktop_app.errors import ErrorKind, LanyardError

# AADSTS codes that mean: only a person, in the browser, can fix this
INTERACTION_CODES = frozenset({50076, 50079, 50158, 65001, 700082, 50173, 50078, 50133, 53003})
INTERACTION_ERRORS = frozenset({"interaction_required", "login_required", "consent_required"})

_ID_RE = {
    "trace_id": re.compile(r"Trace ID: ([0-9a-fA-F-]+)"),
    "correlation_id": re.compile(r"Correlation ID: ([0-9a-fA-F-]+)"),
    "timestamp": re.compile(r"Timestamp: ([0-9:\- Z]+)"),
}


@dataclass(frozen=True)
class Account:
    home_account_id: str
    username: str
    environment: str

    @classmethod
    def from_msal(cls, account: Mapping[str, Any]) -> Account:
        return cls(
            home_account_id=str(account.get("home_account_id") or ""),
            username=str(account.get("username") or ""),
            environment=str(account.get("environment") or ""),
        )


@dataclass(frozen=True)
class TokenResult:
    """A usable access token with what the window shows about it. ``repr`` hides the token."""

    access_token: str = field(repr=False)
    expires_on: float
    refresh_on: float | None
    scopes: tuple[str, ...]
    source: str  # "cache" or "identity_provider"
    account: Account | None
    id_claims: IdTokenClaims | None = field(default=None, repr=False)


def _int_list(value: object) -> list[int]:
    if isinstance(value, list):
        return [item for item in value if isinstance(item, int)]
    return []


def error_from_result(result: Mapping[str, Any], action: str) -> LanyardError:
    """An msal error dict as a LanyardError. ``action`` says what was being done."""
    error = str(result.get("error") or "unknown_error")
    description = str(result.get("error_description") or "")
    codes = _int_list(result.get("error_codes"))
    suberror = str(result.get("suberror") or "")
    details: dict[str, str] = {"error": error}
    if codes:
        details["codes"] = ", ".join(f"AADSTS{code}" for code in codes)
    if suberror:
        details["suberror"] = suberror
    for key, pattern in _ID_RE.items():
        match = pattern.search(description)
        found = result.get(key) or (match.group(1) if match else "")
        if found:
            details[key] = str(found).strip()
    # first line of Entra's description, without the trailing ids already listed above
    summary = description.split("\r\n")[0].split("\n")[0].split(" Trace ID:")[0].strip()

    if error == "access_denied" and ("65004" in description or not codes):
        return LanyardError(
            f"{action} was cancelled in the browser.",
            "Sign in again and accept the requested permissions to continue.",
            ErrorKind.CANCELLED,
            details,
        )
    if (
        error in INTERACTION_ERRORS
        or set(codes) & INTERACTION_CODES
        or (
            error == "invalid_grant"
            and suberror in {"bad_token", "basic_action", "consent_required"}
        )
    ):
        return LanyardError(
            f"{action} needs you to sign in again.",
            "Select Sign in to continue in your browser.",
            ErrorKind.INTERACTION_REQUIRED,
            details,
        )
    if error in {"unauthorized_client", "invalid_client"} or 700016 in codes:
        return LanyardError(
            f"{action} failed: the identity provider does not know this application.",
            "Check the client id (Application ID) in Lanyard's settings and that the app "
            "registration is in the tenant you sign in to.",
            ErrorKind.CONFIG,
            details,
        )
    return LanyardError(
        f"{action} failed: {summary or error}",
        "Try again. If it keeps failing, copy the details for your administrator.",
        ErrorKind.SERVICE,
        details,
    )


def token_from_result(
    result: Mapping[str, Any], account: Account | None, action: str, now: float | None = None
) -> TokenResult:
    """A TokenResult from a successful msal result, else raise the matching LanyardError."""
    if "access_token" not in result:
        raise error_from_result(result, action)
    now = time.time() if now is None else now
    expires_in = result.get("expires_in")
    expires_on = now + (float(expires_in) if isinstance(expires_in, int | float) else 0.0)
    refresh_on = result.get("refresh_on")
    scope = result.get("scope")
    claims = result.get("id_token_claims")
    return TokenResult(
        access_token=str(result["access_token"]),
        expires_on=expires_on,
        refresh_on=float(refresh_on) if isinstance(refresh_on, int | float) else None,
        scopes=tuple(scope.split()) if isinstance(scope, str) else (),
        source=str(result.get("token_source") or "identity_provider"),
        account=account,
        id_claims=IdTokenClaims(claims) if isinstance(claims, dict) else None,
    )
