"""Legal-but-unusual answers (issue 14, item 4): numbers as strings, singletons for lists,
GUIDs in another case, lifetimes of 0 or less. Each class is drawn, not one example."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from desktop_app.auth.claims import IdTokenClaims, check_id_token, seconds
from desktop_app.auth.models import token_from_result

NOW = 1_000_000.0
ROLE = st.text(st.characters(categories=("L", "N")), min_size=1, max_size=20)


def as_sent(number: int) -> st.SearchStrategy[object]:
    """A number of seconds as a server may send it: int, float, or a (padded) string."""
    return st.sampled_from([number, float(number), str(number), f" {number} "])


@given(
    st.integers(min_value=-(10**6), max_value=10**7).flatmap(
        lambda n: st.tuples(st.just(n), as_sent(n))
    )
)
def test_expires_in_as_string_is_read(pair: tuple[int, object]) -> None:
    number, sent = pair
    token = token_from_result({"access_token": "AT", "expires_in": sent}, None, "x", now=NOW)
    assert token.expires_on == NOW + max(0, number)
    # zero or negative: stated, never shown as an ordinary token
    if number <= 0:
        assert "already expired" in (token.lifetime_problem(NOW) or "")
    elif number >= 300:
        assert token.lifetime_problem(NOW) is None


@given(st.one_of(st.booleans(), st.just("abc"), st.just("NaN"), st.just(float("inf")), st.none()))
def test_an_unreadable_lifetime_is_never_fresh(sent: object) -> None:
    token = token_from_result({"access_token": "AT", "expires_in": sent}, None, "x", now=NOW)
    assert token.expires_on == NOW
    assert token.lifetime_problem(NOW) is not None


@given(st.integers(min_value=0, max_value=10**6).flatmap(as_sent))
def test_refresh_on_as_string(sent: object) -> None:
    token = token_from_result(
        {"access_token": "AT", "expires_in": 3600, "refresh_on": sent}, None, "x", now=NOW
    )
    assert token.refresh_on == seconds(sent)
    assert token.refresh_on is not None


@given(
    st.sampled_from(["roles", "groups", "amr", "wids"]),
    ROLE,
    st.dictionaries(st.text(min_size=1, max_size=8), st.integers(), max_size=3),
)
def test_a_single_value_is_one_value_not_none(
    claim: str, value: str, extra: dict[str, int]
) -> None:
    claims = IdTokenClaims({**extra, claim: value})
    if claim == "roles":
        assert claims.roles == (value,)
    if claim == "groups":
        assert claims.groups == (value,)
    # the list form reads the same
    assert IdTokenClaims({claim: [value]}).raw[claim] == [value]
    assert IdTokenClaims({"roles": [value]}).roles == IdTokenClaims({"roles": value}).roles


@given(
    st.uuids(),
    st.uuids(),
    st.sampled_from([str.upper, str.lower, str.swapcase]),
    st.integers(min_value=60, max_value=10**6).flatmap(as_sent),
)
def test_guids_compare_case_insensitively(
    tenant: uuid.UUID, client: uuid.UUID, case: object, exp: object
) -> None:
    tid, aud = str(tenant), str(client)
    raw = {
        "aud": aud,
        "tid": tid,
        "iss": f"https://login.microsoftonline.com/{tid}/v2.0",
        "exp": exp,
    }
    exp_s = seconds(exp)
    assert exp_s is not None
    configured_client = case(aud)  # type: ignore[operator]
    authority = f"https://login.microsoftonline.com/{case(tid)}"  # type: ignore[operator]
    problems = check_id_token(IdTokenClaims(raw), configured_client, authority, now=exp_s - 30)
    assert problems == []
    # and in the token, upper case against a lower-case config
    upper = {**raw, "tid": tid.upper(), "aud": aud.upper(), "iss": raw["iss"].upper()}  # type: ignore[attr-defined]
    assert (
        check_id_token(
            IdTokenClaims(upper), aud, f"https://login.microsoftonline.com/{tid}", now=exp_s - 30
        )
        == []
    )


def test_a_different_guid_is_still_refused() -> None:
    raw = {"aud": str(uuid.uuid4()), "tid": "t", "iss": "https://h/t/v2.0", "exp": NOW + 600}
    assert check_id_token(IdTokenClaims(raw), str(uuid.uuid4()), "https://h/t", now=NOW)


@given(st.integers(min_value=10**9, max_value=2 * 10**9).flatmap(as_sent))
def test_exp_iat_as_strings(sent: object) -> None:
    claims = IdTokenClaims({"exp": sent, "iat": sent, "nbf": sent})
    assert claims.expires_at == int(float(str(sent)))
    assert claims.issued_at == claims.expires_at


@given(
    st.lists(
        st.sampled_from(["User.Read", "Mail.Read", "openid", "profile", "api://x/Orders.Read"]),
        min_size=1,
        unique=True,
    ),
    st.sampled_from([str.upper, str.lower, str.swapcase]),
)
def test_a_scope_echoed_in_another_case_is_cached_as_asked(asked: list[str], case: object) -> None:
    from desktop_app.auth.token_cache import requested_spelling

    granted = [case(scope) for scope in asked] + ["email"]  # type: ignore[operator]
    assert requested_spelling(granted, {"scope": " ".join(asked)}) == [*asked, "email"]
    assert requested_spelling(None, {"scope": "a"}) is None


def test_the_requested_scopes_may_be_a_list() -> None:
    from desktop_app.auth.token_cache import requested_spelling

    # msal passes the refresh grant's scopes as a list (the wire gets them joined)
    assert requested_spelling(["USER.READ", "openid"], {"scope": ["User.Read", "openid"]}) == [
        "User.Read",
        "openid",
    ]


@given(ROLE)
def test_amr_and_wids_as_one_string_are_one_value(value: str) -> None:
    claims = IdTokenClaims({"amr": value, "wids": value})
    assert claims.amr == (value,) and claims.wids == (value,)
    listed = IdTokenClaims({"amr": [value, "mfa"], "wids": [value]})
    assert listed.amr == (value, "mfa") and listed.wids == (value,)
    assert IdTokenClaims({"amr": 5, "wids": None}).amr == ()


@given(st.integers(min_value=0, max_value=4_000_000_000).flatmap(as_sent))
def test_nbf_sent_as_a_string_is_read_and_said_to_be_text(sent: object) -> None:
    from desktop_app.auth.claim_catalog import claim_rows

    claims = IdTokenClaims({"nbf": sent})
    assert claims.not_before is not None
    (row,) = claim_rows({"nbf": sent}, now=NOW)
    assert (", sent as text" in row.value) == isinstance(sent, str)
    assert "ago" in row.value or "in " in row.value or "now" in row.value


PAST_ANY_CLOCK = st.sampled_from([10**400, -(10**400), 10**20, 10**11, 1e300, "1e300", "9" * 400])


@given(PAST_ANY_CLOCK)
def test_a_time_past_any_clock_is_no_time(sent: object) -> None:
    """An integer JSON carries that no float holds (float(10**400): OverflowError) or a time
    that time.localtime cannot show: no lifetime, no expiry, never a fresh token."""
    assert seconds(sent) is None
    token = token_from_result({"access_token": "AT", "expires_in": sent}, None, "x", now=NOW)
    assert token.expires_on == NOW and token.lifetime_problem(NOW) is not None
    token = token_from_result(
        {"access_token": "AT", "expires_in": 3600, "refresh_on": sent}, None, "x", now=NOW
    )
    assert token.refresh_on is None
    claims = IdTokenClaims({"exp": sent, "iat": sent, "nbf": sent})
    assert claims.expires_at is None and claims.issued_at is None and claims.not_before is None
    assert "no expiry" in " ".join(check_id_token(claims, "c", "https://h/organizations", now=NOW))
