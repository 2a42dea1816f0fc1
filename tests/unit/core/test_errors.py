"""auth/errors.py, graph/errors.py, core/http_errors.py: msal result dicts, exceptions and Graph
answers become one LanyardError."""

from __future__ import annotations

import base64
import json

import pytest
import requests

from desktop_app.auth.errors import from_exception, from_msal_result
from desktop_app.core import errors
from desktop_app.core.errors import (
    ErrorKind,
    InteractionReason,
    ResponseSummary,
    retry_after_seconds,
)
from desktop_app.graph.errors import from_graph_response, parse_claims_challenge

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


def _graph_response(
    status: int, body: object, headers: dict[str, str] | None = None
) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response.headers.update(headers or {})
    return response


GRAPH_BODY = {
    "error": {
        "code": "Authorization_RequestDenied",
        "message": "Insufficient privileges to complete the operation.",
        "innerError": {"date": "2026-11-21T10:00:00", "request-id": "inner-id"},
    }
}


def test_graph_envelope_and_request_id() -> None:
    error = from_graph_response(
        _graph_response(403, GRAPH_BODY, {"request-id": "hdr-id"}), "Loading"
    )
    assert error.kind is ErrorKind.SERVICE
    assert error.details["code"] == "Authorization_RequestDenied"
    assert error.details["request_id"] == "hdr-id"
    assert error.details["date"] == "2026-11-21T10:00:00"
    plain = from_graph_response(_graph_response(403, GRAPH_BODY), "Loading")
    assert plain.details["request_id"] == "inner-id"


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"error": "text"}', b""])
def test_graph_garbage_bodies_still_give_a_message(body: bytes) -> None:
    error = from_graph_response(_graph_response(500, body), "Loading your profile")
    assert error.kind is ErrorKind.SERVICE
    assert "500" in error.message


def test_graph_throttling() -> None:
    error = from_graph_response(_graph_response(429, GRAPH_BODY, {"Retry-After": "30"}), "Loading")
    assert error.details["retry_after"] == "30"


def _challenge(claims: str) -> str:
    encoded = base64.b64encode(claims.encode()).decode()
    return (
        'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/'
        f'authorize", error="insufficient_claims", claims="{encoded}"'
    )


CAE_CLAIMS = '{"access_token":{"nbf":{"essential":true, "value":"1604106651"}}}'


def test_claims_challenge_is_decoded_from_a_401() -> None:
    response = _graph_response(401, GRAPH_BODY, {"WWW-Authenticate": _challenge(CAE_CLAIMS)})
    error = from_graph_response(response, "Loading your profile")
    assert error.kind is ErrorKind.INTERACTION_REQUIRED
    assert error.reason is InteractionReason.CLAIMS
    assert error.claims_challenge == CAE_CLAIMS


@pytest.mark.parametrize(
    "header",
    [
        "",
        'Bearer realm="", error="invalid_token"',
        'Bearer error="insufficient_claims"',
        'Bearer error="insufficient_claims", claims="!!!notbase64"',
        'Bearer error="insufficient_claims", claims="' + base64.b64encode(b"[1]").decode() + '"',
    ],
)
def test_not_a_claims_challenge(header: str) -> None:
    assert parse_claims_challenge(header) is None
    error = from_graph_response(_graph_response(401, {}, {"WWW-Authenticate": header}), "Loading")
    assert error.claims_challenge == ""


def test_claims_challenge_accepts_unpadded_urlsafe_base64() -> None:
    encoded = base64.urlsafe_b64encode(CAE_CLAIMS.encode()).decode().rstrip("=")
    assert (
        parse_claims_challenge(f'Bearer error="insufficient_claims", claims="{encoded}"')
        == CAE_CLAIMS
    )


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("30", 30.0), ("0", 0.0), ("", None), ("soon", None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)
def test_retry_after(value: str, seconds: float | None) -> None:
    assert retry_after_seconds(value) == seconds


def test_retry_after_as_a_date() -> None:
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:30 GMT", now=1445412480.0) == 30.0


def test_set_up_and_account_errors_of_the_entry_points() -> None:
    not_set_up = errors.not_set_up()
    assert not_set_up.message == "Lanyard is not set up for your organisation yet."
    assert not_set_up.recommendation == (
        "Set client_id (and tenant) in the config file, or start with --sandbox to try it."
    )
    assert not_set_up.kind is ErrorKind.CONFIG
    described = errors.no_sandbox_description(KeyError("ca_file"))
    assert described.message == (
        "Setting 'sandbox_info' (--sandbox-info) names no sandbox description ('ca_file')."
    )
    assert described.recommendation == (
        "Give the file the JSON line 'python -m desktop_app.sandbox' printed."
    )
    assert (described.kind, described.details) == (ErrorKind.CONFIG, {"field": "sandbox_info"})
    nobody = errors.nobody_signed_in()
    assert nobody.message == "Nobody is signed in to Lanyard on this computer."
    assert (nobody.recommendation, nobody.kind) == ("", ErrorKind.INTERACTION_REQUIRED)
    other = errors.no_such_account("carol", ["alice@contoso.test", "bob@contoso.test"])
    assert other.message == (
        "No signed-in account is called 'carol' (signed in: alice@contoso.test, bob@contoso.test)."
    )
    assert other.recommendation == (
        "Give --account one of those, or sign in with that account in the Lanyard window."
    )
    assert other.kind is ErrorKind.CONFIG
