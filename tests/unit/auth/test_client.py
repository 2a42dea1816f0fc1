"""The login_hint comparison (issue 15, item 2): case-insensitive, but no look-alikes."""

from __future__ import annotations

import pytest

from desktop_app.auth.client import same_username


@pytest.mark.parametrize(
    ("received", "asked_for"),
    [
        ("\u212aate@contoso.com", "kate@contoso.com"),  # Kelvin sign casefolds to k
        ("\u017fam@contoso.com", "sam@contoso.com"),  # long s casefolds to s
        ("stra\u00dfe@contoso.com", "strasse@contoso.com"),  # casefolds to ss
        ("\uff41lice@contoso.com", "alice@contoso.com"),  # fullwidth a
        ("\u0131van@contoso.com", "ivan@contoso.com"),  # dotless i
    ],
)
def test_a_look_alike_username_is_not_the_hint(received: str, asked_for: str) -> None:
    assert not same_username(received, asked_for)


def test_case_alone_does_not_matter() -> None:
    assert same_username("Alice@Contoso.COM", "alice@contoso.com")
