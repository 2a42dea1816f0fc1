from __future__ import annotations

from desktop_app.graph.profile import MAX_FIELD_CHARS, PROFILE_FIELDS, Profile


def test_every_default_property_is_read() -> None:
    data = {name: f"v-{name}" for name, _ in PROFILE_FIELDS}
    data["businessPhones"] = ["+1 1", "+1 2"]
    profile = Profile.from_graph(data)
    assert profile.displayName == "v-displayName"
    assert profile.display_value("businessPhones") == "+1 1, +1 2"
    assert profile.to_json()["businessPhones"] == ["+1 1", "+1 2"]


def test_nulls_and_wrong_types_become_empty() -> None:
    profile = Profile.from_graph(
        {
            "displayName": 123,
            "mail": None,
            "businessPhones": "not a list",
            "jobTitle": ["x"],
            "id": {"a": 1},
        }
    )
    assert profile.displayName == ""
    assert profile.mail == ""
    assert profile.businessPhones == ()
    assert profile.display_value("mail") == ""  # empty, never "None"


def test_huge_and_nul_strings_are_bounded() -> None:
    profile = Profile.from_graph({"displayName": "A\x00" + "x" * 2_000_000})
    assert "\x00" not in profile.displayName
    assert len(profile.displayName) <= MAX_FIELD_CHARS + 1
