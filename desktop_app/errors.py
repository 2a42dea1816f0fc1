"""The one error type that reaches people: what happened, what to do, and what support asks for."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


class ErrorKind(enum.Enum):
    CONFIG = "config"
    NETWORK = "network"
    SERVICE = "service"  # the identity provider or Graph answered with an error
    INTERACTION_REQUIRED = "interaction_required"
    CANCELLED = "cancelled"
    TIMEOUT = "timeout"
    CACHE = "cache"
    BROWSER = "browser"
    INTERNAL = "internal"


class InteractionReason(enum.Enum):
    """Why a person has to sign in again (ErrorKind.INTERACTION_REQUIRED)."""

    EXPIRED = "expired"  # refresh token expired or revoked (invalid_grant / bad_token)
    MFA = "mfa"  # multi-factor authentication or conditional access (basic_action + claims)
    CONSENT = "consent"  # a permission was never consented to (consent_required)
    LOGIN = "login"  # login_required
    CLAIMS = "claims"  # a resource's claims challenge (continuous access evaluation)


@dataclass(frozen=True)
class LanyardError(Exception):
    """A failure worded for people.

    ``details`` holds what support asks for (AADSTS codes, correlation id, timestamp, request id):
    plain values only, never tokens or authorization codes.
    """

    message: str
    recommendation: str = ""
    kind: ErrorKind = ErrorKind.INTERNAL
    details: Mapping[str, str] = field(default_factory=dict)
    reason: InteractionReason | None = None
    # the claims the next token request must carry (an MFA or CAE challenge); not secret, but
    # long and of no use to a person, so not part of the support text
    claims_challenge: str = field(default="", repr=False)

    def __str__(self) -> str:
        return self.message

    def support_text(self) -> str:
        """Copyable text for a support ticket."""
        lines = [self.message]
        if self.recommendation:
            lines.append(self.recommendation)
        lines.extend(f"{key}: {value}" for key, value in self.details.items())
        return "\n".join(lines)
