from __future__ import annotations

import pytest

from desktop_app.auth.models import Account, token_from_result
from desktop_app.core.errors import LanyardError


def test_token_result_hides_the_token() -> None:
    account = Account("oid.tid", "megan@contoso.test", "localhost")
    token = token_from_result(
        {
            "access_token": "SECRET-AT",
            "expires_in": 3600,
            "scope": "User.Read profile",
            "token_source": "cache",
        },
        account,
        "Signing in",
        now=1000.0,
    )
    assert token.expires_on == 4600.0
    assert token.scopes == ("User.Read", "profile")
    assert token.source == "cache"
    assert "SECRET-AT" not in repr(token)


def test_token_result_raises_for_errors() -> None:
    with pytest.raises(LanyardError):
        token_from_result({"error": "invalid_grant"}, None, "Signing in")
