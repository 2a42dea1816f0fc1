from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core.config import ConfigError, load_config

CLIENT = "0c5f8f1a-7e21-4c8e-b3a4-6c1d9e2f7a10"
OTHER = "11111111-2222-3333-4444-555555555555"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_any_source(tmp_path: Path) -> None:
    config = load_config({"config": None}, env={"LANYARD_CONFIG": str(write(tmp_path, ""))})
    assert config.client_id is None
    assert not config.is_configured
    assert config.authority == "https://login.microsoftonline.com/organizations"
    assert config.scopes == ("User.Read",)
    assert config.graph_endpoint == "https://graph.microsoft.com/v1.0"


def test_flags_beat_environment_beat_file(tmp_path: Path) -> None:
    path = write(
        tmp_path, f'client_id = "{CLIENT}"\ntenant = "file.example"\nscopes = ["Mail.Read"]\n'
    )
    env = {"LANYARD_TENANT": "env.example", "LANYARD_SCOPES": "User.Read Calendars.Read"}
    config = load_config({"config": str(path), "tenant": "flag.example"}, env=env)
    assert config.client_id == CLIENT  # only the file sets it
    assert config.authority == "https://login.microsoftonline.com/flag.example"
    assert config.scopes == ("User.Read", "Calendars.Read")  # env beats file
    config = load_config({"config": str(path), "client_id": OTHER}, env={})
    assert config.client_id == OTHER
    assert config.scopes == ("Mail.Read",)


def test_authority_overrides_tenant(tmp_path: Path) -> None:
    config = load_config(
        {
            "config": str(
                write(tmp_path, 'tenant = "x.example"\nauthority = "https://login.example/abc"\n')
            )
        },
        env={},
    )
    assert config.authority == "https://login.example/abc"


@pytest.mark.parametrize(
    ("text", "field", "fragment"),
    [
        ('client_id = "not-a-guid"', "client_id", "GUID"),
        ("client_id = 42", "client_id", "non-empty text"),
        ('scopes = ["openid", "User.Read"]', "scopes", "openid"),
        ("scopes = 3", "scopes", "list of scope names"),
        ('authority = "http://login.example/t"', "authority", "https://"),
        ('tenant = "bad tenant/../"', "tenant", "tenant id"),
        ('cloud = "mars"', "cloud", "global"),
        ('clientid = "x"', "clientid", "not a Lanyard setting"),
        ('ca_bundle = "/nonexistent/ca.pem"', "ca_bundle", "no readable file"),
        ('ca_bundle = "/"', "ca_bundle", "'/' is a folder, not a file"),
        ('ca_bundle = "/etc/hostname"', "ca_bundle", "PEM file"),
        ('proxy = "proxy.example:8080"', "proxy", "http://"),
        ('proxy = "ftp://proxy.example:21"', "proxy", "socks5://"),
        ('proxy = "http://:8080"', "proxy", "host"),
        ('proxy = "http://proxy.example:port"', "proxy", "not a number"),
        ('proxy = "http://proxy.example:99999"', "proxy", "not a number"),
        ('proxy = "http://proxy.example:8080/path"', "proxy", "without a path"),
        ('proxy = ""', "proxy", "non-empty"),
        ("client_id = [", "config", "not valid TOML"),
        ('allow_plaintext_cache = "sometimes"', "allow_plaintext_cache", "true or false"),
        ("allow_plaintext_cache = 0", "allow_plaintext_cache", "true or false"),
    ],
)
def test_bad_file_names_the_field(tmp_path: Path, text: str, field: str, fragment: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config({"config": str(path)}, env={})
    assert caught.value.details["field"] == field
    assert f"'{field}'" in caught.value.message
    assert fragment in caught.value.message


def test_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config({"config": str(write(tmp_path, ""))}, env={"LANYARD_CLIENT_ID": "nope"})
    assert "LANYARD_CLIENT_ID" in caught.value.details["source"]


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config({"config": str(tmp_path / "missing.toml")}, env={})


def test_national_cloud_qualifies_bare_scopes(tmp_path: Path) -> None:
    config = load_config({"config": str(write(tmp_path, 'cloud = "usgov"\n'))}, env={})
    assert config.authority == "https://login.microsoftonline.us/organizations"
    assert config.graph_endpoint == "https://graph.microsoft.us/v1.0"
    assert config.scopes == ("https://graph.microsoft.us/User.Read",)


def test_allow_plaintext_cache_from_every_source(tmp_path: Path) -> None:
    from desktop_app.cli import config_flags, parse_args

    assert load_config({"config": str(write(tmp_path, ""))}, env={}).allow_plaintext_cache
    path = str(write(tmp_path, "allow_plaintext_cache = false\n"))
    assert not load_config({"config": path}, env={}).allow_plaintext_cache
    env = {"LANYARD_ALLOW_PLAINTEXT_CACHE": "yes"}
    assert load_config({"config": path}, env=env).allow_plaintext_cache  # env beats file
    flags = config_flags(parse_args(["--config", path, "--no-allow-plaintext-cache"]))
    assert not load_config(flags, env=env).allow_plaintext_cache  # flag beats env
    flags = config_flags(parse_args(["--config", path, "--allow-plaintext-cache"]))
    assert load_config(flags, env={}).allow_plaintext_cache


def test_bad_allow_plaintext_cache_in_the_environment_names_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(
            {"config": str(write(tmp_path, ""))}, env={"LANYARD_ALLOW_PLAINTEXT_CACHE": "maybe"}
        )
    assert caught.value.details["field"] == "allow_plaintext_cache"
    assert "LANYARD_ALLOW_PLAINTEXT_CACHE" in caught.value.details["source"]


def test_proxy_from_every_source(tmp_path: Path) -> None:
    from desktop_app.cli import config_flags, parse_args

    path = str(write(tmp_path, 'proxy = "http://file.example:3128/"\n'))
    assert load_config({"config": path}, env={}).proxy == "http://file.example:3128"
    env = {"LANYARD_PROXY": "https://env.example:443"}
    assert load_config({"config": path}, env=env).proxy == "https://env.example:443"
    flags = config_flags(parse_args(["--config", path, "--proxy", "http://flag.example:8080"]))
    assert load_config(flags, env=env).proxy == "http://flag.example:8080"
    assert load_config({"config": str(write(tmp_path, ""))}, env={}).proxy is None


def test_a_proxy_password_never_reaches_the_message(tmp_path: Path) -> None:
    path = write(tmp_path, 'proxy = "http://me:hunter2@proxy.example:8080/x"\n')
    with pytest.raises(ConfigError) as caught:
        load_config({"config": str(path)}, env={})
    assert "hunter2" not in caught.value.support_text()
    assert "me:***@proxy.example:8080" in caught.value.message
    good = write(tmp_path, 'proxy = "http://me:hunter2@proxy.example:8080"\n')
    config = load_config({"config": str(good)}, env={})
    assert config.proxy == "http://me:hunter2@proxy.example:8080"
    assert "hunter2" not in repr(config)


def test_socks_proxy_needs_pysocks(tmp_path: Path) -> None:
    import importlib.util

    path = write(tmp_path, 'proxy = "socks5h://proxy.example:1080"\n')
    if importlib.util.find_spec("socks") is not None:
        assert load_config({"config": str(path)}, env={}).proxy == "socks5h://proxy.example:1080"
        return
    with pytest.raises(ConfigError, match="PySocks") as caught:
        load_config({"config": str(path)}, env={})
    assert caught.value.details["field"] == "proxy"


def test_sandbox_drops_the_proxy(tmp_path: Path) -> None:
    config = load_config(
        {"config": str(write(tmp_path, 'proxy = "http://proxy.example:8080"\n'))}, env={}
    )
    sandboxed = config.for_sandbox(
        authority="https://localhost:1/t",
        client_id=CLIENT,
        graph_endpoint="https://localhost:1/v1.0",
        ca_file=tmp_path / "ca.pem",
        profile_dir=tmp_path,
    )
    assert sandboxed.proxy is None


def test_overrides_say_where_each_winning_value_comes_from() -> None:
    from desktop_app.core.config import overrides

    found = overrides({"tenant": "flag.example", "proxy": None}, {"LANYARD_PROXY": "http://p:1"})
    assert found == {
        "tenant": ("flag.example", "--tenant"),
        "proxy": ("http://p:1", "environment variable LANYARD_PROXY"),
    }


def test_file_values_stand_in_for_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, f'client_id = "{CLIENT}"\n')
    config = load_config(
        {"config": str(path)}, env={"LANYARD_TENANT": "env.example"}, file_values={}
    )
    assert config.client_id is None  # the file was not read
    assert config.authority.endswith("/env.example")
    with pytest.raises(ConfigError) as caught:
        load_config({"config": str(path)}, env={}, file_values={"client_id": "x"})
    assert caught.value.details["source"] == str(path)
    assert caught.value.details["problem"].startswith("must be the Application (client) ID")
