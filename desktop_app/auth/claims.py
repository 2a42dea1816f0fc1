"""ID-token claims as values: decoded (never trusted blindly), checked, and typed for display."""

from __future__ import annotations

import base64
import binascii
import json
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urlparse

from desktop_app.core.logs import remember_personal
from desktop_app.core.text import MAX_SHOWN_CHARS, shown

# Entra puts this many groups in a token before switching to the overage form
GROUPS_OVERAGE_CLAIM = "groups"


class ClaimsError(ValueError):
    """The token is not a JWT we can read."""


def decode_jwt_payload(token: str) -> dict[str, Any]:
    """The payload of a compact JWS, without verifying the signature.

    Lanyard received the ID token directly from the token endpoint over verified TLS, which is
    what OpenID Connect requires before trusting it without a signature check; the claims are
    still checked (``check_id_token``) before they are shown as the user's roles.
    """
    parts = token.split(".")
    if len(parts) != 3:
        raise ClaimsError("not a JWT: expected three dot-separated parts")
    segment = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        payload = json.loads(base64.urlsafe_b64decode(segment.encode("ascii")))
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise ClaimsError(f"the payload is not base64url JSON ({exc.__class__.__name__})") from None
    if not isinstance(payload, dict):
        raise ClaimsError("the payload is not a JSON object")
    return payload


# A claim is shown in labels, bounded and with its invisible characters made visible
MAX_CLAIM_CHARS = MAX_SHOWN_CHARS


def _text(value: object) -> str:
    return shown(value) if isinstance(value, str) else ""


def _text_list(value: object) -> tuple[str, ...]:
    # A multi-valued claim may arrive as one string (JWT, RFC 7519 4.1.3 allows it for aud;
    # some issuers do it for roles/groups/amr/wids): one value, not "none".
    if isinstance(value, str):
        return (_text(value),) if value else ()
    if isinstance(value, list):
        return tuple(_text(item) for item in value if isinstance(item, str))
    return ()


# No token lives this long and no time is this far off: past it a lifetime or an epoch is not a
# time at all. A clock cannot show one either (localtime overflows: near 1e20 on Linux, after
# the year 3000 on Windows), nor a float hold the integer JSON may carry (10**400).
MAX_SECONDS = 10**10  # 317 years; as an epoch, the year 2286


def seconds(value: object) -> float | None:
    """A JSON number of seconds, also when sent as a string ("3599", as Entra's v1.0 token
    endpoint does); None when it is not a finite number (bool, NaN, "abc") or lies beyond
    MAX_SECONDS either way."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, int):
        return float(value) if -MAX_SECONDS <= value <= MAX_SECONDS else None
    if isinstance(value, float) and math.isfinite(value) and abs(value) <= MAX_SECONDS:
        return value  # JSON's Infinity and NaN (json.loads accepts them): no time at all
    return None


def _number(value: object) -> int | None:
    number = seconds(value)
    return None if number is None else int(number)


def same_id(left: str, right: str) -> bool:
    """GUIDs (tenant, client) are case-insensitive (RFC 4122 3): an upper-case id typed in
    the config is the same id as the lower-case one Entra puts in tokens."""
    return left.strip().lower() == right.strip().lower()


@dataclass(frozen=True)
class IdTokenClaims:
    """The claims of an ID token. ``raw`` keeps every claim for the claims panel."""

    raw: Mapping[str, Any]

    @classmethod
    def from_token(cls, token: str) -> IdTokenClaims:
        claims = cls(decode_jwt_payload(token))
        remember_personal((claims.name, claims.username, claims.object_id))  # masked in logs
        return claims

    @property
    def name(self) -> str:
        return _text(self.raw.get("name"))

    @property
    def username(self) -> str:
        return _text(self.raw.get("preferred_username")) or _text(self.raw.get("email"))

    @property
    def object_id(self) -> str:
        return _text(self.raw.get("oid"))

    @property
    def tenant_id(self) -> str:
        return _text(self.raw.get("tid"))

    @property
    def issuer(self) -> str:
        return _text(self.raw.get("iss"))

    @property
    def audience(self) -> str:
        aud = self.raw.get("aud")
        if isinstance(aud, list) and len(aud) == 1:  # RFC 7519 4.1.3: a one-item array is legal
            aud = aud[0]
        return aud if isinstance(aud, str) else ""

    @property
    def login_hint(self) -> str:
        """Entra's optional `login_hint` claim: opaque, handed back as the sign-out page's
        logout_hint (learn.microsoft.com/entra/identity-platform/optional-claims-reference)."""
        value = self.raw.get("login_hint")
        return value if isinstance(value, str) and value.isascii() and value.isprintable() else ""

    @cached_property  # read by several panels per token; 10,000 roles cost 25 ms a read
    def roles(self) -> tuple[str, ...]:
        return _text_list(self.raw.get("roles"))

    @property
    def groups(self) -> tuple[str, ...]:
        return _text_list(self.raw.get("groups"))

    @property
    def amr(self) -> tuple[str, ...]:
        """How the user authenticated ("pwd", "mfa"); one string is one method."""
        return _text_list(self.raw.get("amr"))

    @property
    def wids(self) -> tuple[str, ...]:
        """Directory role template ids; one string is one role."""
        return _text_list(self.raw.get("wids"))

    @property
    def not_before(self) -> int | None:
        return _number(self.raw.get("nbf"))

    @property
    def groups_overage(self) -> bool:
        names = self.raw.get("_claim_names")
        return isinstance(names, dict) and GROUPS_OVERAGE_CLAIM in names

    @property
    def expires_at(self) -> int | None:
        return _number(self.raw.get("exp"))

    @property
    def issued_at(self) -> int | None:
        return _number(self.raw.get("iat"))


def tenant_of_authority(authority: str) -> str:
    parts = [part for part in urlparse(authority).path.split("/") if part]
    return parts[0] if parts else ""


# Authorities that accept users from many tenants: any issuer of the form
# https://<host>/<tid>/v2.0 with a GUID tid matching the token's tid is fine.
MULTI_TENANT = frozenset({"organizations", "common", "consumers"})


def check_id_token(
    claims: IdTokenClaims, client_id: str, authority: str, now: float | None = None, skew: int = 300
) -> list[str]:
    """Problems that make these claims unfit to show as the user's roles; empty when fine.

    msal stopped validating ID tokens in 1.38, so Lanyard checks aud, iss/tid and exp itself.
    """
    now = time.time() if now is None else now
    problems: list[str] = []
    if not same_id(claims.audience, client_id):
        problems.append("the token was issued to a different application (aud)")
    tenant = tenant_of_authority(authority)
    try:
        issuer_parts = [part for part in urlparse(claims.issuer).path.split("/") if part]
    except ValueError:  # untrusted text: an unmatched [ or ] makes urlparse raise
        issuer_parts = []
    if not claims.tenant_id:
        problems.append("the token names no tenant (tid)")
    elif not issuer_parts or not same_id(issuer_parts[0], claims.tenant_id):
        problems.append("the issuer does not match the token's tenant (iss/tid)")
    elif (
        tenant.lower() not in MULTI_TENANT
        and "." not in tenant
        and not same_id(tenant, claims.tenant_id)
    ):
        problems.append("the token comes from a different tenant than the one configured")
    expires = claims.expires_at
    if expires is None:
        problems.append("the token has no expiry (exp)")
    elif expires + skew < now:
        problems.append("the token has expired (exp)")
    return problems
