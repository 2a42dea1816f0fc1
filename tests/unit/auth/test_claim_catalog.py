from __future__ import annotations

import time

from desktop_app.auth.claim_catalog import (
    MAX_VALUE_CHARS,
    claim_rows,
    format_timestamp,
    groups_overage_note,
    relative,
)


def test_rows_put_known_claims_first_and_explain_them() -> None:
    rows = claim_rows({"zzz": 1, "roles": ["Admin", "Reader"], "aud": "app", "custom": "x"})
    assert [r.name for r in rows] == ["aud", "roles", "custom", "zzz"]
    assert rows[0].description.startswith("Audience")
    assert rows[1].value == "Admin, Reader"
    assert rows[2].description == ""  # unknown claims are listed, not explained


def test_timestamps_are_local_times_with_distance() -> None:
    now = 1_800_000_000.0
    text = format_timestamp(now + 600, now)
    assert text.startswith(time.strftime("%Y-%m-%d %H:%M", time.localtime(now + 600)))
    assert text.endswith("(in 10 min)")
    assert format_timestamp(now - 7200, now).endswith("(2.0 h ago)")
    assert format_timestamp("not a time", now) == "not a time"
    assert format_timestamp(True, now) == "true"
    assert format_timestamp(10**30, now) == str(10**30)  # out of range: shown as is, no crash
    assert relative(0.2) == "now"


def test_hostile_values_become_bounded_plain_text() -> None:
    rows = claim_rows(
        {
            "name": "<b>x</b>\x00y",
            "big": "a" * 1_000_000,
            "nested": {"k": [1, None, "<i>"]},
            "exp": "soon",
        }
    )
    by_name = {r.name: r for r in rows}
    assert by_name["name"].value == "<b>x</b>\\u0000y"  # plain text, the NUL shown
    assert len(by_name["big"].value) < MAX_VALUE_CHARS + 40
    assert by_name["big"].value.endswith("(1,000,000 characters)")
    assert by_name["nested"].value == '{"k": [1, null, "<i>"]}'
    assert by_name["exp"].value == "soon"


def test_groups_overage_detected_from_claim_names_or_hasgroups() -> None:
    assert groups_overage_note({"_claim_names": {"groups": "src1"}})
    assert groups_overage_note({"hasgroups": True})
    assert not groups_overage_note({"groups": ["a"]})
    assert not groups_overage_note({"_claim_names": "groups"})
