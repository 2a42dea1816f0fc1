from __future__ import annotations

import base64
import json

import pytest

from desktop_app.sandbox.claims import (
    ClaimsRequest,
    cae_challenge,
    conditional_access_claims,
    parse_claims,
)
from desktop_app.sandbox.errors import AadError

CP1 = '{"access_token": {"xms_cc": {"values": ["cp1"]}}}'


def test_no_claims_parameter() -> None:
    assert parse_claims(None) is None
    assert parse_claims("  ") is None


def test_client_capabilities_alone_are_not_a_challenge() -> None:
    assert parse_claims(CP1) == ClaimsRequest(("cp1",), challenge=False)
    assert parse_claims(CP1).log_fields() == {  # type: ignore[union-attr]
        "claims": True,
        "client_capabilities": ["cp1"],
        "claims_challenge": False,
    }


def test_a_cae_challenge_merged_with_capabilities_as_msal_sends_it() -> None:
    merged = {
        "access_token": {
            "nbf": {"essential": True, "value": "1700000000"},
            "xms_cc": {"values": ["cp1"]},
        }
    }
    assert parse_claims(json.dumps(merged)) == ClaimsRequest(("cp1",), challenge=True)


def test_a_conditional_access_challenge_without_capabilities() -> None:
    parsed = parse_claims(conditional_access_claims("policy-1"))
    assert parsed == ClaimsRequest((), challenge=True)


@pytest.mark.parametrize("raw", ["{", "[]", '"x"', '{"access_token": 5}'])
def test_claims_that_are_not_a_json_object_are_invalid_request(raw: str) -> None:
    with pytest.raises(AadError) as caught:
        parse_claims(raw)
    assert (caught.value.error, caught.value.code) == ("invalid_request", 90100)


def test_cae_challenge_is_base64_of_an_nbf_demand() -> None:
    decoded = json.loads(base64.b64decode(cae_challenge(1700000123)))
    assert decoded == {"access_token": {"nbf": {"essential": True, "value": "1700000123"}}}


def test_conditional_access_claims_name_the_policy() -> None:
    value = json.loads(conditional_access_claims("0f1e2d3c-0000-4000-8000-000000000001"))
    assert value == {
        "access_token": {
            "capolids": {"essential": True, "values": ["0f1e2d3c-0000-4000-8000-000000000001"]}
        }
    }
