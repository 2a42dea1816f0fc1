"""The config file writer: whatever it writes, tomllib reads back as the same values."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.core import config_file
from desktop_app.core.config import load_config


@pytest.mark.parametrize(
    "text",
    [
        "",
        'say "hi"',
        "C:\\Users\\me\\ca.pem",
        "\\\\server\\share\\",
        "trailing backslash \\",
        "tab\there, newline\nthere, cr\r, formfeed\f, backspace\b",
        "nul \x00 bell \x07 esc \x1b del \x7f",
        "Ünïcødé — ελληνικά — 日本語 — עברית — 🔐",
        "'''single''' and \"\"\"triple\"\"\"",
        "# not a comment",
        "key = value",
        "\u2028 line separator, \ufeff BOM",
    ],
)
def test_strings_round_trip(text: str) -> None:
    written = config_file.dumps({"value": text})
    assert tomllib.loads(written) == {"value": text}


@given(st.text())
def test_any_text_round_trips(text: str) -> None:
    assert tomllib.loads(config_file.dumps({"value": text})) == {"value": text}


@given(
    st.dictionaries(
        st.from_regex(r"[A-Za-z0-9_-]+", fullmatch=True),
        st.one_of(st.text(), st.booleans(), st.integers(), st.lists(st.text(), max_size=4)),
        max_size=6,
    )
)
def test_flat_tables_round_trip(values: dict[str, object]) -> None:
    assert tomllib.loads(config_file.dumps(values)) == values


def test_refuses_what_it_cannot_write() -> None:
    with pytest.raises(ValueError, match="plain TOML key"):
        config_file.dumps({"two words": "x"})
    with pytest.raises(TypeError, match="float"):
        config_file.dumps({"ratio": 0.5})
    with pytest.raises(TypeError, match="dict"):
        config_file.dumps({"table": {"a": "b"}})


def test_save_keeps_other_keys_and_removes_none(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '# my notes\ngraph_endpoint = "https://graph.example/v1.0"\ntenant = "old.example"\n'
        "allow_plaintext_cache = false\n",
        encoding="utf-8",
    )
    assert (
        config_file.save(path, {"tenant": None, "client_id": "abc", "scopes": ["A", "B"]}) is None
    )
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {
        "graph_endpoint": "https://graph.example/v1.0",
        "allow_plaintext_cache": False,
        "client_id": "abc",
        "scopes": ["A", "B"],
    }
    assert path.read_text(encoding="utf-8").startswith("# my notes\n")


def test_a_new_file_starts_with_the_header(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    config_file.save(path, {"client_id": "abc"})
    assert path.read_text(encoding="utf-8") == config_file.HEADER + 'client_id = "abc"\n'


def test_save_keeps_the_persons_comments_order_and_formatting(tmp_path: Path) -> None:
    """Issue 18 item 2: the hand-written writer dropped every comment."""
    path = tmp_path / "config.toml"
    original = (
        "# Work laptop: the Contoso tenant\n"
        'tenant   = "contoso.example"   # do not change: IT said so\n'
        "\n"
        '# scopes = ["User.Read"]  (kept for later)\n'
        'client_id = "old"\n'
        "\n"
        "[my_notes]  # a table Lanyard does not know\n"
        'ticket = "IT-4411"\n'
    )
    path.write_text(original, encoding="utf-8")
    config_file.save(path, {"client_id": "new", "proxy": "http://proxy.example:3128"})
    written = path.read_text(encoding="utf-8")
    assert written.startswith(
        "# Work laptop: the Contoso tenant\n"
        'tenant   = "contoso.example"   # do not change: IT said so\n'
        "\n"
        '# scopes = ["User.Read"]  (kept for later)\n'
        'client_id = "new"\n'
    )
    assert "[my_notes]  # a table Lanyard does not know\n" in written
    assert tomllib.loads(written) == {
        "tenant": "contoso.example",
        "client_id": "new",
        "proxy": "http://proxy.example:3128",
        "my_notes": {"ticket": "IT-4411"},
    }


def test_the_old_writers_header_is_replaced_by_a_true_one(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        "# Lanyard settings, written by its Settings dialog. Keys you add by hand are kept;\n"
        '# comments are not.\nclient_id = "abc"\n',
        encoding="utf-8",
    )
    config_file.save(path, {"tenant": "t.example"})
    written = path.read_text(encoding="utf-8")
    assert written.startswith(config_file.HEADER) and "comments are not" not in written
    assert tomllib.loads(written) == {"client_id": "abc", "tenant": "t.example"}


_comment = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x7f"), max_size=20
)


@given(
    comments=st.lists(_comment, min_size=1, max_size=4),
    existing=st.dictionaries(
        st.sampled_from(["client_id", "tenant", "proxy", "cloud", "extra_key"]),
        st.one_of(st.text(max_size=10), st.booleans(), st.lists(st.text(max_size=5), max_size=3)),
        max_size=4,
    ),
    changes=st.dictionaries(
        st.sampled_from(["client_id", "tenant", "proxy", "scopes"]),
        st.one_of(st.none(), st.text(max_size=10), st.lists(st.text(max_size=5), max_size=3)),
        max_size=4,
    ),
)
def test_any_comments_survive_any_save(
    tmp_path_factory: pytest.TempPathFactory,
    comments: list[str],
    existing: dict[str, object],
    changes: dict[str, object | None],
) -> None:
    path = tmp_path_factory.mktemp("cfg") / "config.toml"
    lines = [f"# {text}\n" for text in comments]
    body = config_file.dumps(existing).removeprefix(config_file.HEADER)
    path.write_text("".join(lines) + body, encoding="utf-8")
    config_file.save(path, changes)
    written = path.read_text(encoding="utf-8")
    for line in lines:
        assert line in written
    expected = {**existing}
    for key, value in changes.items():
        if value is None:
            expected.pop(key, None)
        else:
            expected[key] = value
    assert tomllib.loads(written) == expected


def test_save_creates_the_directory_and_a_private_file(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "config.toml"
    config_file.save(path, {"proxy": "http://user:secret@proxy.example:8080"})
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {
        "proxy": "http://user:secret@proxy.example:8080"
    }
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]  # no temp file left


def test_save_moves_an_unreadable_file_aside(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("client_id = [", encoding="utf-8")
    aside = config_file.save(path, {"tenant": "contoso.example"})
    assert aside == tmp_path / "config.toml.invalid"
    assert aside.read_text(encoding="utf-8") == "client_id = ["  # kept, for the person to look at
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {"tenant": "contoso.example"}


def test_a_failed_write_leaves_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.toml"
    path.write_text('tenant = "kept.example"\n', encoding="utf-8")

    def fail(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(config_file.os, "fsync", fail)
    with pytest.raises(OSError, match="No space"):
        config_file.save(path, {"tenant": "new.example"})
    assert path.read_text(encoding="utf-8") == 'tenant = "kept.example"\n'
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]


def test_what_it_saves_is_what_lanyard_loads(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    client = "0c5f8f1a-7e21-4c8e-b3a4-6c1d9e2f7a10"
    config_file.save(
        path,
        {
            "client_id": client,
            "tenant": "contoso.onmicrosoft.com",
            "cloud": "usgov",
            "scopes": ["User.Read", "api://orders/Orders.Read"],
            "proxy": "http://proxy.example:3128",
        },
    )
    config = load_config({"config": str(path)}, env={})
    assert config.client_id == client
    assert config.authority == "https://login.microsoftonline.us/contoso.onmicrosoft.com"
    assert config.scopes == ("https://graph.microsoft.us/User.Read", "api://orders/Orders.Read")
    assert config.proxy == "http://proxy.example:3128"


CLIENT_ID = "0c5f8f1a-7e21-4c8e-b3a4-6c1d9e2f7a10"


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_file_notepad_saved_is_read_and_saved_in_its_own_way(
    tmp_path: Path, newline: str
) -> None:
    """Windows' Notepad wrote a byte-order mark at the start of a UTF-8 file (before 1903, by
    default) and writes CRLF: tomllib refused the mark ("Invalid statement", line 1, column 1:
    a character nobody can see), and the settings dialog then moved the person's file aside as
    invalid; the lines a save added came with LF among the file's CRLF."""
    path = tmp_path / "config.toml"
    lines = ["# my tenant", f'client_id = "{CLIENT_ID}" # from the portal', 'tenant = "common"']
    path.write_bytes(b"\xef\xbb\xbf" + newline.join(lines).encode("utf-8") + newline.encode())
    assert load_config({"config": str(path)}, env={}).client_id == CLIENT_ID
    assert (
        config_file.save(path, {"tenant": "organizations", "proxy": "http://p.test:3128"}) is None
    )
    assert not path.with_name("config.toml.invalid").exists()
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    assert "# my tenant" in text and "# from the portal" in text
    if newline == "\r\n":
        assert "\n" not in text.replace("\r\n", "")  # CRLF throughout, the new lines too
    else:
        assert "\r" not in text
    config = load_config({"config": str(path)}, env={})
    assert config.proxy == "http://p.test:3128"
    assert config.authority.endswith("/organizations")
