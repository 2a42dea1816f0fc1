"""Every URL setting (authority, graph_endpoint, proxy), from every source, either loads as a URL
that msal, requests and urllib3 accept later, or raises a ConfigError naming the setting and
where it came from. Never urllib's ValueError ("Invalid IPv6 URL", a port that is not a number),
which crashed the window at start and read "something unexpected" in the terminal."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from msal.authority import canonicalize
from urllib3.util import parse_url

from desktop_app.auth.claims import tenant_of_authority
from desktop_app.core import config_file
from desktop_app.core.config import Config, ConfigError, load_config, redact_url
from desktop_app.graph.api_call import ApiRequestError, scope_resource, validate_request
from tests.support import figures

URL_SETTINGS = ("authority", "graph_endpoint", "proxy")
SOURCES = ("flag", "environment", "file")
# a setting the window's settings form writes, the rest from the same file
UNBALANCED = {
    "authority": ("https://[login.microsoftonline.com/organizations", "https://login]x/t"),
    "graph_endpoint": ("https://[graph.microsoft.com/v1.0", "https://graph]/v1.0"),
    "proxy": ("http://[proxy.example.com:8080", "http://proxy]:3128", "http://u:pw@[::1:80"),
}
BAD_PORTS = {
    "authority": "https://login.example.com:99999/t",
    "graph_endpoint": "https://graph.example.com:http/v1.0",
    "proxy": "http://proxy.example.com:80x",
}


def _load(tmp_path: Path, key: str, value: str, where: str) -> Config:
    settings_file = tmp_path / "config.toml"
    settings_file.write_text(
        config_file.dumps({key: value}) if where == "file" else "", encoding="utf-8"
    )
    flags: dict[str, object | None] = {"config": str(settings_file)}
    env: dict[str, str] = {}
    if where == "flag":
        flags[key] = value
    elif where == "environment":
        env[f"LANYARD_{key.upper()}"] = value
    return load_config(flags, env=env)


def _source(tmp_path: Path, key: str, where: str) -> str:
    return {
        "flag": f"--{key.replace('_', '-')}",
        "environment": f"environment variable LANYARD_{key.upper()}",
        "file": str(tmp_path / "config.toml"),
    }[where]


@pytest.mark.parametrize("where", SOURCES)
@pytest.mark.parametrize(
    ("key", "value"), [(key, value) for key, values in UNBALANCED.items() for value in values]
)
def test_an_unbalanced_bracket_names_the_setting(
    tmp_path: Path, key: str, value: str, where: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, key, value, where)
    problem = caught.value
    assert problem.details["field"] == key
    assert problem.details["source"] == _source(tmp_path, key, where)
    assert problem.message.startswith(f"Setting '{key}' ({_source(tmp_path, key, where)}) ")
    assert "unmatched [ or ]" in problem.message
    assert "pw" not in problem.message  # a proxy password stays out of the message


@pytest.mark.parametrize("where", SOURCES)
@pytest.mark.parametrize("key", URL_SETTINGS)
def test_a_port_that_is_not_a_number_names_the_setting(
    tmp_path: Path, key: str, where: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, key, BAD_PORTS[key], where)
    assert caught.value.details["field"] == key
    assert "has a port that is not a number from 1 to 65535" in caught.value.message


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("authority", "https://login.example.com//organizations", "must end with a tenant"),
        ("authority", "https://login example.com/t", "must not contain spaces"),
        ("authority", "https://login.example.com\u200b/t", "invisible characters (U+200B)"),
        ("authority", "https://user:pw@login.example.com/t", "user name or password"),
        ("authority", "https://login.example.com/t?x=1", "?query or #fragment"),
        ("graph_endpoint", "https://[::1]x/v1.0", "unmatched [ or ]"),
        ("graph_endpoint", "https://[not-ipv6]/v1.0", "not an IPv6 address"),
        ("graph_endpoint", "https://xn--/v1.0", "host name that cannot be used"),
        ("graph_endpoint", "https://a..b/v1.0", "host name that cannot be used"),
        ("graph_endpoint", "https://host\\evil/v1.0", "host name that cannot be used"),
        ("proxy", "http://proxy:0", "port that is not a number"),
        ("proxy", "http://%zz:8080", "host name that cannot be used"),
    ],
)
def test_urls_requests_would_refuse_later_name_the_setting(
    tmp_path: Path, key: str, value: str, words: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, key, value, "flag")
    assert caught.value.details["field"] == key
    assert words in caught.value.message


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("authority", "https://[::1]:8443/organizations"),
        ("authority", "https://bücher.example/tenant"),
        ("authority", "https://login.microsoftonline.com./common"),
        ("graph_endpoint", "https://graph.microsoft.com/v1.0/"),
        ("proxy", "http://[::1]:3128"),
        ("proxy", "http://user:p%40ss@proxy.example.com:8080"),
    ],
)
def test_good_urls_still_load(tmp_path: Path, key: str, value: str) -> None:
    config = _load(tmp_path, key, value, "flag")
    assert getattr(config, key) == value.rstrip("/")


def test_a_home_folder_of_nobody_names_the_profile_dir() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config({"config": os.devnull, "profile_dir": "~no-such-user-x/p"}, env={})
    assert caught.value.details["field"] == "profile_dir"
    assert "names no user on this computer" in caught.value.message


@pytest.mark.parametrize(
    "text",
    ["http://[x", "http://u:secret@[x", "socks5://u:secret@h]:1", "not a url", "a://b:c@d@e/f"],
)
def test_redact_url_never_raises_and_hides_the_password(text: str) -> None:
    shown = redact_url(text)
    assert "secret" not in shown


# -- the property -------------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        *("https://", "http://", "socks5h://", "HTTPS://", ""),
        *("[", "]", "[::1]", "[fe80::1%25eth0]", ":", "::", "@", "u:pw@", "/", "//", "\\"),
        *("%", "%41", "%zz", "#", "?", "*", "-", "_", ".", "..", "．", " ", "\t", "\x00", "\u200b"),
        *(":0", ":443", ":99999", ":-1", ":abc", "\u00fc", "ß", "\u2100", "xn--", "xn--bcher-kva"),
        *("login.microsoftonline.com", "graph.microsoft.com", "127.0.0.1", "localhost"),
        *("organizations", "v1.0", "tenant", "a" * 64),
    ]
)
_URLISH = st.one_of(
    st.lists(_PIECES, min_size=1, max_size=8).map("".join),
    st.tuples(st.sampled_from(["https://", "http://"]), st.text(max_size=30)).map("".join),
)
_tried = [0]


def _downstream(config: Config, key: str) -> None:
    """What msal, requests and urllib3 (and Lanyard's own later parses) do with a loaded URL."""
    if key == "proxy":
        if config.proxy is None:
            return  # an empty environment variable sets nothing
        proxy = requests.utils.prepend_scheme_if_needed(config.proxy, "http")
        assert parse_url(proxy).host
        requests.utils.get_auth_from_url(proxy)
        redact_url(proxy)
        return
    url = getattr(config, key)
    requests.Request("GET", url + "/x").prepare()
    if key == "authority":
        canonicalize(url)
        tenant_of_authority(url)
    else:
        scope_resource(f"{url}/.default", url)
        with contextlib.suppress(ApiRequestError):  # a refusal in words is fine, nothing else
            validate_request(url + "/me", "User.Read", url)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from(URL_SETTINGS), where=st.sampled_from(SOURCES), value=_URLISH)
def test_any_url_loads_and_works_or_names_the_setting(
    tmp_path_factory: pytest.TempPathFactory, key: str, where: str, value: str
) -> None:
    _tried[0] += 1
    figures.record("hostile URL settings", f"{_tried[0]} examples tried")
    if where == "environment" and "\x00" in value:
        where = "flag"  # an environment variable cannot hold a NUL
    folder = tmp_path_factory.mktemp("urls")
    problem: ConfigError | None = None
    try:
        config = _load(folder, key, value, where)
    except ConfigError as exc:
        problem = exc
    if problem is not None:
        assert problem.details["field"] == key, problem.message
        assert problem.details["source"] == _source(folder, key, where)
        return
    _downstream(config, key)
