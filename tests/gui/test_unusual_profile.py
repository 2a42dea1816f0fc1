"""A Graph profile field of the wrong type (issue 14, item 4): the header never keeps the
previous person's name; it falls back to the ID token of the person now shown."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.auth.claims import IdTokenClaims
from desktop_app.auth.models import Identity
from desktop_app.graph.profile import Profile
from desktop_app.ui.header import AccountHeader

WRONG = st.one_of(
    st.integers(),
    st.booleans(),
    st.none(),
    st.lists(st.text(max_size=3), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(WRONG, WRONG)
def test_a_wrong_type_name_does_not_keep_the_previous_person(
    qapp: Any, name: object, upn: object
) -> None:
    header = AccountHeader()
    header.show_identity(
        Identity(IdTokenClaims({"name": "Alex A", "preferred_username": "alex@x"})), "c"
    )
    header.show_profile(
        Profile.from_graph({"displayName": "Alex Graph", "userPrincipalName": "alex@x"})
    )
    header.show_identity(
        Identity(IdTokenClaims({"name": "Bea B", "preferred_username": "bea@x"})), "c"
    )
    header.show_profile(Profile.from_graph({"displayName": name, "userPrincipalName": upn}))
    assert header.name.text() == "Bea B"
    assert header.username.text() == "bea@x"
    header.deleteLater()
