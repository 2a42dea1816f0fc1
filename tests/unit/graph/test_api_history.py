"""Recent requests: kept newest first, damage skipped, secret header values never kept."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.graph import api_history
from desktop_app.graph.api_history import MAX_ENTRIES, SECRET_KEPT_AS, entry


def test_round_trip_newest_first_without_repeats_and_capped() -> None:
    kept: list[api_history.HistoryEntry] = []
    for n in range(MAX_ENTRIES + 20):
        kept = api_history.add(kept, entry("GET", f"{{graph}}/me/{n}", "User.Read", when=n))
    kept = api_history.add(kept, entry("GET", "{graph}/me/150", "User.Read", status=200, when=999))
    assert len(kept) == MAX_ENTRIES
    assert kept[0].url == "{graph}/me/150" and kept[0].status == 200
    assert sum(1 for e in kept if e.url == "{graph}/me/150") == 1
    again = api_history.from_json(api_history.to_json(kept))
    assert again == kept
    assert (
        again[0]
        .label("https://graph.test/me/150")
        .startswith("GET https://graph.test/me/150 · 200")
    )


def test_secret_looking_header_values_are_not_kept() -> None:
    headers = (
        "Ocp-Apim-Subscription-Key: k1\nX-Api-Key: k2\nX-Auth-Token: k3\n"
        "X-Client-Secret: k4\nConsistencyLevel: eventual"
    )
    stored = api_history.to_json([entry("POST", "{api}/orders", "x", headers, "{}")])
    for secret in ("k1", "k2", "k3", "k4"):
        assert secret not in stored
    (read,) = api_history.from_json(stored)
    assert read.headers.count(SECRET_KEPT_AS) == 4 and "ConsistencyLevel: eventual" in read.headers


def test_damaged_entries_are_skipped_and_the_rest_kept() -> None:
    good = {"method": "GET", "url": "{graph}/me", "scopes": "User.Read", "status": 200}
    text = json.dumps(
        [
            good,
            {"method": "FETCH", "url": "x"},
            {"method": "GET"},
            5,
            {"url": 3},
            None,
            {**good, "url": "{graph}/org", "status": True, "when": "soon"},
        ]
    )
    found = api_history.from_json(text)
    assert [e.url for e in found] == ["{graph}/me", "{graph}/org"]
    assert found[1].status == 0 and found[1].when == 0.0
    for damaged in ("", "{", "[[[[", '{"a": 1}', "null", 7, None, "[" * 100_000):
        assert api_history.from_json(damaged) == []


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner),
        max_leaves=25,
    )
)
def test_any_stored_value_reads_without_an_exception(value: object) -> None:
    found = api_history.from_json(json.dumps(value))
    assert len(found) <= MAX_ENTRIES
    assert all(e.method in ("GET", "POST", "PUT", "PATCH", "DELETE") for e in found)
