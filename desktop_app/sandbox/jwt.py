"""Compact JWS (RS256) signing and verification, and the JWK form of the signing key.

Hand-rolled on `cryptography` so the sandbox needs no JWT library: it only ever signs its own tokens
and verifies them again when an API is called.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


class JwtError(ValueError):
    """A token that is malformed or whose signature does not verify."""


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise JwtError("not base64url") from exc


def _json_part(obj: dict[str, Any]) -> str:
    return b64url_encode(json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode())


def sign_rs256(claims: dict[str, Any], key: rsa.RSAPrivateKey, kid: str) -> str:
    header = {"typ": "JWT", "alg": "RS256", "kid": kid}
    signing_input = f"{_json_part(header)}.{_json_part(claims)}"
    signature = key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url_encode(signature)}"


def _load_part(text: str) -> dict[str, Any]:
    try:
        value = json.loads(b64url_decode(text))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise JwtError("part is not JSON") from exc
    if not isinstance(value, dict):
        raise JwtError("part is not a JSON object")
    return value


def unverified_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims without checking the signature (for inspection only)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise JwtError("JWT is not well formed: expected three segments")
    return _load_part(parts[0]), _load_part(parts[1])


def verify_rs256(token: str, key: rsa.RSAPublicKey, kid: str) -> dict[str, Any]:
    """Claims of a token signed by `key`; raises JwtError otherwise. Time claims are the caller's."""
    header, claims = unverified_parts(token)
    # Only RS256 with our kid: never let the token choose the algorithm ("alg": "none" et al.).
    if header.get("alg") != "RS256" or header.get("kid") != kid:
        raise JwtError("unexpected alg or kid")
    signing_input, _, signature = token.rpartition(".")
    try:
        key.verify(
            b64url_decode(signature),
            signing_input.encode("ascii"),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except (InvalidSignature, UnicodeEncodeError) as exc:
        raise JwtError("signature validation failed") from exc
    return claims


def _uint_b64(value: int) -> str:
    return b64url_encode(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def public_jwk(key: rsa.RSAPublicKey, kid: str) -> dict[str, str]:
    numbers = key.public_numbers()
    return {
        "kty": "RSA",
        "use": "sig",
        "alg": "RS256",
        "kid": kid,
        "n": _uint_b64(numbers.n),
        "e": _uint_b64(numbers.e),
    }
