"""The sandbox's "unusual upstream" knobs act as described: a trickled body, Retry-After in any
form, an ID token whose claims take legal-but-unusual shapes (signed again). Real msal/requests."""

from __future__ import annotations

import time

import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from desktop_app.sandbox import Sandbox
from desktop_app.sandbox.directory import READER_UPN
from desktop_app.sandbox.faults import FaultSpec
from desktop_app.sandbox.jwt import b64url_decode, verify_rs256
from tests.support.idp_client import Loopback, get, make_app, sign_in


def test_an_id_token_with_singletons_and_strings_is_signed_again(
    own_sandbox: Sandbox, loopback: Loopback
) -> None:
    app = make_app(own_sandbox)
    first = sign_in(own_sandbox, app, loopback, ["User.Read"], user=READER_UPN)
    assert first["id_token_claims"]["roles"] == ["Reader"]
    own_sandbox.add_fault(
        FaultSpec(
            "token",
            answer={
                "numbers_as_strings": True,
                "id_token": {"singletons": True, "numbers_as_strings": True, "guid_case": "upper"},
            },
        )
    )
    account = app.get_accounts()[0]
    result = app.acquire_token_silent(["User.Read"], account, force_refresh=True)
    assert result and "access_token" in result, result
    claims = result["id_token_claims"]
    assert claims["roles"] == "Reader"  # one role as one string
    assert isinstance(claims["exp"], str)  # a number as a string
    assert claims["tid"] == claims["tid"].upper() != claims["tid"].lower()
    # the rewritten ID token verifies with the key the sandbox publishes
    jwks = get(own_sandbox, f"{own_sandbox.info.authority}/discovery/v2.0/keys").json()
    (jwk,) = jwks["keys"]
    numbers = rsa.RSAPublicNumbers(_int(jwk["e"]), _int(jwk["n"]))
    assert verify_rs256(result["id_token"], numbers.public_key(), jwk["kid"])["roles"] == "Reader"


def _int(b64: str) -> int:
    return int.from_bytes(b64url_decode(b64), "big")


def test_a_slow_body_arrives_whole_and_slowly(own_sandbox: Sandbox, loopback: Loopback) -> None:
    result = sign_in(own_sandbox, make_app(own_sandbox), loopback, ["User.Read"])
    own_sandbox.add_fault(FaultSpec("me", slow_body_ms=400))
    started = time.monotonic()
    me = get(own_sandbox, f"{own_sandbox.info.graph_endpoint}/me", result["access_token"])
    took = time.monotonic() - started
    assert me.status_code == 200 and me.json()["userPrincipalName"]
    assert took >= 0.3
    log = [r for r in own_sandbox.requests() if r.get("fault")]
    assert log[-1]["fault"] == "slow-body"


def test_retry_after_is_sent_in_whatever_form_was_asked(own_sandbox: Sandbox) -> None:
    for value in ("0", "86400", "Wed, 21 Oct 2015 07:28:00 GMT", "soon", "-5"):
        own_sandbox.add_fault(FaultSpec("me", status=429, retry_after=value))
        answer = requests.get(
            f"{own_sandbox.info.graph_endpoint}/me", verify=own_sandbox.info.ca_file, timeout=10
        )
        assert answer.status_code == 429 and answer.headers["Retry-After"] == value
