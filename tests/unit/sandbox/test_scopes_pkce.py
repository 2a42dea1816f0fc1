from __future__ import annotations

import pytest

from desktop_app.sandbox import pkce
from desktop_app.sandbox.directory import API_SCOPE, GRAPH, ORDERS_API, Directory
from desktop_app.sandbox.errors import AadError, Trace, describe, token_error_body
from desktop_app.sandbox.scopes import parse

RESOURCES = Directory().resources


def test_bare_and_qualified_graph_scopes() -> None:
    req = parse("User.Read offline_access openid profile", RESOURCES)
    assert req.resource is GRAPH
    assert req.names == ("User.Read",)
    assert req.echo() == "User.Read offline_access openid profile"
    qualified = parse("https://graph.microsoft.com/User.Read openid", RESOURCES)
    assert qualified.resource is GRAPH
    assert qualified.echo() == "https://graph.microsoft.com/User.Read openid"
    assert qualified.consent_keys() == ("https://graph.microsoft.com/User.Read", "openid")


def test_second_api_scope() -> None:
    req = parse(f"{API_SCOPE} offline_access", RESOURCES)
    assert req.resource is ORDERS_API
    assert req.names == ("Orders.Read",)


def test_two_resources_are_refused() -> None:
    with pytest.raises(AadError) as caught:
        parse(f"User.Read {API_SCOPE}", RESOURCES)
    assert (caught.value.error, caught.value.code) == ("invalid_scope", 28000)


@pytest.mark.parametrize(
    ("raw", "code"),
    [("Nope.Read", 70011), ("api://unknown-app/Orders.Read", 500011), (f"{API_SCOPE}x", 70011)],
)
def test_unknown_scopes_and_resources(raw: str, code: int) -> None:
    with pytest.raises(AadError) as caught:
        parse(raw, RESOURCES)
    assert caught.value.code == code


def test_default_scope_expands_to_configured_permissions() -> None:
    req = parse("https://graph.microsoft.com/.default", RESOURCES)
    assert req.names == ("User.Read",)


def test_pkce_s256_known_vector() -> None:
    # RFC 7636, appendix B.
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert pkce.s256(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    assert pkce.verifier_matches(verifier, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    assert not pkce.verifier_matches(verifier + "x", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    assert not pkce.verifier_matches("short", pkce.s256("short"))
    assert pkce.valid_challenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    assert not pkce.valid_challenge("plain-text-challenge")


def test_error_body_shape() -> None:
    err = AadError("invalid_grant", 54005, "Code already redeemed.")
    trace = Trace.new("0f0e0d0c-0b0a-4909-8807-060504030201")
    body = token_error_body(err, trace, "https://localhost:1")
    assert body["error"] == "invalid_grant"
    assert body["error_codes"] == [54005]
    assert body["correlation_id"] == "0f0e0d0c-0b0a-4909-8807-060504030201"
    assert body["error_description"] == describe(err, trace)
    assert body["error_description"].startswith("AADSTS54005: ")
    assert "Trace ID: " in body["error_description"]
    assert body["error_description"].endswith(f"Timestamp: {trace.timestamp}")
