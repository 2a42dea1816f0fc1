"""Second-counts sent as strings are numbers before msal reads them (issue 14, item 4): msal's
cache adds a string refresh_in to a float (TypeError) and int()s "3599.0" (ValueError)."""

from __future__ import annotations

import json
import time

import msal
import requests
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.auth.wire_numbers import (
    DEVICE_FIELDS,
    SECONDS_FIELDS,
    NumbersAsNumbers,
    normalize_response,
    normalized,
)

FIELDS = (*SECONDS_FIELDS, *DEVICE_FIELDS)


def as_sent(number: int) -> st.SearchStrategy[object]:
    return st.sampled_from([number, float(number), str(number), f"{number}.0", f" {number} "])


def _response(payload: dict[str, object]) -> requests.Response:
    response = requests.Response()
    response.status_code = 200
    response._content = json.dumps(payload).encode()
    response.headers["Content-Type"] = "application/json"
    return response


@given(
    st.dictionaries(
        st.sampled_from(FIELDS),
        st.integers(min_value=-(10**6), max_value=10**8).flatmap(
            lambda n: st.tuples(st.just(n), as_sent(n))
        ),
        min_size=1,
    )
)
def test_numbers_sent_any_way_become_ints(values: dict[str, tuple[int, object]]) -> None:
    payload: dict[str, object] = {name: sent for name, (_n, sent) in values.items()}
    payload["access_token"] = "AT"
    fixed = normalize_response(_response(payload)).json()
    for name, (number, _sent) in values.items():
        assert fixed[name] == number and type(fixed[name]) is int
    assert fixed["access_token"] == "AT"  # nothing else touched


@given(st.sampled_from(["soon", "", "NaN", "Infinity", "1e999"]) | st.booleans() | st.none())
def test_a_value_that_is_no_number_is_dropped_or_zero(sent: object) -> None:
    fixed = normalized({"refresh_in": sent, "expires_in": sent, "interval": sent})
    assert fixed is not None
    assert "refresh_in" not in fixed and "interval" not in fixed  # msal keeps no time then
    assert fixed["expires_in"] == 0  # read as expired, never as msal's default hour


def test_ordinary_answers_and_non_json_are_left_alone() -> None:
    assert normalized({"expires_in": 3599, "refresh_in": 1800}) is None
    text = requests.Response()
    text._content = b"429 Too Many Requests"
    assert normalize_response(text).text == "429 Too Many Requests"
    listing = _response({"keys": []})
    assert normalize_response(listing).json() == {"keys": []}


def test_msal_caches_a_string_refresh_in_once_normalized() -> None:
    """What msal itself does with the answer, before and after: the class of failure."""
    answer = {
        "access_token": "AT",
        "token_type": "Bearer",
        "expires_in": "3599.0",
        "ext_expires_in": "3599",
        "refresh_in": "1800",
        "scope": "User.Read",
    }
    event = {
        "client_id": "c",
        "scope": ["User.Read"],
        "token_endpoint": "https://login.test/t/oauth2/v2.0/token",
        "grant_type": "refresh_token",
        "response": dict(answer),
        "data": {},
    }
    raw = msal.TokenCache()
    try:
        raw.add(dict(event))
        crashed = False
    except (TypeError, ValueError):
        crashed = True
    assert crashed  # msal alone cannot take it
    cache = msal.TokenCache()
    cache.add(dict(event, response=normalize_response(_response(answer)).json()))
    (entry,) = cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)
    assert abs(int(entry["refresh_on"]) - (time.time() + 1800)) < 5
    assert abs(int(entry["expires_on"]) - (time.time() + 3599)) < 5


def test_the_wrapper_is_the_session_for_everything_else() -> None:
    session = requests.Session()
    wrapped = NumbersAsNumbers(session)
    assert wrapped.headers is session.headers
    wrapped.close()


HUGE = st.sampled_from([10**400, -(10**400), 10**20, 10**11, "1e300", 1e300, "9" * 400, -1e300])


@given(HUGE)
def test_a_value_past_any_clock_is_no_number_either(sent: object) -> None:
    """A lifetime past claims.MAX_SECONDS (an integer JSON carries that no float holds, or one
    that makes time.localtime overflow): msal's own ``time.time() + refresh_in`` raised
    OverflowError on 10**400, and the token panel's clock on 10**20."""
    fixed = normalized({"refresh_in": sent, "expires_in": sent, "interval": sent})
    assert fixed is not None
    assert "refresh_in" not in fixed and "interval" not in fixed
    assert fixed["expires_in"] == 0
    event = {
        "client_id": "c",
        "scope": ["User.Read"],
        "token_endpoint": "https://login.test/t/oauth2/v2.0/token",
        "grant_type": "refresh_token",
        "response": dict(normalized({"access_token": "AT", "expires_in": sent}) or {}),
        "data": {},
    }
    cache = msal.TokenCache()
    cache.add(event)  # msal takes it: read as a token already expired
    (entry,) = cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)
    time.localtime(int(entry["expires_on"]))  # and every clock can show its expiry
