"""Minting and checking the tokens: ID tokens, access tokens and self-contained refresh tokens."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from desktop_app.sandbox.directory import (
    GRAPH,
    GROUPS_OVERAGE_LIMIT,
    TENANT_ID,
    AppRegistration,
    User,
)
from desktop_app.sandbox.jwt import JwtError, b64url_decode, b64url_encode, sign_rs256, verify_rs256
from desktop_app.sandbox.scopes import ScopeRequest

ID_TOKEN_LIFETIME = 3600
REFRESH_TOKEN_LIFETIME = 90 * 24 * 3600
_REFRESH_PREFIX = "1.SBX."
_LOGIN_HINT_PREFIX = "O."


def unique_token_id() -> str:
    """Like Entra's `uti`: 22 base64url characters."""
    return b64url_encode(secrets.token_bytes(16))


def client_info(user: User) -> str:
    """What msal reads to key its cache: base64url({"uid": oid, "utid": tid})."""
    return b64url_encode(json.dumps({"uid": user.oid, "utid": TENANT_ID}).encode())


def pairwise_subject(oid: str, client_id: str) -> str:
    # `sub` differs per app so two apps cannot correlate a user by it (as in Entra).
    return b64url_encode(hashlib.sha256(f"{oid}|{client_id.lower()}".encode()).digest())


@dataclass(frozen=True)
class RefreshGrant:
    oid: str
    client_id: str
    scopes: tuple[str, ...]  # consent keys granted when it was issued
    issued_at: float
    expires_at: float
    sid: str


class TokenIssuer:
    def __init__(
        self, base_url: str, graph_endpoint: str, key: rsa.RSAPrivateKey, kid: str, secret: bytes
    ) -> None:
        self.base_url = base_url
        self.issuer = f"{base_url}/{TENANT_ID}/v2.0"
        # Access tokens are v1.0-shaped like Graph's own (issuer sts.windows.net, `aud` = resource).
        self.access_issuer = f"https://sts.windows.net/{TENANT_ID}/"
        self._graph_endpoint = graph_endpoint
        self._key = key
        self._kid = kid
        self._secret = secret

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        return self._key.public_key()

    @property
    def kid(self) -> str:
        return self._kid

    def id_token(
        self, user: User, app: AppRegistration, scopes: ScopeRequest, nonce: str | None, sid: str
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "aud": app.client_id,
            "iss": self.issuer,
            "iat": now,
            "nbf": now,
            "exp": now + ID_TOKEN_LIFETIME,
            "oid": user.oid,
            "sub": pairwise_subject(user.oid, app.client_id),
            "tid": TENANT_ID,
            "sid": sid,
            "uti": unique_token_id(),
            "ver": "2.0",
        }
        if scopes.has("profile"):
            claims["preferred_username"] = user.upn
            if user.display_name is not None:
                claims["name"] = user.display_name
        if scopes.has("email") and user.mail:
            claims["email"] = user.mail
        if nonce is not None:
            claims["nonce"] = nonce  # echoed byte for byte: msal compares it to its hash
        if "login_hint" in app.optional_claims and scopes.has("profile"):
            # the optional claim needs openid and profile in the sign-in request; its value is
            # opaque to the app, which hands it back as logout_hint (browser_session.logout)
            claims["login_hint"] = self.login_hint(user)
        roles = app.roles_for(user.upn)
        if roles:
            claims["roles"] = roles
        if app.group_claims and user.groups:
            if len(user.groups) > GROUPS_OVERAGE_LIMIT:
                endpoint = f"{self._graph_endpoint}/users/{user.oid}/getMemberObjects"
                claims["_claim_names"] = {"groups": "src1"}
                claims["_claim_sources"] = {"src1": {"endpoint": endpoint}}
            else:
                claims["groups"] = list(user.groups)
        return sign_rs256(claims, self._key, self._kid)

    def access_token(
        self,
        user: User,
        app: AppRegistration,
        scopes: ScopeRequest,
        lifetime: int,
        sid: str,
        capabilities: tuple[str, ...] = (),
    ) -> str:
        now = int(time.time())
        oidc = [s for s in scopes.oidc if s != "offline_access"]
        claims: dict[str, Any] = {
            "aud": scopes.resource.identifier,
            "iss": self.access_issuer,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "appid": app.client_id,
            "app_displayname": app.display_name,
            "name": user.display_name,
            "oid": user.oid,
            "scp": " ".join([*oidc, *scopes.names]),
            "sid": sid,
            "sub": pairwise_subject(user.oid, scopes.resource.app_id),
            "tid": TENANT_ID,
            "unique_name": user.upn,
            "upn": user.upn,
            "uti": unique_token_id(),
            "ver": "1.0",
        }
        if scopes.resource is GRAPH:
            claims["xms_tcdt"] = 1600000000
        if capabilities:
            claims["xms_cc"] = list(capabilities)  # e.g. cp1: the client handles CAE challenges
        return sign_rs256(claims, self._key, self._kid)

    def resign(self, token: str, change: Callable[[dict[str, Any]], dict[str, Any]]) -> str:
        """The token's claims passed through ``change`` and signed again with the same key (the
        unusual-answers fault: a legal token whose claims take an unusual shape)."""
        return sign_rs256(
            change(verify_rs256(token, self._key.public_key(), self._kid)), self._key, self._kid
        )

    def verify_access_token(self, token: str) -> dict[str, Any]:
        """Signature only; the resource checks `aud`, `exp` and `scp` and answers in its own words."""
        return verify_rs256(token, self._key.public_key(), self._kid)

    def refresh_token(self, grant: RefreshGrant) -> str:
        payload = {
            "oid": grant.oid,
            "cid": grant.client_id,
            "scp": list(grant.scopes),
            "iat": grant.issued_at,
            "exp": grant.expires_at,
            "sid": grant.sid,
            "jti": unique_token_id(),
        }
        body = b64url_encode(json.dumps(payload, separators=(",", ":")).encode())
        return f"{_REFRESH_PREFIX}{body}.{self._mac(body)}"

    def parse_refresh_token(self, token: str) -> RefreshGrant | None:
        """The grant a refresh token carries, or None when it is not one of ours (or was altered)."""
        body = self._signed_body(token, _REFRESH_PREFIX)
        if body is None:
            return None
        try:
            data = json.loads(b64url_decode(body))
            return RefreshGrant(
                oid=str(data["oid"]),
                client_id=str(data["cid"]),
                scopes=tuple(str(s) for s in data["scp"]),
                issued_at=float(data["iat"]),
                expires_at=float(data["exp"]),
                sid=str(data["sid"]),
            )
        except (JwtError, ValueError, KeyError, TypeError):
            return None

    def login_hint(self, user: User) -> str:
        """Like Entra's `login_hint` claim: an opaque, base64-encoded value naming the user."""
        body = b64url_encode(json.dumps({"oid": user.oid, "tid": TENANT_ID}).encode())
        return f"{_LOGIN_HINT_PREFIX}{body}.{self._mac(body)}"

    def parse_login_hint(self, value: str) -> str | None:
        """The object id a login_hint claim (sent back as logout_hint) names, or None."""
        body = self._signed_body(value, _LOGIN_HINT_PREFIX)
        if body is None:
            return None
        try:
            oid = json.loads(b64url_decode(body)).get("oid")
        except (JwtError, ValueError, AttributeError):
            return None
        return oid if isinstance(oid, str) else None

    def _signed_body(self, value: str, prefix: str) -> str | None:
        """The body of ``prefix<body>.<mac>`` when the mac is ours; None for anything else. The
        value is the client's text (a form field, a query parameter): one that is not ASCII,
        which no value of ours is, is refused here rather than raising in the mac's encoding
        (the endpoint answered 500 to a logout_hint or refresh_token with an "é" in it)."""
        if not value.isascii() or not value.startswith(prefix):
            return None
        body, _, mac = value[len(prefix) :].partition(".")
        if not hmac.compare_digest(mac.encode("ascii"), self._mac(body).encode("ascii")):
            return None
        return body

    def _mac(self, body: str) -> str:
        return b64url_encode(hmac.new(self._secret, body.encode("ascii"), hashlib.sha256).digest())
