from __future__ import annotations

import pytest

from desktop_app.auth.results import Account, error_from_result, token_from_result
from desktop_app.errors import ErrorKind, LanyardError

DESCRIPTION = (
    "AADSTS50173: The provided grant has expired due to it being revoked. "
    "Trace ID: 0a1b2c3d-0000-0000-0000-000000000001 Correlation ID: 9f8e7d6c-0000-0000-0000-000000000002 "
    "Timestamp: 2026-11-21 10:00:00Z"
)


@pytest.mark.parametrize(
    ("result", "kind"),
    [
        (
            {
                "error": "invalid_grant",
                "error_codes": [50173],
                "suberror": "bad_token",
                "error_description": DESCRIPTION,
            },
            ErrorKind.INTERACTION_REQUIRED,
        ),
        (
            {"error": "invalid_grant", "error_codes": [65001], "suberror": "consent_required"},
            ErrorKind.INTERACTION_REQUIRED,
        ),
        ({"error": "interaction_required"}, ErrorKind.INTERACTION_REQUIRED),
        ({"error": "unauthorized_client", "error_codes": [700016]}, ErrorKind.CONFIG),
        (
            {
                "error": "access_denied",
                "error_description": "AADSTS65004: User declined to consent",
            },
            ErrorKind.CANCELLED,
        ),
        ({"error": "invalid_grant", "error_codes": [54005]}, ErrorKind.SERVICE),
        ({"error": "temporarily_unavailable"}, ErrorKind.SERVICE),
    ],
)
def test_error_kinds(result: dict[str, object], kind: ErrorKind) -> None:
    assert error_from_result(result, "Signing in").kind is kind


def test_support_details_are_extracted() -> None:
    error = error_from_result(
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
    assert "AADSTS50173" in error.support_text()


def test_token_result_hides_the_token() -> None:
    account = Account("oid.tid", "megan@contoso.test", "localhost")
    token = token_from_result(
        {
            "access_token": "SECRET-AT",
            "expires_in": 3600,
            "scope": "User.Read profile",
            "token_source": "cache",
        },
        account,
        "Signing in",
        now=1000.0,
    )
    assert token.expires_on == 4600.0
    assert token.scopes == ("User.Read", "profile")
    assert token.source == "cache"
    assert "SECRET-AT" not in repr(token)


def test_token_result_raises_for_errors() -> None:
    with pytest.raises(LanyardError):
        token_from_result({"error": "invalid_grant"}, None, "Signing in")
