from __future__ import annotations

import base64
import json
import time

import pytest

from desktop_app.auth.claims import ClaimsError, IdTokenClaims, check_id_token, decode_jwt_payload

CLIENT = "0c5f8f1a-7e21-4c8e-b3a4-6c1d9e2f7a10"
TID = "3f6a9c1e-5b2d-4e8f-9a7c-1d2e3f4a5b6c"


def jwt(payload: object) -> str:
    def part(value: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256'})}.{part(payload)}.c2ln"


def good(**extra: object) -> dict[str, object]:
    now = int(time.time())
    return {
        "aud": CLIENT,
        "iss": f"https://login.microsoftonline.com/{TID}/v2.0",
        "tid": TID,
        "exp": now + 3600,
        "iat": now,
        "name": "Megan Bowen",
        "preferred_username": "megan@contoso.test",
        "roles": ["Admin", "Reader"],
    } | extra


def test_decode_round_trip() -> None:
    claims = IdTokenClaims.from_token(jwt(good()))
    assert claims.roles == ("Admin", "Reader")
    assert claims.username == "megan@contoso.test"


@pytest.mark.parametrize("token", ["abc", "a.b", "a.!!!.c", jwt([1, 2])])
def test_decode_rejects_non_jwts(token: str) -> None:
    with pytest.raises(ClaimsError):
        decode_jwt_payload(token)


def test_wrong_types_are_ignored() -> None:
    claims = IdTokenClaims({"roles": 7, "groups": [1, "g"], "name": 5, "exp": "soon"})
    assert claims.roles == ()
    # a single string is one role, not none (issue 14, item 4)
    assert IdTokenClaims({"roles": "Admin"}).roles == ("Admin",)
    assert claims.groups == ("g",)
    assert claims.name == ""
    assert claims.expires_at is None


def test_overage_detected() -> None:
    claims = IdTokenClaims({"_claim_names": {"groups": "src1"}, "_claim_sources": {"src1": {}}})
    assert claims.groups_overage


@pytest.mark.parametrize(
    ("authority", "ok"),
    [
        ("https://login.microsoftonline.com/organizations", True),
        (f"https://login.microsoftonline.com/{TID}", True),
        ("https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001", False),
        ("https://login.microsoftonline.com/contoso.onmicrosoft.com", True),
    ],
)
def test_tenant_check(authority: str, ok: bool) -> None:
    assert (check_id_token(IdTokenClaims(good()), CLIENT, authority) == []) is ok


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"aud": "someone-else"}, "aud"),
        ({"iss": "https://evil.example/other/v2.0"}, "iss"),
        ({"tid": ""}, "tid"),
        ({"exp": int(time.time()) - 3600}, "expired"),
        ({"exp": None}, "no expiry"),
    ],
)
def test_problems_are_named(change: dict[str, object], fragment: str) -> None:
    problems = check_id_token(
        IdTokenClaims(good(**change)), CLIENT, "https://login.microsoftonline.com/organizations"
    )
    assert any(fragment in p for p in problems), problems
