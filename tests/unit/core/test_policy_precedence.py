"""Precedence under a managed policy, for every setting at every level (locked > flags >
environment > the user's file > policy defaults > built-ins), and the settings that decide
others. What an attack on config.py found: a locked cloud's Graph could be replaced with any
graph_endpoint (a flag, a variable, the user's file), a locked authority could be paired with
another cloud (its Graph and the scopes' resource) and on a national cloud's host still ran
with the global cloud's Graph, and a policy *default* authority replaced the tenant in the
user's own file."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from desktop_app.auth.cache_store import MemoryStore, open_token_store
from desktop_app.core.config import FILE_KEYS, ConfigError, default_config_file, load_config
from tests.support.policy import use_policy

CLIENT = "11111111-2222-3333-4444-555555555555"
LEVELS = ("locked", "flag", "env", "file", "default")


def _values(tmp_path: Path) -> dict[str, object]:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n")
    return {
        "client_id": CLIENT,
        "tenant": "contoso.com",
        "authority": "https://login.microsoftonline.com/contoso.com",
        "cloud": "usgov",
        "scopes": "User.Read Mail.Read",
        "graph_endpoint": "https://graph.microsoft.com/beta",
        "ca_bundle": str(ca),
        "proxy": "http://proxy.example:8080",
        "allow_plaintext_cache": "false",
        "instance_discovery": "true",
        "broker": "auto",
        "language": "de",
    }


def _policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    use_policy(monkeypatch, path)
    return path


def test_every_setting_at_every_level(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each setting alone, given at every combination of levels: the highest one wins (its
    origin says so), a flag or variable under a lock is refused naming the policy entry, and
    the user's file under a lock is ignored."""
    values = _values(tmp_path)
    tried = 0
    for key in FILE_KEYS:
        value = values[key]
        for chosen in itertools.product((False, True), repeat=len(LEVELS)):
            given = {level for level, on in zip(LEVELS, chosen, strict=True) if on}
            tables = [
                f"[{table}]\n{key} = {value!r}\n".replace("'", '"')
                for table, level in (("locked", "locked"), ("defaults", "default"))
                if level in given
            ]
            path = _policy(tmp_path, monkeypatch, "\n".join(tables))
            flags = {key: value} if "flag" in given else {}
            env = {f"LANYARD_{key.upper()}": str(value)} if "env" in given else {}
            file_values = {key: value} if "file" in given else {}
            tried += 1
            if "locked" in given and ("flag" in given or "env" in given):
                with pytest.raises(ConfigError, match=rf"\[locked\] {key}\)"):
                    load_config(flags, env, file_values=file_values)
                continue
            config = load_config(flags, env, file_values=file_values)
            origin = dict(config.origins).get(key)
            winner = next((level for level in LEVELS if level in given), None)
            expected = {
                "locked": f"{path} [locked] {key}",
                "flag": f"--{key.replace('_', '-')}",
                "env": f"environment variable LANYARD_{key.upper()}",
                "file": str(default_config_file()),
                "default": f"{path} [defaults] {key}",
                None: None,
            }[winner]
            assert origin == expected, (key, given, config.origins)
            assert config.policy_problems == ()
    assert tried == len(FILE_KEYS) * 2 ** len(LEVELS)


# -- a setting that decides another ---------------------------------------------------------------


def test_a_locked_cloud_keeps_its_graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _policy(tmp_path, monkeypatch, '[locked]\ncloud = "usgov"\n')
    elsewhere = "https://graph.example.net/v1.0"
    for flags, env in (
        ({"graph_endpoint": elsewhere}, {}),
        ({}, {"LANYARD_GRAPH_ENDPOINT": elsewhere}),
    ):
        with pytest.raises(ConfigError, match=rf"'graph_endpoint'.*\({path} \[locked\] cloud\)"):
            load_config(flags, env, file_values={})
    config = load_config({}, {}, file_values={"graph_endpoint": elsewhere})
    assert config.graph_endpoint == "https://graph.microsoft.us/v1.0"
    assert config.scopes == ("https://graph.microsoft.us/User.Read",)


def test_a_locked_clouds_graph_may_be_the_administrators_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _policy(
        tmp_path,
        monkeypatch,
        '[locked]\ncloud = "usgov"\n[defaults]\ngraph_endpoint = "https://graph.microsoft.us/beta"\n',
    )
    config = load_config({}, {}, file_values={"graph_endpoint": "https://graph.example.net"})
    assert config.graph_endpoint == "https://graph.microsoft.us/beta"
    assert dict(config.origins)["graph_endpoint"] == f"{path} [defaults] graph_endpoint"


def test_a_locked_authority_decides_the_cloud(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a national cloud's login host the authority is that cloud's: its Graph and the
    scopes' resource follow, and no cloud or Graph endpoint of the user's replaces them."""
    path = _policy(
        tmp_path,
        monkeypatch,
        '[locked]\nauthority = "https://login.microsoftonline.us/contoso.us"\n',
    )
    config = load_config(
        {}, {}, file_values={"cloud": "china", "graph_endpoint": "https://x.example"}
    )
    assert config.cloud.name == "usgov"
    assert config.graph_endpoint == "https://graph.microsoft.us/v1.0"
    assert config.scopes == ("https://graph.microsoft.us/User.Read",)
    for key, value in (("cloud", "global"), ("graph_endpoint", "https://graph.microsoft.com/v1.0")):
        with pytest.raises(ConfigError, match=rf"'{key}'.*\({path} \[locked\] authority\)"):
            load_config({key: value}, {}, file_values={})


def test_a_users_authority_on_a_national_host_is_that_clouds(tmp_path: Path) -> None:
    config = load_config(
        {}, {}, file_values={"authority": "https://login.chinacloudapi.cn/contoso.cn"}
    )
    assert config.cloud.name == "china"
    assert config.graph_endpoint == "https://microsoftgraph.chinacloudapi.cn/v1.0"
    mixed = load_config(
        {},
        {},
        file_values={"authority": "https://login.chinacloudapi.cn/contoso.cn", "cloud": "global"},
    )
    assert mixed.cloud.name == "global"  # said outright, it stands


def test_a_locked_tenant_leaves_the_cloud_free(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tenant is the organisation; which cloud it is in stays the user's (as the settings
    form shows it), but no authority of theirs replaces the tenant."""
    _policy(tmp_path, monkeypatch, '[locked]\ntenant = "contoso.com"\n')
    config = load_config(
        {"cloud": "usgov"},
        {},
        file_values={"authority": "https://login.microsoftonline.com/fabrikam.com"},
    )
    assert config.authority == "https://login.microsoftonline.us/contoso.com"


@pytest.mark.parametrize("users", [{"tenant": "mine.com"}, {"cloud": "china"}])
def test_a_default_authority_gives_way_to_the_users_tenant_or_cloud(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, users: dict[str, str]
) -> None:
    _policy(
        tmp_path,
        monkeypatch,
        '[defaults]\nauthority = "https://login.microsoftonline.com/contoso.com"\n',
    )
    config = load_config({}, {}, file_values=users)
    assert "contoso.com" not in config.authority
    assert config.authority.endswith(f"/{users.get('tenant', 'organizations')}")
    untouched = load_config({}, {}, file_values={})
    assert untouched.authority == "https://login.microsoftonline.com/contoso.com"


def test_a_default_graph_gives_way_to_the_users_cloud(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _policy(
        tmp_path, monkeypatch, '[defaults]\ngraph_endpoint = "https://graph.microsoft.com/beta"\n'
    )
    assert load_config({"cloud": "usgov"}, {}, file_values={}).graph_endpoint == (
        "https://graph.microsoft.us/v1.0"
    )
    assert load_config({}, {}, file_values={}).graph_endpoint == "https://graph.microsoft.com/beta"


def test_locked_plaintext_refusal_holds_without_a_keyring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No Secret Service in these tests (tests/conftest.py): the user's own file saying true
    does not bring the plaintext file back, and the store keeps tokens in memory only."""
    _policy(tmp_path, monkeypatch, "[locked]\nallow_plaintext_cache = false\n")
    config = load_config({}, {}, file_values={"allow_plaintext_cache": True})
    assert config.allow_plaintext_cache is False
    with pytest.raises(ConfigError, match="allow_plaintext_cache"):
        load_config({"allow_plaintext_cache": True}, {}, file_values={})
    choice = open_token_store(tmp_path / "profile", allow_plaintext=config.allow_plaintext_cache)
    assert isinstance(choice.store, MemoryStore)
    assert not (tmp_path / "profile" / "token_cache.bin").exists()
    # a plaintext cache from before the policy: neither read nor kept up, and named for deletion
    old = tmp_path / "old"
    old.mkdir()
    (old / "token_cache.bin").write_text('{"RefreshToken": {"k": {"secret": "from before"}}}')
    choice = open_token_store(old, allow_plaintext=config.allow_plaintext_cache)
    assert isinstance(choice.store, MemoryStore) and choice.store.load() is None
    assert "A plaintext cache from before is still at" in choice.advice
