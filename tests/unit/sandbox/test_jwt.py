from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from desktop_app.sandbox.jwt import (
    JwtError,
    b64url_decode,
    b64url_encode,
    public_jwk,
    sign_rs256,
    unverified_parts,
    verify_rs256,
)


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_round_trip_keeps_unicode_claims(key: rsa.RSAPrivateKey) -> None:
    claims = {"name": "<b>مريم</b> 🦄", "n": 1}
    token = sign_rs256(claims, key, "k1")
    header, body = unverified_parts(token)
    assert header == {"typ": "JWT", "alg": "RS256", "kid": "k1"}
    assert body == claims
    assert verify_rs256(token, key.public_key(), "k1") == claims


def test_tampered_claims_fail(key: rsa.RSAPrivateKey) -> None:
    head, _body, sig = sign_rs256({"scp": "User.Read"}, key, "k1").split(".")
    body = b64url_encode(json.dumps({"scp": "Directory.ReadWrite.All"}).encode())
    forged = f"{head}.{body}.{sig}"
    with pytest.raises(JwtError):
        verify_rs256(forged, key.public_key(), "k1")


def test_other_key_wrong_kid_and_alg_none_fail(key: rsa.RSAPrivateKey) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = sign_rs256({"a": 1}, other, "k1")
    with pytest.raises(JwtError):
        verify_rs256(token, key.public_key(), "k1")
    with pytest.raises(JwtError):
        verify_rs256(sign_rs256({"a": 1}, key, "k2"), key.public_key(), "k1")
    header = b64url_encode(json.dumps({"alg": "none", "kid": "k1"}).encode())
    unsigned = f"{header}.{b64url_encode(b'{}')}."
    with pytest.raises(JwtError):
        verify_rs256(unsigned, key.public_key(), "k1")


@pytest.mark.parametrize("garbage", ["", "a.b", "a.b.c.d", "!!.??.**", "e30.bm90anNvbg.x"])
def test_malformed_tokens_raise_jwt_error(key: rsa.RSAPrivateKey, garbage: str) -> None:
    with pytest.raises(JwtError):
        verify_rs256(garbage, key.public_key(), "k1")


def test_jwk_carries_the_public_numbers(key: rsa.RSAPrivateKey) -> None:
    jwk = public_jwk(key.public_key(), "k1")
    assert jwk["kty"] == "RSA"
    assert jwk["use"] == "sig"
    assert jwk["kid"] == "k1"
    assert int.from_bytes(b64url_decode(jwk["n"]), "big") == key.public_key().public_numbers().n
    assert int.from_bytes(b64url_decode(jwk["e"]), "big") == 65537


def test_a_standard_client_verifies_the_sandboxs_tokens_with_its_published_jwk(
    key: rsa.RSAPrivateKey,
) -> None:
    """What any relying party does: the key from the JWKS, PyJWT's own verification."""
    import jwt as pyjwt

    token = sign_rs256({"aud": "api://orders", "sub": "megan"}, key, "k1")
    published = pyjwt.PyJWK(public_jwk(key.public_key(), "k1"))
    claims = pyjwt.decode(token, published.key, algorithms=["RS256"], audience="api://orders")
    assert claims["sub"] == "megan"
