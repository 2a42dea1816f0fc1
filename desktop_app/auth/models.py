"""The auth layer's value types, and MSAL's successful result dicts turned into them.

The rest of Lanyard never sees a raw msal result (auth/errors.py words the failures). No msal or
requests import: the window imports these while it starts.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop_app.auth.claims import IdTokenClaims, seconds
from desktop_app.auth.errors import from_msal_result
from desktop_app.core.logs import remember_personal


@dataclass(frozen=True)
class Account:
    home_account_id: str
    username: str
    environment: str

    @classmethod
    def from_msal(cls, account: Mapping[str, Any]) -> Account:
        result = cls(
            home_account_id=str(account.get("home_account_id") or ""),
            username=str(account.get("username") or ""),
            environment=str(account.get("environment") or ""),
        )
        # the username, and the object id that starts home_account_id ("<oid>.<tid>")
        remember_personal((result.username, result.home_account_id.split(".")[0]))
        return result


# msal treats an access token with less than this left as expired
SHORT_LIVED_S = 300


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
    # when Lanyard received it: its lifetime is judged as issued, not as it runs down
    received_at: float | None = None

    def lifetime_problem(self, now: float | None = None) -> str | None:
        """What to say when this token cannot be used for long (``expires_in`` of 0 or less,
        or shorter than msal's 5-minute margin); None when its lifetime is ordinary. Judged
        from when it was received (a 30 s token is short-lived, not "already expired", when
        the window looks at it 31 s later)."""
        start = self.received_at if self.received_at is not None else now
        left = self.expires_on - (time.time() if start is None else start)
        if left < 1:  # expires_in of 0 or less, read a moment later
            return "the identity provider issued a token that is already expired (expires_in ≤ 0)"
        if left < SHORT_LIVED_S:
            return f"the identity provider issued a short-lived token ({int(left)} s)"
        return None


@dataclass(frozen=True)
class PendingSignIn:
    """An interactive sign-in waiting for the browser. ``flow`` holds the PKCE verifier;
    ``login_hint``: the account asked for, if one was (a response for another is refused)."""

    auth_uri: str
    state: str
    redirect_uri: str
    flow: dict[str, Any] = field(repr=False)
    login_hint: str | None = None


@dataclass(frozen=True)
class Identity:
    """Who is signed in, from the ID token: shown only when ``problems`` is empty."""

    claims: IdTokenClaims
    problems: tuple[str, ...] = ()

    @property
    def trusted(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class DeviceCode:
    """A device code sign-in in progress: show ``user_code`` and ``verification_uri``."""

    user_code: str
    verification_uri: str
    message: str
    expires_at: float
    flow: dict[str, Any] = field(repr=False)  # holds the device_code: a polling credential
    claims_challenge: str | None = field(default=None, repr=False)

    @property
    def interval(self) -> float:
        """Seconds between polls; msal raises it when the identity provider says slow_down."""
        return float(self.flow.get("interval") or 5)


@dataclass(frozen=True)
class CacheEntry:
    """One item of the token cache as the Admin view lists it: never the secret itself."""

    kind: str
    username: str
    scopes: str
    expires_on: float | None


def token_from_result(
    result: Mapping[str, Any], account: Account | None, action: str, now: float | None = None
) -> TokenResult:
    """A TokenResult from a successful msal result, else raise the matching LanyardError."""
    if "access_token" not in result:
        raise from_msal_result(result, action)
    now = time.time() if now is None else now
    # expires_in is "how long the access token is valid (in seconds)" (learn.microsoft.com/
    # javascript/api/@azure/msal-browser/externaltokenresponse); Entra's v1.0 endpoint and some
    # compatible servers send it as a JSON string ("3599"). msal's cache does int() on it too.
    expires_in = seconds(result.get("expires_in"))
    # An unreadable or absent lifetime is treated as already expired: never as fresh.
    expires_on = now + max(0.0, expires_in if expires_in is not None else 0.0)
    refresh_on = seconds(result.get("refresh_on"))
    scope = result.get("scope")
    claims = result.get("id_token_claims")
    return TokenResult(
        access_token=str(result["access_token"]),
        expires_on=expires_on,
        refresh_on=refresh_on,
        scopes=tuple(scope.split()) if isinstance(scope, str) else (),
        source=str(result.get("token_source") or "identity_provider"),
        account=account,
        id_claims=IdTokenClaims(claims) if isinstance(claims, dict) else None,
        received_at=now,
    )
