"""Managed policy (core/managed_policy.py, policy_windows.py, policy_macos.py) and its place in
config.load_config: locked policy > flags > environment > the user's file > policy defaults >
built-ins. Each OS's reader runs here through the test seam: policy.toml as on Linux, a regedit
export for the registry mapping, plists for managed preferences."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.core import managed_policy
from desktop_app.core.config import (
    FILE_KEYS,
    ConfigError,
    load_config,
    policy_locks,
    usable_policy,
)
from desktop_app.core.policy_windows import (
    REG_BINARY,
    REG_DWORD,
    REG_EXPAND_SZ,
    REG_MULTI_SZ,
    REG_SZ,
    parse_reg,
    section_from_values,
)
from tests.support.figures import record
from tests.support.policy import plist_bytes, reg_export, reg_multi_sz, use_policy

REPO = Path(__file__).resolve().parents[3]
SAMPLES = REPO / "docs" / "admin"
CLIENT = "11111111-2222-3333-4444-555555555555"
OTHER = "99999999-8888-7777-6666-555555555555"
USER_FILE_CLIENT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


def _toml(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    use_policy(monkeypatch, path)
    return path


def _load(
    flags: dict[str, object | None] | None = None,
    env: dict[str, str] | None = None,
    file_values: dict[str, object] | None = None,
):  # type: ignore[no-untyped-def]
    return load_config(flags or {}, env or {}, file_values=file_values or {})


# -- precedence -----------------------------------------------------------------------------


def test_no_policy_changes_nothing() -> None:
    config = _load(file_values={"client_id": CLIENT})
    assert config.client_id == CLIENT
    assert config.policy_problems == ()
    assert dict(config.origins) == {"client_id": str(config.config_file)}


def test_defaults_apply_when_nothing_else_sets_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _toml(
        tmp_path,
        f'[defaults]\nclient_id = "{CLIENT}"\ntenant = "contoso.com"\nscopes = ["Mail.Read"]\n',
        monkeypatch,
    )
    config = _load()
    assert config.client_id == CLIENT
    assert config.authority == "https://login.microsoftonline.com/contoso.com"
    assert config.scopes == ("Mail.Read",)
    assert dict(config.origins)["tenant"] == f"{path} [defaults] tenant"


def test_the_users_file_env_and_flags_win_over_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _toml(tmp_path, f'[defaults]\nclient_id = "{CLIENT}"\ntenant = "contoso.com"\n', monkeypatch)
    assert _load(file_values={"client_id": USER_FILE_CLIENT}).client_id == USER_FILE_CLIENT
    assert _load(env={"LANYARD_CLIENT_ID": OTHER}).client_id == OTHER
    assert _load({"tenant": "fabrikam.com"}).authority.endswith("/fabrikam.com")
    # a user's authority replaces a default tenant (it names the tenant itself)
    authority = "https://login.example.com/tenant-b"
    assert _load(file_values={"authority": authority}).authority == authority


def test_locked_wins_over_the_users_file_silently(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _toml(tmp_path, f'[locked]\nclient_id = "{CLIENT}"\n', monkeypatch)
    config = _load(file_values={"client_id": USER_FILE_CLIENT})
    assert config.client_id == CLIENT
    assert dict(config.origins)["client_id"] == f"{path} [locked] client_id"


@pytest.mark.parametrize(
    ("flags", "env", "source"),
    [
        ({"client_id": OTHER}, {}, "--client-id"),
        ({}, {"LANYARD_CLIENT_ID": OTHER}, "environment variable LANYARD_CLIENT_ID"),
        ({"client_id": CLIENT}, {}, "--client-id"),  # even the same value: the flag is refused
    ],
)
def test_a_flag_or_variable_for_a_locked_setting_is_refused(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    flags: dict[str, object | None],
    env: dict[str, str],
    source: str,
) -> None:
    path = _toml(tmp_path, f'[locked]\nclient_id = "{CLIENT}"\n', monkeypatch)
    with pytest.raises(ConfigError) as caught:
        _load(flags, env)
    error = caught.value
    assert error.details["field"] == "client_id"
    assert error.details["source"] == source
    assert f"{path} [locked] client_id" in error.message
    assert "organisation's policy" in error.message
    assert source in error.recommendation


def test_a_locked_tenant_is_not_replaced_by_an_authority(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _toml(tmp_path, '[locked]\ntenant = "contoso.com"\n', monkeypatch)
    authority = "https://login.example.com/elsewhere"
    config = _load(file_values={"authority": authority})  # the user's file: ignored
    assert config.authority == "https://login.microsoftonline.com/contoso.com"
    with pytest.raises(ConfigError) as caught:
        _load({"authority": authority})
    assert caught.value.details["field"] == "authority"
    assert "[locked] tenant" in caught.value.message


def test_a_locked_authority_refuses_a_tenant_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _toml(tmp_path, '[locked]\nauthority = "https://login.example.com/contoso"\n', monkeypatch)
    assert _load(file_values={"tenant": "x.com"}).authority == "https://login.example.com/contoso"
    with pytest.raises(ConfigError, match="tenant"):
        _load({"tenant": "fabrikam.com"})


def test_locked_beats_its_own_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _toml(
        tmp_path,
        "[locked]\nallow_plaintext_cache = false\n[defaults]\nallow_plaintext_cache = true\n",
        monkeypatch,
    )
    assert _load().allow_plaintext_cache is False


def test_every_setting_of_config_toml_can_be_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Generic over config.py's FILE_KEYS: a setting added there is covered (and refused as a
    flag when locked) with no change to the policy readers."""
    for key in FILE_KEYS:
        policy = managed_policy.merge(
            [managed_policy.Section("test", locked={key: "x"})], FILE_KEYS
        )
        assert key in policy.locked


# -- damage: reported, ignored field by field -------------------------------------------------


def test_a_bad_value_is_reported_and_only_that_field_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _toml(
        tmp_path,
        '[locked]\nclient_id = "not-a-guid"\ntenant = "contoso.com"\n'
        '[defaults]\nproxy = "ftp://nowhere"\nscopes = ["Mail.Read"]\n',
        monkeypatch,
    )
    config = _load({"client_id": OTHER})  # the bad lock is gone: the flag may set it
    assert config.client_id == OTHER
    assert config.authority.endswith("/contoso.com")
    assert config.scopes == ("Mail.Read",)
    assert config.proxy is None
    problems = "\n".join(config.policy_problems)
    assert f"'client_id' ({path} [locked] client_id)" in problems
    assert f"'proxy' ({path} [defaults] proxy)" in problems
    assert len(config.policy_problems) == 2


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[locked\nclient_id = 1", "not valid TOML"),
        ('client_id = "x"\n', "[locked] or a [defaults] table"),
        ('[locked]\nbrokr = "on"\n', "is not a Lanyard setting"),
        ('[locked]\nclient_id = "a"\nClient_Id = "b"\n', "a second time"),
    ],
)
def test_damage_is_reported_never_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, says: str
) -> None:
    _toml(tmp_path, text, monkeypatch)
    config = _load(file_values={"client_id": USER_FILE_CLIENT})
    assert any(says in problem for problem in config.policy_problems), config.policy_problems


def test_bytes_that_are_not_text_and_a_folder_are_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "policy.toml"
    path.write_bytes(b"[locked]\nclient_id = \xff\n")
    use_policy(monkeypatch, path)
    assert "not UTF-8" in _load().policy_problems[0]
    path.unlink()
    path.mkdir()
    assert str(path) in _load().policy_problems[0]


def test_keys_match_without_case_or_separators(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _toml(
        tmp_path, f'[LOCKED]\nClientId = "{CLIENT}"\nALLOW-PLAINTEXT-CACHE = false\n', monkeypatch
    )
    config = _load()
    assert config.client_id == CLIENT
    assert config.allow_plaintext_cache is False
    assert config.policy_problems == ()


# -- Windows: the registry mapping, through a regedit export -----------------------------------


def _reg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lines: list[str]) -> Path:
    path = tmp_path / "lanyard.reg"
    path.write_bytes(reg_export(lines))
    use_policy(monkeypatch, path)
    return path


HKLM = r"[HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Lanyard]"
HKLM_DEFAULTS = r"[HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Lanyard\Defaults]"
HKCU = r"[HKEY_CURRENT_USER\Software\Policies\Lanyard]"


def test_registry_values_locked_defaults_and_types(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n")
    monkeypatch.setenv("CONTOSO_CA", str(ca))
    _reg(
        tmp_path,
        monkeypatch,
        [
            HKLM,
            f'"ClientId"="{CLIENT}"',
            '"AllowPlaintextCache"=dword:00000000',
            '"Scopes"=' + reg_multi_sz(["User.Read", "Mail.Read"]),
            "",
            HKLM_DEFAULTS,
            '"Tenant"="contoso.com"',
            # REG_EXPAND_SZ "%CONTOSO_CA%", hex(2) as regedit writes it
            '"CaBundle"=hex(2):'
            + ",".join(f"{b:02x}" for b in "%CONTOSO_CA%\0".encode("utf-16-le")),
        ],
    )
    config = _load()
    assert config.client_id == CLIENT
    assert config.allow_plaintext_cache is False
    assert config.scopes == ("User.Read", "Mail.Read")
    assert config.authority.endswith("/contoso.com")
    assert config.ca_bundle is not None
    assert config.ca_bundle.name == "ca.pem"
    origins = dict(config.origins)
    assert origins["client_id"] == r"HKLM\SOFTWARE\Policies\Lanyard\ClientId"
    assert origins["tenant"] == r"HKLM\SOFTWARE\Policies\Lanyard\Defaults\Tenant"
    assert config.policy_problems == ()
    with pytest.raises(ConfigError, match=r"HKLM\\SOFTWARE\\Policies\\Lanyard\\ClientId"):
        _load({"client_id": OTHER})


def test_hklm_wins_over_hkcu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _reg(
        tmp_path,
        monkeypatch,
        [
            HKCU,
            f'"client_id"="{OTHER}"',
            '"tenant"="user.example"',
            HKLM,
            f'"client_id"="{CLIENT}"',
        ],
    )
    config = _load()
    assert config.client_id == CLIENT
    assert config.authority.endswith("/user.example")


def test_registry_damage_value_by_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _reg(
        tmp_path,
        monkeypatch,
        [
            HKLM,
            f'"client_id"="{CLIENT}"',
            '"proxy"=hex:01,02',  # REG_BINARY: no setting holds one
            '"tenant"=hex(7):zz',  # not hex
            "garbage line",
            '"allow_plaintext_cache"=dword:00000002',  # neither 0 nor 1
            r"[HKEY_LOCAL_MACHINE\SOFTWARE\Other]",
            '"client_id"="not ours"',
        ],
    )
    config = _load()
    assert config.client_id == CLIENT
    problems = "\n".join(config.policy_problems)
    assert r"HKLM\SOFTWARE\Policies\Lanyard\proxy is a REG_BINARY value" in problems
    assert f"{path}: value 'tenant' cannot be read" in problems
    assert "a line cannot be read" in problems
    assert "'allow_plaintext_cache'" in problems and "true or false" in problems
    assert "not ours" not in problems


def test_a_file_that_is_no_export_is_ignored_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "x.reg"
    path.write_bytes(b"\xff\xfe" + "hello\r\n".encode("utf-16-le"))
    use_policy(monkeypatch, path)
    assert _load().policy_problems == (f"{path} is not a registry export; it is ignored.",)


def test_regedit4_and_wrapped_hex_lines() -> None:
    hexed = reg_multi_sz(["User.Read", "Mail.Read", "Files.Read"])
    wrapped = hexed[:50] + "\\\n  " + hexed[50:120] + "\\\n  " + hexed[120:]
    sections = parse_reg(
        f'REGEDIT4\n\n{HKLM}\n"scopes"={wrapped}\n"cloud"="usgov"\n@="ignored"\n', "test.reg"
    )
    assert sections[0].locked == {
        "scopes": ["User.Read", "Mail.Read", "Files.Read"],
        "cloud": "usgov",
    }


def test_the_winreg_mapping_itself() -> None:
    """What RegistrySource hands over on Windows: winreg.EnumValue's (name, data, type)."""
    section = section_from_values(
        r"HKLM\SOFTWARE\Policies\Lanyard",
        [("tenant", "contoso.com", REG_SZ), ("AllowPlaintextCache", 1, REG_DWORD)],
        [("Scopes", ["User.Read", ""], REG_MULTI_SZ), ("x", b"\0", REG_BINARY)],
    )
    assert section.locked == {"tenant": "contoso.com", "AllowPlaintextCache": "1"}
    assert section.defaults == {"Scopes": ["User.Read"]}
    assert section.problems == [
        r"HKLM\SOFTWARE\Policies\Lanyard\Defaults\x is a REG_BINARY value, which no Lanyard "
        "setting can hold; it is ignored."
    ]
    assert section_from_values("k", None, [("a", "%NOPE%", REG_EXPAND_SZ)]).defaults == {
        "a": "%NOPE%"
    }


# -- macOS: managed preferences ------------------------------------------------------------------


def _plist(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("binary", [False, True])
def test_plist_locked_and_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, binary: bool
) -> None:
    computer = _plist(
        tmp_path,
        "computer.plist",
        plist_bytes(
            {"client_id": CLIENT, "AllowPlaintextCache": 0, "scopes": "User.Read Mail.Read"},
            locked=["client_id", "allowplaintextcache"],
            binary=binary,
        ),
    )
    user = _plist(
        tmp_path,
        "user.plist",
        plist_bytes({"client_id": OTHER, "tenant": "contoso.com"}, locked=["tenant"]),
    )
    use_policy(monkeypatch, computer, user)
    config = _load(file_values={"scopes": ["Files.Read"]})
    assert config.client_id == CLIENT  # the computer's wins
    assert config.allow_plaintext_cache is False  # 0, an <integer>, as false
    assert config.scopes == ("Files.Read",)  # the user's own beats a default
    assert config.authority.endswith("/contoso.com")  # locked for this user
    assert dict(config.origins)["tenant"] == f"{user} [locked] tenant"
    with pytest.raises(ConfigError, match="tenant"):
        _load({"tenant": "fabrikam.com"})


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"<?xml version='1.0'?><plist><dict><key>client_id", "is not a property list"),
        (b"bplist00\x00\x01\x02garbage", "is not a property list"),
        (b"not a plist at all", "is not a property list"),
        (plist_bytes({"Locked": "client_id"}), "must be an array"),
        (plist_bytes({"proxy": {"a": "b"}}), "is a dict"),
        (plist_bytes({"tenant": b"\x00"}), "is a bytes"),
    ],
)
def test_plist_damage_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes, says: str
) -> None:
    use_policy(monkeypatch, _plist(tmp_path, "p.plist", data))
    config = _load(file_values={"client_id": USER_FILE_CLIENT})
    assert config.client_id == USER_FILE_CLIENT
    assert any(says in problem for problem in config.policy_problems), config.policy_problems


def test_plist_payload_keys_are_not_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = plist_bytes({"PayloadUUID": "x", "PayloadType": "io.github.lanyard.Lanyard"})
    use_policy(monkeypatch, _plist(tmp_path, "p.plist", data))
    assert _load().policy_problems == ()


# -- the README's samples (docs/admin/) -----------------------------------------------------------


def _sample(tmp_path: Path, name: str) -> Path:
    """A sample as an administrator installs it: a copy of its own, 0644 (a checkout's mode
    follows the cloner's umask, and a group-writable policy is not obeyed)."""
    path = tmp_path / name
    path.write_bytes((SAMPLES / name).read_bytes())
    path.chmod(0o644)
    return path


def test_the_linux_sample_applies_cleanly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_policy(monkeypatch, _sample(tmp_path, "policy.toml"))
    config = _load()
    assert config.policy_problems == ()
    assert config.client_id == CLIENT
    assert config.allow_plaintext_cache is False
    assert config.proxy == "http://proxy.contoso.com:8080"


@pytest.mark.parametrize("name", ["lanyard-policy.reg", "io.github.lanyard.Lanyard.plist"])
def test_the_windows_and_macos_samples_apply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    use_policy(monkeypatch, _sample(tmp_path, name))
    config = _load()
    assert config.client_id == CLIENT
    assert config.authority.endswith("/contoso.onmicrosoft.com")
    assert config.allow_plaintext_cache is False
    assert config.scopes == ("User.Read", "Mail.Read")
    assert config.proxy == "http://proxy.contoso.com:8080"
    # the CA file they name is on those systems only: reported, the rest applied
    assert len(config.policy_problems) == 1
    assert "'ca_bundle'" in config.policy_problems[0]


# -- any policy: never a crash, every problem named ----------------------------------------------

_values = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.text(max_size=12), max_size=3),
)
_names = st.one_of(
    st.sampled_from(FILE_KEYS),
    st.text(string.ascii_letters + "_-", min_size=1, max_size=20),
)


_tried = [0]


def _recase(name: str, flips: list[bool]) -> str:
    return "".join(
        c.upper() if f else c.lower()
        for c, f in zip(name, flips + [False] * len(name), strict=False)
    )


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    locked=st.dictionaries(_names, _values, max_size=5),
    defaults=st.dictionaries(_names, _values, max_size=5),
    form=st.sampled_from(["toml", "plist", "reg"]),
)
def test_any_policy_is_a_config_and_named_problems(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    locked: dict[str, object],
    defaults: dict[str, object],
    form: str,
) -> None:
    if form == "toml":
        path = tmp_path / "any.toml"
        path.write_text(tomlkit.dumps({"locked": locked, "defaults": defaults}), encoding="utf-8")
    elif form == "plist":
        path = tmp_path / "any.plist"
        merged = {**defaults, **locked}
        path.write_bytes(plist_bytes(merged, locked=list(locked), binary=True))
    else:
        path = tmp_path / "any.reg"
        lines = [HKLM, *_reg_lines(locked), HKLM_DEFAULTS, *_reg_lines(defaults)]
        path.write_bytes(reg_export(lines))
    use_policy(monkeypatch, path)
    config = _load()  # never raises: nothing but the policy is set
    _tried[0] += 1
    record("any managed policy (toml, plist, reg)", f"{_tried[0]} examples tried")
    policy = usable_policy()
    for problem in config.policy_problems:
        assert str(path) in problem or "Policies\\Lanyard" in problem, problem
    origins = dict(config.origins)
    for key, entry in policy.locked.items():
        assert origins[key] == entry.source
    locks = policy_locks(policy)
    for key, entry in policy.defaults.items():
        if key not in locks:
            assert origins[key] == entry.source


def _reg_lines(values: dict[str, object]) -> list[str]:
    lines = []
    for name, value in values.items():
        quoted = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(value, bool) or (isinstance(value, int) and 0 <= value < 2**32):
            lines.append(f"{quoted}=dword:{int(value):08x}")
        elif isinstance(value, list):
            lines.append(f"{quoted}={reg_multi_sz([str(v) for v in value])}")
        else:
            text = str(value).replace("\\", "\\\\").replace('"', '\\"')
            lines.append(f'{quoted}="{text}"')
    return lines


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(flips=st.lists(st.booleans(), max_size=25), as_text=st.booleans(), one=st.booleans())
def test_numbers_as_text_lists_as_one_value_keys_in_any_case(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flips: list[bool], as_text: bool, one: bool
) -> None:
    """The same policy however it is spelled: "0" or 0 (a DWORD) for false, scopes as a list or
    as one text, key names in any case."""
    data: dict[str, object] = {
        _recase("allow_plaintext_cache", flips): "0" if as_text else 0,
        _recase("scopes", flips[3:]): "User.Read Mail.Read" if one else ["User.Read", "Mail.Read"],
        _recase("client_id", flips[7:]): CLIENT,
    }
    use_policy(monkeypatch, _plist(tmp_path, "p.plist", plist_bytes(data, locked=list(data))))
    config = _load()
    assert config.policy_problems == ()
    assert config.allow_plaintext_cache is False
    assert config.scopes == ("User.Read", "Mail.Read")
    assert config.client_id == CLIENT


def test_diagnostics_say_where_each_setting_came_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.core.diagnostics import settings_without_secrets

    path = _toml(tmp_path, f'[locked]\nclient_id = "{CLIENT}"\nproxy = "ftp://x"\n', monkeypatch)
    config = _load({"tenant": "contoso.com"})
    settings_json = settings_without_secrets(config)
    assert settings_json["sources"] == {
        "client_id": f"{path} [locked] client_id",
        "tenant": "--tenant",
    }
    assert "'proxy'" in settings_json["policy_problems"][0]
    assert config.policy_origins() == [("client_id", f"{path} [locked] client_id")]
