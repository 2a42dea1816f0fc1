"""The session's own errors: what they keep of the failure they stand for."""

from __future__ import annotations

from desktop_app.core.errors import ErrorKind, InteractionReason, LanyardError
from desktop_app.session import errors

GRAPH_CLAIMS = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}'


def refusal(claims: str = "", reason: InteractionReason | None = None) -> LanyardError:
    return LanyardError(
        "Your sign-in has expired or was revoked.",
        "Sign in again to continue.",
        ErrorKind.INTERACTION_REQUIRED,
        {"code": "AADSTS50173", "time": "2024-01-01T00:00:00Z"},
        reason=reason,
        claims_challenge=claims,
    )


def test_a_refused_claims_challenge_carries_graphs_claims_into_the_sign_in() -> None:
    asked = errors.claims_need_sign_in(refusal(), GRAPH_CLAIMS)
    assert asked.claims_challenge == GRAPH_CLAIMS
    assert asked.reason is InteractionReason.CLAIMS
    assert asked.message == "Your sign-in has expired or was revoked."
    assert asked.details["code"] == "AADSTS50173"  # what support asks for is kept


def test_a_refusal_with_claims_of_its_own_is_kept_as_it_is() -> None:
    own = refusal('{"access_token":{"acrs":{"essential":true}}}', InteractionReason.MFA)
    assert errors.claims_need_sign_in(own, GRAPH_CLAIMS) is own
    # a reason the refusal gave wins over "claims"
    expired = errors.claims_need_sign_in(refusal(reason=InteractionReason.EXPIRED), GRAPH_CLAIMS)
    assert expired.reason is InteractionReason.EXPIRED


def test_consent_for_an_api_names_its_scopes_and_keeps_the_challenge() -> None:
    original = refusal("{}", InteractionReason.CONSENT)
    asked = errors.api_needs_consent(("api://orders/Orders.Read", "offline_access"), original)
    assert asked.message == (
        "This API needs your consent first: api://orders/Orders.Read offline_access."
    )
    assert "Grant access" in asked.recommendation
    assert asked.kind is ErrorKind.INTERACTION_REQUIRED
    assert asked.reason is InteractionReason.CONSENT
    assert asked.claims_challenge == "{}"
    assert asked.details == original.details


def test_access_granted_as_another_account_says_whom_to_choose() -> None:
    error = errors.granted_as_another_account("megan@contoso.test", "alex@contoso.test")
    assert error.message == (
        "Access was granted as megan@contoso.test, but Lanyard is signed in as alex@contoso.test."
    )
    assert error.recommendation == (
        "Select Grant access again and choose alex@contoso.test in the browser."
    )
    assert error.kind is ErrorKind.INTERACTION_REQUIRED  # the panel offers Grant access again


def test_retry_after_reads_the_servers_seconds() -> None:
    assert errors.retry_after(LanyardError("busy", details={"retry_after": "7"})) == 7.0
    assert errors.retry_after(LanyardError("busy")) is None
    assert errors.retry_after(LanyardError("busy", details={"retry_after": "soon"})) is None


def test_what_the_session_decides_on_is_worded_for_people() -> None:
    built = [
        errors.quitting(),
        errors.no_browser_for_sign_in(),
        errors.device_code_expired(),
        errors.sign_in_needed(),
        errors.signed_out_elsewhere(),
        errors.unexpected("refresh"),
        errors.invalid_api_request("Enter a URL.", "url"),
        errors.api_needs_sign_in(),
        errors.no_browser_for_grant(),
    ]
    assert all(error.message.endswith(".") for error in built)
    # only a start cut short by Quit (never shown) and a refused field (shown beside the
    # field) come without a recommendation
    assert [e.message for e in built if not e.recommendation] == [
        "Lanyard is quitting.",
        "Enter a URL.",
    ]
    assert errors.invalid_api_request("Enter a URL.", "url").details == {"field": "url"}
    assert errors.unexpected("refresh").details == {"job": "refresh"}
    # the quit error is a cancellation with no details: nobody is told about it
    assert errors.quitting().kind is ErrorKind.CANCELLED and not errors.quitting().details
