from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core.config import ConfigError, load_config
from desktop_app.core.scopes import RESERVED_SCOPES, parse_scopes

CLIENT = "0c5f8f1a-7e21-4c8e-b3a4-6c1d9e2f7a10"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("User.Read", ("User.Read",)),
        ("User.Read Mail.Read", ("User.Read", "Mail.Read")),  # LANYARD_SCOPES, --scopes
        ("User.Read,Mail.Read", ("User.Read", "Mail.Read")),
        ("User.Read, api://orders/Orders.Read", ("User.Read", "api://orders/Orders.Read")),
        (" User.Read,\t Mail.Read\n", ("User.Read", "Mail.Read")),  # a pasted list
        (",,User.Read,, ,", ("User.Read",)),  # empty names are dropped
        ("User.Read Mail.Read User.Read", ("User.Read", "Mail.Read")),  # the first one stays
        ("User.Read user.read", ("User.Read", "user.read")),  # kept as written, no case folding
        ("", ()),
        (" ,\n ", ()),
    ],
)
def test_text_is_split_at_white_space_and_commas(text: str, expected: tuple[str, ...]) -> None:
    assert parse_scopes(text) == expected


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (["User.Read", "Mail.Read"], ("User.Read", "Mail.Read")),
        ([" User.Read ", "", "  ", "Mail.Read"], ("User.Read", "Mail.Read")),  # trimmed, no blanks
        (["Mail.Read", "User.Read", "Mail.Read"], ("Mail.Read", "User.Read")),
        # a config file's list item is one scope, as it always was: never split further
        (["User.Read Mail.Read"], ("User.Read Mail.Read",)),
        ([], ()),
        (("User.Read",), ("User.Read",)),  # any iterable of text
    ],
)
def test_list_items_are_taken_whole(items: list[str], expected: tuple[str, ...]) -> None:
    assert parse_scopes(items) == expected


def test_the_result_is_a_tuple_usable_as_a_key() -> None:
    scopes = parse_scopes("User.Read")
    assert isinstance(scopes, tuple)
    assert {scopes: 1}[("User.Read",)] == 1


def test_reserved_scopes_are_the_ones_msal_adds() -> None:
    assert frozenset({"openid", "profile", "offline_access"}) == RESERVED_SCOPES


# -- the callers: the config file, the environment, the Call an API panel ------------------------


def _config(tmp_path: Path, text: str = "", env: dict[str, str] | None = None) -> object:
    path = tmp_path / "config.toml"
    path.write_text(f'client_id = "{CLIENT}"\n{text}', encoding="utf-8")
    return load_config({"config": str(path)}, env=env or {}).scopes


def test_config_file_list_and_text_read_alike(tmp_path: Path) -> None:
    assert _config(tmp_path, 'scopes = [" User.Read", "", "Mail.Read", "User.Read"]\n') == (
        "User.Read",
        "Mail.Read",
    )
    assert _config(tmp_path, 'scopes = "User.Read, Mail.Read User.Read"\n') == (
        "User.Read",
        "Mail.Read",
    )
    assert _config(tmp_path, env={"LANYARD_SCOPES": "Mail.Read,User.Read"}) == (
        "Mail.Read",
        "User.Read",
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('scopes = ["", " "]', "at least one scope"),
        ('scopes = " , "', "at least one scope"),
        ('scopes = ["User.Read", 3]', "list of scope names"),
        ('scopes = "User.Read offline_access"', "offline_access"),
    ],
)
def test_config_file_rules_are_kept(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _config(tmp_path, text + "\n")
    assert fragment in caught.value.message


def test_the_config_reserved_check_stays_case_sensitive(tmp_path: Path) -> None:
    # as before the shared parser: only the API panel folds case (api_call.validate_request)
    assert _config(tmp_path, 'scopes = ["User.Read", "OpenID"]\n') == ("User.Read", "OpenID")


def test_the_api_panel_reads_scopes_the_same_way() -> None:
    from desktop_app.graph.api_call import ApiRequestError, validate_request

    graph = "https://graph.microsoft.com/v1.0"
    request = validate_request(f"{graph}/me", " User.Read,Mail.Read User.Read ", graph)
    assert request.scopes == ("User.Read", "Mail.Read")
    with pytest.raises(ApiRequestError) as caught:
        validate_request(f"{graph}/me", "User.Read OpenID", graph)  # case folded here
    assert caught.value.field == "scopes"
    assert "openid" in caught.value.message
