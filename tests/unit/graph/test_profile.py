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
    assert profile.businessPhones == ("not a list",)  # one string for a list: one value
    assert profile.display_value("mail") == ""  # empty, never "None"
    assert dict(profile.wrong_types) == {
        "displayName": "a number",
        "jobTitle": "a list",
        "id": "an object",
    }


def test_huge_and_nul_strings_are_bounded() -> None:
    profile = Profile.from_graph({"displayName": "A\x00" + "x" * 2_000_000})
    assert "\x00" not in profile.displayName
    assert len(profile.displayName) <= MAX_FIELD_CHARS + 1


def test_a_field_of_the_wrong_type_is_named_not_silently_dropped() -> None:
    profile = Profile.from_graph(
        {
            "displayName": 5,
            "jobTitle": ["x"],
            "mail": {"a": 1},
            "officeLocation": True,
            "surname": None,  # Graph's "no value": not a wrong type
            "businessPhones": "+1 425 555 0109",  # one string for a list: one value
            "userPrincipalName": "a@b.test",
        }
    )
    assert profile.displayName == "" and profile.wrong_type("displayName") == "a number"
    assert profile.wrong_type("jobTitle") == "a list"
    assert profile.wrong_type("mail") == "an object"
    assert profile.wrong_type("officeLocation") == "true/false"
    assert profile.wrong_type("surname") is None and profile.wrong_type("userPrincipalName") is None
    assert profile.businessPhones == ("+1 425 555 0109",)
    assert "wrong_types" not in profile.to_json()  # the snapshot keeps values only
    mixed = Profile.from_graph({"businessPhones": ["+1", 2]})
    assert mixed.businessPhones == ("+1",) and mixed.wrong_type("businessPhones")
