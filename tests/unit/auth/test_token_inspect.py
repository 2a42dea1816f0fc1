"""Any pasted string is read as a token (auth/token_inspect.py) without raising, in bounded
time; what comes with a paste is tolerated; JWE and opaque tokens are said to be so; two
tokens' differences are listed."""

from __future__ import annotations

import base64
import json
import string
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.auth.token_inspect import (
    EMPTY,
    JWE,
    JWS,
    MAX_TOKEN_CHARS,
    OPAQUE,
    OPAQUE_NOTE,
    TOO_LONG,
    clean,
    diff,
    inspect,
)
from desktop_app.auth.token_verify import CANNOT_CHECK, NOT_VERIFIED, _before_network

NOW = 1_800_000_000.0


def _b64(value: object) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _jwt(payload: object, header: object | None = None, signature: str = "c2ln") -> str:
    return (
        f"{_b64(header or {'alg': 'RS256', 'kid': 'k', 'typ': 'JWT'})}.{_b64(payload)}.{signature}"
    )


ID = {"iss": "https://login.example/t/v2.0", "aud": "app", "nonce": "n", "exp": NOW + 300}


def test_pasted_decorations_are_tolerated() -> None:
    token = _jwt(ID)
    for pasted in (
        f"  {token}\n",
        f'"{token}"',
        f"'{token}'",
        f"Bearer {token}",
        f"bearer   {token}",
        f"Authorization: Bearer {token}",
        f'"Bearer {token}"',
        f"{token[:20]}\n{token[20:40]}\r\n  {token[40:]}",  # wrapped by a terminal
    ):
        assert clean(pasted) == token, pasted
        inspection = inspect(pasted, NOW)
        assert inspection.kind == JWS and inspection.payload == ID
    assert inspect("   \n", NOW).kind == EMPTY


def test_an_id_token_reads_as_claims_with_times_in_words() -> None:
    inspection = inspect(_jwt(ID), NOW)
    assert inspection.summary.startswith("An ID token, 4 claims. Expires in 5 min.")
    rows = {r.name: r for r in inspection.payload_rows()}
    assert "(in 5 min)" in rows["exp"].value
    assert rows["iss"].description.startswith("Issuer")
    assert [r.name for r in inspection.header_rows()] == ["alg", "kid", "typ"]
    assert json.loads(inspection.payload_json()) == ID
    assert inspection.parts == tuple(_jwt(ID).split("."))
    assert OPAQUE_NOTE not in inspection.notes  # an ID token is the client's to read
    expired = inspect(_jwt({**ID, "exp": NOW - 3 * 3600}), NOW)
    assert "Expired 3.0 h ago." in expired.summary


def test_access_tokens_carry_microsofts_note_and_graph_format_is_not_checked() -> None:
    graph = {
        "aud": "https://graph.microsoft.com",
        "scp": "User.Read",
        "iss": "https://sts.windows.net/t/",
    }
    header = {"alg": "RS256", "kid": "k", "nonce": "abc", "typ": "JWT"}
    inspection = inspect(_jwt(graph, header), NOW)
    assert inspection.summary.startswith("An access token for Microsoft Graph")
    assert OPAQUE_NOTE in inspection.notes
    assert "learn.microsoft.com/entra/identity-platform/access-tokens" in OPAQUE_NOTE
    check = _before_network(inspection)
    assert check is not None and check.outcome == CANNOT_CHECK and "Graph" in check.reason


def test_encrypted_opaque_unsigned_and_oversized_tokens_are_said_so() -> None:
    jwe = ".".join([_b64({"alg": "RSA-OAEP", "enc": "A256GCM"}), "a", "b", "c", "d"])
    inspection = inspect(jwe, NOW)
    assert inspection.kind == JWE and "encrypted" in inspection.summary
    assert _before_network(inspection).outcome == CANNOT_CHECK  # type: ignore[union-attr]
    opaque = inspect("EwBwA8l6BAAUO9chh8cJscQLmU+LSWpbnr0vmwwAAQ", NOW)
    assert opaque.kind == OPAQUE and "three parts" in opaque.summary and OPAQUE_NOTE in opaque.notes
    assert inspect("a.b.c", NOW).kind == OPAQUE  # no JSON header
    unsigned = inspect(_jwt(ID, {"alg": "none"}, ""), NOW)
    assert "unsigned" in unsigned.notes[0]
    assert _before_network(unsigned).outcome == NOT_VERIFIED  # type: ignore[union-attr]
    huge = inspect("x" * (MAX_TOKEN_CHARS + 1), NOW)
    assert huge.kind == TOO_LONG and "262,144" in huge.summary
    bad_payload = inspect(f"{_b64({'alg': 'RS256'})}.{_b64(b'[1, 2]')}.x", NOW)
    assert bad_payload.kind == JWS and "not an object" in bad_payload.summary


def test_differences_between_two_tokens() -> None:
    before = inspect(_jwt({**ID, "roles": ["Reader"], "name": "A"}), NOW)
    after = inspect(
        _jwt({**ID, "roles": ["Reader", "Admin"], "wids": ["x"], "exp": NOW + 3600}), NOW
    )
    changes = {(c.name, c.change): c for c in diff(before, after)}
    assert set(changes) == {
        ("exp", "changed"),
        ("roles", "changed"),
        ("wids", "added"),
        ("name", "removed"),
    }
    assert changes[("roles", "changed")].after == '["Reader", "Admin"]'
    assert "in 1.0 h" in changes[("exp", "changed")].after
    assert diff(before, before) == []
    header_change = diff(before, inspect(_jwt(ID, {"alg": "RS256", "kid": "k2"}), NOW))
    assert ("header kid", "changed") in {(c.name, c.change) for c in header_change}
    assert ("header typ", "removed") in {(c.name, c.change) for c in header_change}


_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
_SEGMENT = st.text(alphabet=string.ascii_letters + string.digits + "-_=+/.", max_size=60)


def _answer(text: str) -> None:
    started = time.perf_counter()
    inspection = inspect(text, NOW)
    assert inspection.summary
    inspection.header_rows()
    inspection.payload_rows()
    inspection.header_json()
    inspection.payload_json()
    _before_network(inspection)
    diff(inspection, inspect(_jwt(ID), NOW))
    assert time.perf_counter() - started < 5


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gets_an_answer(text: str) -> None:
    _answer(text)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(_JSONISH, st.binary(max_size=40)),
    st.one_of(_JSONISH, st.binary(max_size=40)),
    _SEGMENT,
    st.sampled_from(["", "Bearer ", '"', " \n"]),
    st.integers(0, 3),
)
def test_any_token_shaped_text_gets_an_answer(
    header: object, payload: object, signature: str, prefix: str, extra: int
) -> None:
    _answer(prefix + ".".join([_b64(header), _b64(payload), signature] + ["e30"] * extra))


def test_huge_and_deep_inputs_are_bounded() -> None:
    for text in (
        "a" * (5 * MAX_TOKEN_CHARS),
        "." * 100_000,
        _jwt(b'{"a": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
        f"{_b64({'alg': 'RS256'})}.{_b64(b'[' * 100_000)}.x",
        _jwt({"n": 10**4000}),
        "\u202e" * 100_000,
    ):
        started = time.perf_counter()
        _answer(text)
        print(f"{len(text):,} chars answered in {(time.perf_counter() - started) * 1000:.1f} ms")
