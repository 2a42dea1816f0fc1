"""The sandbox's tokens as JWS (RS256), on PyJWT: signing, verification, the JWK of its key.

PyJWT is what msal itself depends on for JWTs; the sandbox used to hand-roll the JWS here on
`cryptography`. What it adds to PyJWT is the sandbox's own policy: only RS256 and only its own
``kid`` verify (the token never chooses the algorithm), and time claims are the caller's (an
API checks ``exp`` itself, to answer the way Entra does). The base64url helpers stay for what
is not a JWS (PKCE's challenge, certificate thumbprints).
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

if TYPE_CHECKING:
    from jwt.types import Options  # PyJWT's own type of decode()'s options

ALGORITHM = "RS256"
# the caller checks time and audience (resources.py answers an expired token as Graph does)
_SIGNATURE_ONLY: Options = {
    "verify_signature": True,
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iat": False,
    "verify_aud": False,
    "verify_iss": False,
}


class JwtError(ValueError):
    """A token that is malformed or whose signature does not verify."""


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise JwtError("not base64url") from exc


def sign_rs256(claims: dict[str, Any], key: rsa.RSAPrivateKey, kid: str) -> str:
    return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": kid, "typ": "JWT"})


def unverified_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims without checking the signature (for inspection only)."""
    if token.count(".") != 2:
        raise JwtError("JWT is not well formed: expected three segments")
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except (jwt.InvalidTokenError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise JwtError(f"JWT is not well formed: {exc}") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise JwtError("part is not a JSON object")
    return header, claims


def verify_rs256(token: str, key: rsa.RSAPublicKey, kid: str) -> dict[str, Any]:
    """Claims of a token signed by `key`; raises JwtError otherwise. Time claims are the caller's."""
    header, _claims = unverified_parts(token)
    # Only RS256 with our kid: never let the token choose the algorithm ("alg": "none" et al.).
    if header.get("alg") != ALGORITHM or header.get("kid") != kid:
        raise JwtError("unexpected alg or kid")
    try:
        claims: dict[str, Any] = jwt.decode(
            token, key, algorithms=[ALGORITHM], options=_SIGNATURE_ONLY
        )
    except jwt.InvalidTokenError as exc:
        raise JwtError("signature validation failed") from exc
    return claims


def public_jwk(key: rsa.RSAPublicKey, kid: str) -> dict[str, str]:
    jwk = RSAAlgorithm.to_jwk(key, as_dict=True)
    return {"kty": "RSA", "use": "sig", "alg": ALGORITHM, "kid": kid, "n": jwk["n"], "e": jwk["e"]}
