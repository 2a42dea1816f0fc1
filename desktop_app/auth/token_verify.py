"""A token's signature checked against the keys its issuer publishes, with the answer in words.

OpenID Connect Discovery: ``{iss}/.well-known/openid-configuration`` names the ``jwks_uri``;
the key is the one whose ``kid`` the token's header names. Entra's v1.0 access tokens say
``iss: https://sts.windows.net/{tenant}/``, which serves no discovery: for those the tenant's
document on Lanyard's own authority host is read (Entra signs v1.0 and v2.0 tokens with the same
tenant keys). Requests go through core/net.py's session (Lanyard's CA and proxy), answers are
bounded in size, and each issuer's keys are kept for a bounded time (a kid not seen makes one
early re-read: keys roll over).

The three answers: verified; not verified (why: tampered, unsigned, a key the issuer does not
publish); cannot check (why: offline, no discovery at the issuer, an opaque or encrypted token,
a Graph token in Microsoft's own format, a shared-secret algorithm).
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jwt
import requests

from desktop_app.auth.signature import CANNOT_CHECK, NOT_VERIFIED, VERIFIED, SignatureCheck
from desktop_app.auth.token_inspect import JWE, JWS, Inspection, is_graph_token
from desktop_app.core import net
from desktop_app.core.config import Config
from desktop_app.core.i18n import _
from desktop_app.core.net import TrustedSession
from desktop_app.core.text import shown

KEYS_LIFETIME_S = 3600.0  # an issuer's keys are re-read after this long
REREAD_AFTER_S = 300.0  # an unknown kid re-reads the keys, at most this often per issuer
MAX_DOCUMENT_BYTES = 512 * 1024
MAX_ISSUERS = 16
_ASYMMETRIC = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
# the signature only: time, audience and issuer are shown, not enforced (an expired token's
# signature is still its issuer's)
_SIGNATURE_ONLY: Any = {
    "verify_signature": True,
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iat": False,
    "verify_aud": False,
    "verify_iss": False,
}


class _Unavailable(Exception):
    """The keys cannot be had (the message says why, for people)."""


@dataclass
class _Keys:
    keys: dict[str, dict[str, Any]]
    url: str
    fetched: float


def _issuer_text(issuer: str) -> str:
    return shown(issuer, one_line=True, limit=200)


def discovery_url(issuer: str, authority: str) -> tuple[str, str]:
    """The discovery document's URL for ``issuer`` and the issuer it must declare ('' when any
    issuer of the same tenant will do); raises _Unavailable for an issuer that is no HTTPS URL."""
    parts = urlsplit(issuer)
    if parts.scheme != "https" or not parts.hostname:
        raise _Unavailable(
            _("the issuer '{issuer_text}' is not an HTTPS address.").format(
                issuer_text=_issuer_text(issuer)
            )
        )
    if parts.hostname.lower() == "sts.windows.net":
        tenant = parts.path.strip("/")
        host = urlsplit(authority)
        if not tenant or "/" in tenant or host.scheme != "https" or not host.netloc:
            raise _Unavailable(
                _("the issuer '{issuer_text}' names no tenant.").format(
                    issuer_text=_issuer_text(issuer)
                )
            )
        base = f"https://{host.netloc}/{tenant}/v2.0"
        return f"{base}/.well-known/openid-configuration", ""
    return f"{issuer.rstrip('/')}/.well-known/openid-configuration", issuer


class KeyDirectory:
    """Issuers' published keys, read on demand (on the network pool: never the GUI thread)."""

    def __init__(
        self,
        session: requests.Session,
        authority: str,
        lifetime_s: float = KEYS_LIFETIME_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._session = session
        self._authority = authority
        self._lifetime = lifetime_s
        self._clock = clock
        self._lock = threading.Lock()
        self._fetching = threading.Lock()  # one issuer read at a time: the session is shared
        self._cache: OrderedDict[str, _Keys] = OrderedDict()
        self.fetches = 0  # documents read: how well the cache works

    def check(self, inspection: Inspection) -> SignatureCheck:
        """The signature of ``inspection``'s token, in words (never raises)."""
        early = _before_network(inspection)
        if early is not None:
            return early
        header, payload = inspection.header or {}, inspection.payload or {}
        alg, kid, issuer = header.get("alg"), header.get("kid"), payload.get("iss")
        if not isinstance(issuer, str) or not issuer:
            return SignatureCheck(CANNOT_CHECK, _("the token names no issuer (iss)."))
        try:
            keys = self._keys(issuer, fresh=False)
            if kid not in keys.keys:
                keys = self._keys(issuer, fresh=True)
        except _Unavailable as exc:
            return SignatureCheck(CANNOT_CHECK, str(exc))
        jwk = keys.keys.get(kid) if isinstance(kid, str) else None
        if jwk is None:
            return SignatureCheck(
                NOT_VERIFIED,
                _("the issuer does not publish the key '{shown}' the token names.").format(
                    shown=shown(str(kid), one_line=True, limit=80)
                ),
                keys.url,
            )
        return _verify(inspection.token, str(alg), jwk, keys.url)

    def _keys(self, issuer: str, fresh: bool) -> _Keys:
        now = self._clock()
        with self._lock:
            cached = self._cache.get(issuer)
            if cached is not None:
                age = now - cached.fetched
                if age < self._lifetime and not (fresh and age >= REREAD_AFTER_S):
                    self._cache.move_to_end(issuer)
                    return cached
        with self._fetching:
            return self._read_keys(issuer)

    def _read_keys(self, issuer: str) -> _Keys:
        url, wanted_issuer = discovery_url(issuer, self._authority)
        document = self._document(url, _("its OpenID configuration"))
        declared = document.get("issuer")
        if wanted_issuer and not _same_issuer(str(declared), wanted_issuer, issuer):
            raise _Unavailable(
                _("the issuer's configuration names another issuer ('{issuer_text}').").format(
                    issuer_text=_issuer_text(str(declared))
                )
            )
        jwks_uri = document.get("jwks_uri")
        if not isinstance(jwks_uri, str) or urlsplit(jwks_uri).scheme != "https":
            raise _Unavailable(_("the issuer's configuration has no HTTPS jwks_uri."))
        found = self._document(jwks_uri, _("its signing keys"))
        listed = found.get("keys")
        if not isinstance(listed, list):
            raise _Unavailable(_("the issuer's key set lists no keys."))
        keys = {str(k["kid"]): k for k in listed if isinstance(k, dict) and "kid" in k}
        entry = _Keys(keys, jwks_uri, self._clock())
        with self._lock:
            self._cache[issuer] = entry
            self._cache.move_to_end(issuer)
            while len(self._cache) > MAX_ISSUERS:
                self._cache.popitem(last=False)
        return entry

    def _document(self, url: str, what: str) -> dict[str, Any]:
        host = shown(urlsplit(url).netloc, one_line=True, limit=120)
        self.fetches += 1
        try:
            with self._session.get(url, stream=True, allow_redirects=False) as response:
                if response.status_code != 200:
                    raise _Unavailable(
                        _(
                            "{host} did not give {what} (HTTP {status_code}); an issuer Lanyard cannot ask."
                        ).format(host=host, what=what, status_code=response.status_code)
                    )
                body = b""
                for chunk in response.iter_content(64 * 1024):
                    body += chunk
                    if len(body) > MAX_DOCUMENT_BYTES:
                        raise _Unavailable(
                            _("{host} sent more than a key set can be.").format(host=host)
                        )
        except requests.RequestException as exc:
            raise _Unavailable(
                _(
                    "Lanyard cannot reach {host} for {what} (offline, or a network that blocks it: {name})."
                ).format(host=host, what=what, name=exc.__class__.__name__)
            ) from None
        try:
            value = json.loads(body.decode("utf-8"))
        except (UnicodeError, ValueError, RecursionError):
            raise _Unavailable(
                _("{host} did not answer with JSON for {what}.").format(host=host, what=what)
            ) from None
        if not isinstance(value, dict):
            raise _Unavailable(
                _("{host} did not answer with a JSON object for {what}.").format(
                    host=host, what=what
                )
            )
        return value


def _same_issuer(declared: str, wanted: str, issuer: str) -> bool:
    """Entra's multi-tenant documents declare ``{tenantid}``: it stands for the token's."""
    if declared.rstrip("/") == wanted.rstrip("/"):
        return True
    if "{tenantid}" in declared:
        prefix, _, suffix = declared.partition("{tenantid}")
        middle = (
            issuer[len(prefix) : len(issuer) - len(suffix)] if suffix else issuer[len(prefix) :]
        )
        return issuer.startswith(prefix) and issuer.endswith(suffix) and "/" not in middle
    return False


def _before_network(inspection: Inspection) -> SignatureCheck | None:
    """The answers that need no keys."""
    if inspection.kind == JWE:
        return SignatureCheck(
            CANNOT_CHECK, _("the token is encrypted (JWE); only its recipient can open it.")
        )
    if inspection.kind != JWS:
        return SignatureCheck(CANNOT_CHECK, _("it is not a signed JWT (an opaque token, or none)."))
    header = inspection.header or {}
    alg = header.get("alg")
    if isinstance(alg, str) and alg.lower() == "none":
        return SignatureCheck(NOT_VERIFIED, _("the token is unsigned (alg: none)."))
    if inspection.payload is None:
        return SignatureCheck(CANNOT_CHECK, _("its payload cannot be read, so neither its issuer."))
    if isinstance(alg, str) and alg.upper().startswith("HS"):
        return SignatureCheck(
            CANNOT_CHECK,
            _("it is signed with a shared secret (HMAC), which only its issuer and API hold."),
        )
    if not isinstance(alg, str) or alg not in _ASYMMETRIC:
        return SignatureCheck(
            CANNOT_CHECK,
            _("its algorithm '{shown}' is not one Lanyard checks.").format(
                shown=shown(str(alg), one_line=True, limit=40)
            ),
        )
    if "nonce" in header and is_graph_token(inspection):
        return SignatureCheck(
            CANNOT_CHECK,
            _(
                "a Microsoft Graph token in Microsoft's own format (a nonce in its header): it is "
                "meant for Graph alone and does not validate as a plain JWT."
            ),
        )
    if not isinstance(header.get("kid"), str):
        return SignatureCheck(CANNOT_CHECK, _("the token's header names no key (kid)."))
    return None


def _verify(token: str, alg: str, jwk: dict[str, Any], url: str) -> SignatureCheck:
    where = shown(urlsplit(url).netloc, one_line=True, limit=120)
    try:
        key = jwt.PyJWK(jwk, algorithm=alg)
    except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError, KeyError):
        return SignatureCheck(
            CANNOT_CHECK,
            _("the key {where} publishes is not one Lanyard reads.").format(where=where),
            url,
        )
    if jwk.get("alg") not in (None, alg):
        return SignatureCheck(
            NOT_VERIFIED,
            _("the token says {alg}, but its key is for another algorithm.").format(alg=alg),
            url,
        )
    try:
        jwt.decode(token, key.key, algorithms=[alg], options=_SIGNATURE_ONLY)
    except jwt.InvalidSignatureError:
        return SignatureCheck(
            NOT_VERIFIED,
            _(
                "the signature does not match the issuer's key: the token was changed after it was signed, or was not signed by its issuer (keys from {where})."
            ).format(where=where),
            url,
        )
    except (jwt.InvalidTokenError, ValueError, TypeError):
        return SignatureCheck(
            NOT_VERIFIED, _("the token is not well formed for its signature."), url
        )
    return SignatureCheck(
        VERIFIED, _("signed by its issuer's published key (from {where}).").format(where=where), url
    )


def session_for(config: Config) -> TrustedSession:
    """The trusted network layer for discovery and keys, as build_services makes it for the
    identity provider: the configured CA (the sandbox's alone in the demo) and proxy."""
    if config.ca_exclusive and config.ca_bundle is not None:
        ca_path = str(config.ca_bundle)
    else:
        ca_path = net.trust_bundle(config.ca_bundle, config.profile_dir)
    return net.make_session(ca_path, proxy=config.proxy)
