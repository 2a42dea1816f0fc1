"""MSAL's successful result dicts turned into values (failures.py words the errors).

The rest of Lanyard never sees a raw msal result.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop_app.auth.claims import IdTokenClaims
from desktop_app.redact import remember_personal


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


def token_from_result(
    result: Mapping[str, Any], account: Account | None, action: str, now: float | None = None
) -> TokenResult:
    """A TokenResult from a successful msal result, else raise the matching LanyardError."""
    if "access_token" not in result:
        from desktop_app.failures import from_msal_result  # requests: not on the window's path

        raise from_msal_result(result, action)
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
