"""auth/errors.py (with core/http_errors.py beneath it): msal result dicts and exceptions become
one LanyardError."""

from __future__ import annotations

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.auth.errors import from_exception, from_msal_result
from desktop_app.core.errors import ErrorKind, InteractionReason, ResponseSummary

DESCRIPTION = (
    "AADSTS50173: The provided grant has expired due to it being revoked. "
    "Trace ID: 0a1b2c3d-0000-0000-0000-000000000001 Correlation ID: 9f8e7d6c-0000-0000-0000-000000000002 "
    "Timestamp: 2026-11-21 10:00:00Z"
)
MFA_CLAIMS = '{"access_token":{"capolids":{"essential":true,"values":["c1"]}}}'


@pytest.mark.parametrize(
    ("result", "kind", "reason"),
    [
        (
            {
                "error": "invalid_grant",
                "error_codes": [50173],
                "suberror": "bad_token",
                "error_description": DESCRIPTION,
            },
            ErrorKind.INTERACTION_REQUIRED,
            InteractionReason.EXPIRED,
        ),
        (
            {"error": "invalid_grant", "error_codes": [700082], "suberror": "bad_token"},
            ErrorKind.INTERACTION_REQUIRED,
            InteractionReason.EXPIRED,
        ),
        (
            {"error": "invalid_grant", "error_codes": [65001], "suberror": "consent_required"},
            ErrorKind.INTERACTION_REQUIRED,
            InteractionReason.CONSENT,
        ),
        (
            {
                "error": "invalid_grant",
                "error_codes": [50076],
                "suberror": "basic_action",
                "claims": MFA_CLAIMS,
            },
            ErrorKind.INTERACTION_REQUIRED,
            InteractionReason.MFA,
        ),
        ({"error": "login_required"}, ErrorKind.INTERACTION_REQUIRED, InteractionReason.LOGIN),
        (
            {"error": "interaction_required"},
            ErrorKind.INTERACTION_REQUIRED,
            InteractionReason.EXPIRED,
        ),
        ({"error": "unauthorized_client", "error_codes": [700016]}, ErrorKind.CONFIG, None),
        (
            {"error": "access_denied", "error_description": "AADSTS65004: User declined"},
            ErrorKind.CANCELLED,
            None,
        ),
        ({"error": "authorization_declined"}, ErrorKind.CANCELLED, None),
        ({"error": "expired_token", "error_codes": [70020]}, ErrorKind.TIMEOUT, None),
        ({"error": "invalid_grant", "error_codes": [54005]}, ErrorKind.SERVICE, None),
        ({"error": "temporarily_unavailable"}, ErrorKind.SERVICE, None),
        ({"error_codes": ["x", True, None]}, ErrorKind.SERVICE, None),
    ],
)
def test_msal_result_kinds(
    result: dict[str, object], kind: ErrorKind, reason: InteractionReason | None
) -> None:
    error = from_msal_result(result, "Signing in")
    assert error.kind is kind
    assert error.reason is reason
    assert error.message and "None" not in error.message


def test_mfa_error_carries_the_claims_for_the_next_sign_in() -> None:
    error = from_msal_result(
        {
            "error": "invalid_grant",
            "error_codes": [50076],
            "suberror": "basic_action",
            "claims": MFA_CLAIMS,
        },
        "Refreshing",
    )
    assert error.claims_challenge == MFA_CLAIMS
    assert MFA_CLAIMS not in error.support_text()
    assert "multi-factor" in error.message


def test_support_details_are_extracted() -> None:
    error = from_msal_result(
        {
            "error": "invalid_grant",
            "error_codes": [50173],
            "suberror": "bad_token",
            "error_description": DESCRIPTION,
        },
        "Refreshing",
    )
    assert error.details["codes"] == "AADSTS50173"
    assert error.details["correlation_id"] == "9f8e7d6c-0000-0000-0000-000000000002"
    assert error.details["trace_id"] == "0a1b2c3d-0000-0000-0000-000000000001"
    assert error.details["timestamp"].startswith("2026-11-21")
    assert error.details["time"].endswith("Z")
    assert "AADSTS50173" in error.support_text()


@pytest.mark.parametrize(
    ("exc", "last", "kind", "words"),
    [
        (requests.exceptions.SSLError("bad cert"), None, ErrorKind.NETWORK, "not trusted"),
        (requests.exceptions.ReadTimeout("slow"), None, ErrorKind.NETWORK, "in time"),
        (requests.exceptions.ConnectionError("reset"), None, ErrorKind.NETWORK, "reached"),
        (ValueError("Expecting value"), ResponseSummary(429, "7"), ErrorKind.SERVICE, "throttling"),
        (ValueError("Expecting value"), ResponseSummary(503), ErrorKind.SERVICE, "503"),
        (ValueError("Expecting value"), None, ErrorKind.SERVICE, "could not read"),
        (KeyError("token_endpoint"), ResponseSummary(200), ErrorKind.SERVICE, "could not read"),
    ],
)
def test_exceptions(
    exc: Exception, last: ResponseSummary | None, kind: ErrorKind, words: str
) -> None:
    error = from_exception(exc, "Refreshing your sign-in", last=last)
    assert error.kind is kind
    assert words in error.message
    assert "Traceback" not in error.support_text()


def test_throttling_keeps_retry_after() -> None:
    error = from_exception(ValueError("x"), "Refreshing", last=ResponseSummary(429, "7", "r-1"))
    assert error.details["retry_after"] == "7"
    assert error.details["request_id"] == "r-1"


def test_msal_exceptions_are_recognised() -> None:
    import msal
    from msal.oauth2cli.oauth2 import BrowserInteractionTimeoutError

    timeout = from_exception(BrowserInteractionTimeoutError("no answer"), "Signing in")
    assert timeout.kind is ErrorKind.TIMEOUT
    service = from_exception(
        msal.exceptions.MsalServiceError(error="server_error", error_description="boom"),
        "Signing in",
    )
    assert service.kind is ErrorKind.SERVICE
    assert service.details["error"] == "server_error"


# -- a bare error code, sent without error_description (issue 14, item 9) --------------------------


def test_a_device_code_not_found_is_worded_like_every_other_failure() -> None:
    error = from_msal_result({"error": "not_found"}, "Starting sign-in with a code")
    assert error.message == (
        "Starting sign-in with a code failed: the identity provider has nothing at the address "
        "Lanyard used (not_found)."
    )
    assert "does not offer this way of signing in" in error.recommendation
    assert error.kind is ErrorKind.SERVICE
    assert error.details["error"] == "not_found"  # what support asks for, still there


@given(
    code=st.text(st.characters(codec="ascii", categories=("L", "N", "P")), min_size=1, max_size=40),
    action=st.sampled_from(
        ["Signing in", "Starting sign-in with a code", "Refreshing your sign-in"]
    ),
)
def test_any_bare_code_becomes_a_sentence_naming_it(code: str, action: str) -> None:
    error = from_msal_result({"error": code}, action)
    assert error.message.endswith(".")
    if error.kind is ErrorKind.SERVICE:
        assert error.message.startswith(f"{action} failed: ")
    said = error.message.removeprefix(f"{action} failed: ").removesuffix(".")
    assert said.count(" ") >= 3  # words, never the bare code
    assert error.details["error"] == code  # the code support asks for
    assert error.recommendation
