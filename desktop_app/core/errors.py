"""The one error type that reaches people: what happened, what to do, and what support asks for.

Also the shapes of failure that need neither msal nor requests (support details, Retry-After, the
wording of "only a person can fix this"), so every layer words them the same way. The msal and
requests halves live in auth/errors.py, graph/errors.py and core/http_errors.py.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from desktop_app.core.i18n import N_, _


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


# What Python itself sets on a raised exception: contextlib assigns __traceback__ when a
# @contextmanager re-raises, add_note sets __notes__. A frozen dataclass refuses every
# attribute, which turned any LanyardError passing through such a block into a
# FrozenInstanceError and lost its words. The fields stay frozen.
_PYTHON_EXCEPTION_ATTRIBUTES = frozenset(
    ("__traceback__", "__cause__", "__context__", "__suppress_context__", "__notes__")
)
_frozen_setattr = LanyardError.__setattr__


def _setattr(self: LanyardError, name: str, value: object) -> None:
    if name in _PYTHON_EXCEPTION_ATTRIBUTES:
        Exception.__setattr__(self, name, value)
    else:
        _frozen_setattr(self, name, value)


LanyardError.__setattr__ = _setattr  # type: ignore[method-assign,assignment]


@dataclass(frozen=True)
class ResponseSummary:
    """The last HTTP answer a session received on this thread, for errors msal raises without it."""

    status: int
    retry_after: str = ""
    request_id: str = ""


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def support_details(**values: str) -> dict[str, str]:
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


_INTERACTION_WORDING = {
    InteractionReason.EXPIRED: (
        N_("Your sign-in has expired or was revoked."),
        N_("Sign in again to continue; Lanyard keeps showing what it last loaded."),
    ),
    InteractionReason.MFA: (
        N_(
            "Your organisation needs you to confirm your sign-in (multi-factor authentication "
            "or a conditional access policy)."
        ),
        N_("Sign in again and complete the extra step in your browser."),
    ),
    InteractionReason.CONSENT: (
        N_("Lanyard needs your consent for a permission it asks for."),
        N_("Sign in again and accept the requested permissions."),
    ),
    InteractionReason.LOGIN: (
        N_("Your browser session has ended."),
        N_("Sign in again to continue."),
    ),
    InteractionReason.CLAIMS: (
        N_("Your organisation needs you to sign in again (continuous access evaluation)."),
        N_("Sign in again to continue."),
    ),
}


def interaction_needed(
    reason: InteractionReason, claims: str = "", details: Mapping[str, str] | None = None
) -> LanyardError:
    message, recommendation = _INTERACTION_WORDING[reason]
    return LanyardError(
        _(message),
        _(recommendation),
        ErrorKind.INTERACTION_REQUIRED,
        dict(details or support_details()),
        reason=reason,
        claims_challenge=claims,
    )


# -- what the entry points and the session's set-up show (headless.py, session/services.py) -----


def not_set_up() -> LanyardError:
    """No client id: Lanyard does not know which app registration to sign in to."""
    return LanyardError(
        _("Lanyard is not set up for your organisation yet."),
        _("Set client_id (and tenant) in the config file, or start with --sandbox to try it."),
        ErrorKind.CONFIG,
    )


def no_sandbox_description(problem: Exception) -> LanyardError:
    """--sandbox-info names a file that is not what ``python -m desktop_app.sandbox`` printed."""
    return LanyardError(
        _(
            "Setting 'sandbox_info' (--sandbox-info) names no sandbox description ({problem})."
        ).format(problem=problem),
        _("Give the file the JSON line 'python -m desktop_app.sandbox' printed."),
        ErrorKind.CONFIG,
        {"field": "sandbox_info"},
    )


def nobody_signed_in() -> LanyardError:
    return LanyardError(
        _("Nobody is signed in to Lanyard on this computer."),
        "",
        ErrorKind.INTERACTION_REQUIRED,
    )


class NoSuchAccount(LanyardError):
    """--account names none of the signed-in accounts: not a wrong setting, and not "nobody is
    signed in" either (the terminal commands give it an exit status of its own)."""


def no_such_account(wanted: str, signed_in: list[str]) -> NoSuchAccount:
    """--account names none of the signed-in accounts (``signed_in``: their user names)."""
    return NoSuchAccount(
        _("No signed-in account is called '{wanted}' (signed in: {join}).").format(
            wanted=wanted, join=", ".join(signed_in)
        ),
        _("Give --account one of those, or sign in as that account."),
        ErrorKind.INTERACTION_REQUIRED,
    )
