"""Property tests: the ID-token claims parser and checks take any payload or any string."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.auth.claims import (
    MAX_CLAIM_CHARS,
    ClaimsError,
    IdTokenClaims,
    check_id_token,
    decode_jwt_payload,
)
from tests.support import figures
from tests.support.deceptive import deceptive_chars
from tests.support.hostile import field_values, json_values

CLAIM_NAMES = (
    "name",
    "preferred_username",
    "email",
    "oid",
    "tid",
    "iss",
    "aud",
    "roles",
    "groups",
    "_claim_names",
    "exp",
    "iat",
)
_tried = [0]


def jwt(payload: Any) -> str:
    def part(value: Any) -> str:
        raw = json.dumps(value).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(payload)}.c2lnbmF0dXJl"


payloads = st.dictionaries(
    st.one_of(st.sampled_from(CLAIM_NAMES), st.text(max_size=12)),
    st.one_of(field_values, st.lists(field_values, max_size=6)),
    max_size=len(CLAIM_NAMES) + 2,
)


def _count() -> None:
    _tried[0] += 1
    figures.record("hostile ID tokens (parser)", f"{_tried[0]} examples tried")


@settings(max_examples=400, deadline=2000)
@given(payloads)
def test_any_claims_parse_to_typed_values(payload: dict[str, Any]) -> None:
    _count()
    claims = IdTokenClaims.from_token(jwt(payload))
    for text in (claims.name, claims.username, claims.object_id, claims.tenant_id):
        assert isinstance(text, str)
    assert isinstance(claims.issuer, str) and isinstance(claims.audience, str)
    assert all(isinstance(role, str) for role in claims.roles)
    assert all(isinstance(group, str) for group in claims.groups)
    assert isinstance(claims.groups_overage, bool)
    for number in (claims.expires_at, claims.issued_at):
        assert number is None or isinstance(number, int)
    for text in (claims.name, claims.username, *claims.roles):
        assert deceptive_chars(text) == []  # every control or format character made visible
        assert len(text) <= MAX_CLAIM_CHARS + 1  # a megabyte claim is clipped for display
    name = payload.get("name")
    if isinstance(name, str) and not deceptive_chars(name) and len(name) <= MAX_CLAIM_CHARS:
        assert claims.name == name  # nothing escaped, nothing interpreted
    problems = check_id_token(claims, "client", "https://login.example/organizations", now=0)
    assert all(isinstance(problem, str) for problem in problems)


@settings(max_examples=200, deadline=2000)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300).map(lambda b: b.hex())))
def test_any_string_is_a_token_or_a_claims_error(token: str) -> None:
    _count()
    try:
        payload = decode_jwt_payload(token)
    except ClaimsError:
        return
    assert isinstance(payload, dict)


@settings(max_examples=100, deadline=2000)
@given(json_values)
def test_a_payload_that_is_not_an_object_is_a_claims_error(value: Any) -> None:
    _count()
    if isinstance(value, dict):
        assert isinstance(IdTokenClaims.from_token(jwt(value)).name, str)
    else:
        with pytest.raises(ClaimsError):
            decode_jwt_payload(jwt(value))


def test_ten_thousand_roles_parse_in_order() -> None:
    roles = [f"Role.{n:05d}<b>x</b>" for n in range(10_000)]
    claims = IdTokenClaims.from_token(jwt({"roles": [*roles, 5, None]}))
    assert claims.roles == tuple(roles)


@pytest.mark.parametrize("issuer", ["https://[x/tid/v2.0", "https://login]/tid/v2.0", "[", "]:"])
def test_an_issuer_urllib_cannot_split_is_a_problem_not_a_crash(issuer: str) -> None:
    claims = IdTokenClaims.from_token(
        jwt({"iss": issuer, "tid": "tid", "aud": "client", "exp": 10})
    )
    problems = check_id_token(claims, "client", "https://login.example/organizations", now=0)
    assert "the issuer does not match the token's tenant (iss/tid)" in problems
