"""The token inspector's signature check (auth/token_verify.py) against the sandbox, with real
msal and real requests through core/net.py: its tokens verify through discovery and the JWKS,
a changed one does not, another issuer with no reachable discovery cannot be checked."""

from __future__ import annotations

import base64
import json
import time

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from desktop_app.auth.token_inspect import inspect
from desktop_app.auth.token_verify import (
    CANNOT_CHECK,
    KEYS_LIFETIME_S,
    NOT_VERIFIED,
    REREAD_AFTER_S,
    VERIFIED,
    KeyDirectory,
)
from desktop_app.core import net
from desktop_app.sandbox import Sandbox
from desktop_app.sandbox.directory import READER_UPN
from tests.support.idp_client import Loopback, make_app, sign_in


def _directory(sandbox: Sandbox) -> KeyDirectory:
    return KeyDirectory(net.make_session(sandbox.info.ca_file, proxy=None), sandbox.info.authority)


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_sandbox_tokens_verify_and_the_keys_are_cached(
    sandbox: Sandbox, loopback: Loopback
) -> None:
    app = make_app(sandbox)
    result = sign_in(sandbox, app, loopback, [sandbox.info.api_scope], READER_UPN)
    keys = _directory(sandbox)
    started = time.perf_counter()
    id_check = keys.check(inspect(result["id_token"]))
    first = time.perf_counter() - started
    assert id_check.outcome == VERIFIED, id_check.words
    assert id_check.words.startswith("Signature verified: signed by its issuer's published key")
    # the Orders API token is v1.0-shaped (iss sts.windows.net/{tenant}/): read from the
    # authority's tenant document
    api_token = inspect(f"Bearer {result['access_token']}\n")
    assert api_token.payload is not None and api_token.payload["iss"].startswith(
        "https://sts.windows.net/"
    )
    api_check = keys.check(api_token)
    assert api_check.outcome == VERIFIED, api_check.words
    fetches = keys.fetches
    started = time.perf_counter()
    assert keys.check(inspect(result["id_token"])).verified
    again = time.perf_counter() - started
    assert keys.fetches == fetches  # cached per issuer
    print(f"verify: first {first * 1000:.1f} ms (discovery + JWKS), cached {again * 1000:.2f} ms")


def test_a_changed_token_is_not_verified(sandbox: Sandbox, loopback: Loopback) -> None:
    id_token = sign_in(sandbox, make_app(sandbox), loopback, ["User.Read"], READER_UPN)["id_token"]
    head, payload, signature = id_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["roles"] = ["Admin"]
    tampered = f"{head}.{_b64(claims)}.{signature}"
    check = _directory(sandbox).check(inspect(tampered))
    assert check.outcome == NOT_VERIFIED
    assert "changed after it was signed" in check.reason
    # signed by someone else's key under the sandbox's kid: not verified either
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    header = jwt.get_unverified_header(id_token)
    forged = jwt.encode(claims, other, algorithm="RS256", headers={"kid": header["kid"]})
    assert _directory(sandbox).check(inspect(forged)).outcome == NOT_VERIFIED
    unknown_kid = jwt.encode(claims, other, algorithm="RS256", headers={"kid": "not-theirs"})
    unknown = _directory(sandbox).check(inspect(unknown_kid))
    assert unknown.outcome == NOT_VERIFIED and "does not publish the key" in unknown.reason
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    assert _directory(sandbox).check(inspect(unsigned)).outcome == NOT_VERIFIED


def test_another_issuer_without_reachable_discovery_cannot_be_checked(sandbox: Sandbox) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = {"iss": "https://login.other-tenant.invalid/abc/v2.0", "sub": "x", "exp": 2**31}
    token = jwt.encode(claims, other, algorithm="RS256", headers={"kid": "k1"})
    keys = _directory(sandbox)
    check = keys.check(inspect(token))
    assert check.outcome == CANNOT_CHECK
    assert "cannot reach login.other-tenant.invalid" in check.reason
    # an issuer on the sandbox's host that serves no discovery: cannot check, with the status
    claims["iss"] = f"{sandbox.info.authority.rsplit('/', 1)[0]}/no-such-tenant-here/v9"
    token = jwt.encode(claims, other, algorithm="RS256", headers={"kid": "k1"})
    missing = keys.check(inspect(token))
    assert missing.outcome == CANNOT_CHECK and "HTTP 4" in missing.reason, missing.reason
    # an http:// issuer is never asked
    claims["iss"] = "http://127.0.0.1:9/"
    plain = keys.check(inspect(jwt.encode(claims, other, algorithm="RS256", headers={"kid": "k"})))
    assert plain.outcome == CANNOT_CHECK and "not an HTTPS address" in plain.reason


def test_keys_are_kept_for_a_bounded_time_and_an_unknown_kid_reads_them_again(
    sandbox: Sandbox, loopback: Loopback
) -> None:
    id_token = sign_in(sandbox, make_app(sandbox), loopback, ["User.Read"], READER_UPN)["id_token"]
    now = [1000.0]
    keys = KeyDirectory(
        net.make_session(sandbox.info.ca_file, proxy=None),
        sandbox.info.authority,
        clock=lambda: now[0],
    )
    assert keys.check(inspect(id_token)).verified
    assert keys.fetches == 2  # discovery, then the JWKS
    now[0] += KEYS_LIFETIME_S - 1
    assert keys.check(inspect(id_token)).verified
    assert keys.fetches == 2  # still fresh
    now[0] += 2
    assert keys.check(inspect(id_token)).verified
    assert keys.fetches == 4  # past its lifetime: read again
    claims = jwt.decode(id_token, options={"verify_signature": False})
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rolled = jwt.encode(claims, other, algorithm="RS256", headers={"kid": "rolled-over"})
    assert keys.check(inspect(rolled)).outcome == NOT_VERIFIED
    assert keys.fetches == 4  # just read: an unknown kid does not hammer the issuer
    now[0] += REREAD_AFTER_S
    assert keys.check(inspect(rolled)).outcome == NOT_VERIFIED
    assert keys.fetches == 6  # a while later, an unknown kid reads the keys again (rollover)
