"""Property tests: Profile.from_graph takes any JSON object Graph (or an attacker) could send."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.graph.profile import MAX_FIELD_CHARS, PROFILE_FIELDS, Profile
from tests.support import figures
from tests.support.deceptive import deceptive_chars
from tests.support.hostile import field_values, hostile_text, json_values

NAMES = [name for name, _ in PROFILE_FIELDS]
_tried = [0]

profiles = st.dictionaries(
    st.one_of(st.sampled_from(NAMES), st.text(max_size=12)),
    st.one_of(field_values, st.lists(field_values, max_size=5)),
    max_size=len(NAMES) + 3,
)


@settings(max_examples=400, deadline=2000)
@given(profiles)
def test_any_graph_profile_parses_to_bounded_plain_strings(data: dict[str, Any]) -> None:
    _tried[0] += 1
    figures.record("hostile profiles (parser)", f"{_tried[0]} examples tried")
    profile = Profile.from_graph(data)
    for name in NAMES:
        value = getattr(profile, name)
        items = value if name == "businessPhones" else (value,)
        assert isinstance(value, tuple if name == "businessPhones" else str)
        for item in items:
            assert isinstance(item, str)
            assert deceptive_chars(item) == []  # every control or format character visible
            assert len(item) <= MAX_FIELD_CHARS + 1
        raw = data.get(name)
        if name == "businessPhones":
            if isinstance(raw, str):  # one string for a list is one value
                assert len(value) == (1 if raw else 0)
            elif not isinstance(raw, list):
                assert value == ()
                assert (raw is None) == (profile.wrong_type(name) is None)
        elif isinstance(raw, str) and not deceptive_chars(raw) and len(raw) <= MAX_FIELD_CHARS:
            assert value == raw  # nothing escaped, nothing interpreted
        elif not isinstance(raw, str):
            assert value == ""  # a wrong type shows as empty, never as "123" or "None"
        assert isinstance(profile.display_value(name), str)
    assert set(profile.to_json()) == set(NAMES)


@settings(max_examples=100, deadline=2000)
@given(json_values)
def test_a_profile_body_that_is_not_an_object_of_fields_still_parses(value: Any) -> None:
    data = value if isinstance(value, dict) else {"displayName": value}
    assert isinstance(Profile.from_graph(data).displayName, str)


@given(hostile_text)
def test_a_megabyte_field_is_clipped(text: str) -> None:
    value = Profile.from_graph({"jobTitle": text * 2}).jobTitle
    assert len(value) <= MAX_FIELD_CHARS + 1
