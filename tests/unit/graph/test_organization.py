"""The tenant's name from a /organization answer: defensive against any shape, shown safely, kept
in the profile snapshot (and a snapshot written before it still reads)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from desktop_app.graph.client import Photo
from desktop_app.graph.organization import MAX_NAME_CHARS, Organization
from desktop_app.graph.profile import Profile
from desktop_app.graph.snapshot import Snapshot
from tests.support.deceptive import deceptive_chars

TENANT = "3f6a9c1e-5b2d-4e8f-9a7c-1d2e3f4a5b6c"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)


@given(json_values)
def test_any_answer_gives_an_organization_or_none(data: object) -> None:
    found = Organization.from_graph(data)
    assert found is None or (found.id and found.display_name)


@given(
    st.dictionaries(st.sampled_from(["id", "displayName", "verifiedDomains", "city"]), json_values)
)
def test_an_item_is_used_only_with_a_string_id_and_name(item: dict[str, object]) -> None:
    found = Organization.from_graph({"value": [item]})
    usable = (
        isinstance(item.get("id"), str)
        and item["id"]
        and isinstance(item.get("displayName"), str)
        and str(item["displayName"]).strip()
    )
    assert (found is not None) == bool(usable)


def test_the_name_is_shown_safely_and_only_for_its_own_tenant() -> None:
    hostile = "Contoso\u202egnp.exe\n" + "x" * 1000
    found = Organization.from_graph({"value": [{"id": TENANT, "displayName": hostile}]})
    assert found is not None
    assert deceptive_chars(found.display_name) == []
    assert "\n" not in found.display_name
    assert len(found.display_name) <= MAX_NAME_CHARS + 1  # and the ellipsis
    assert found.name_for(TENANT.upper()) == found.display_name
    assert found.name_for("another-tenant") == ""


def test_it_is_kept_with_the_snapshot_and_an_older_snapshot_reads_without_it() -> None:
    org = Organization(TENANT, "Contoso")
    snapshot = Snapshot("a.b", Profile(displayName="M"), 10.0, Photo(b"p", "image/png", "e"), 5.0)
    with_org = Snapshot("a.b", snapshot.profile, 10.0, snapshot.photo, 5.0, org, 7.0)
    again = Snapshot.from_json("a.b", with_org.to_json())
    assert again.organization == org and again.organization_checked_at == 7.0
    assert again.organization_is_fresh(7.0 + 60)
    assert not again.organization_is_fresh(7.0 + 2 * 24 * 3600)
    older = snapshot.to_json()
    del older["organization"], older["organization_checked_at"]
    read = Snapshot.from_json("a.b", older)
    assert read.organization is None and not read.organization_is_fresh(10.0)
    assert Snapshot.from_json("a.b", {**older, "organization": "junk"}).organization is None
