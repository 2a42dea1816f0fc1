"""Damaged and odd policies, read through the test seam (tests/support/policy.py): each is
reported naming its file or entry and ignored, never an exception, and a lock holds however its
name is spelled. What an attack on core/managed_policy.py, policy_windows.py and policy_macos.py
found: a macOS ``Locked`` entry spelled unlike its key left the setting unlocked, a locked
REG_EXPAND_SZ took its value from the user's own environment, TOML's [Locked] and [locked] were
silently one table, and a policy nested too deeply was reported without naming its file."""

from __future__ import annotations

import datetime
import plistlib
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.core import managed_policy
from desktop_app.core.config import FILE_KEYS, ConfigError, load_config, usable_policy
from desktop_app.core.policy_macos import section_from_plist
from desktop_app.core.policy_windows import REG_EXPAND_SZ, section_from_values
from tests.support.policy import plist_bytes, reg_export, source_for, use_policy

CLIENT = "11111111-2222-3333-4444-555555555555"
OTHER = "99999999-8888-7777-6666-555555555555"
HKLM = r"[HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Lanyard]"
HKLM_DEFAULTS = r"[HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Lanyard\Defaults]"


def _write(tmp_path: Path, name: str, data: bytes, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    use_policy(monkeypatch, path)
    return path


def _load(flags: dict[str, object | None] | None = None, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return load_config(flags or {}, env or {}, file_values={})


# -- macOS: what Locked names ------------------------------------------------------------------


@pytest.mark.parametrize("locked_as", ["client_id", "ClientId", "CLIENT-ID", "clientid"])
def test_a_plist_lock_holds_however_it_is_spelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, locked_as: str
) -> None:
    _write(
        tmp_path,
        "p.plist",
        plist_bytes({"ClientId": CLIENT}, locked=[locked_as]),
        monkeypatch,
    )
    assert set(usable_policy().locked) == {"client_id"}
    assert _load(env={}).client_id == CLIENT
    with pytest.raises(ConfigError, match="organisation's policy"):
        _load({"client_id": OTHER})
    assert load_config({}, {}, file_values={"client_id": OTHER}).client_id == CLIENT


def test_a_plist_lock_of_a_setting_it_does_not_set_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(
        tmp_path,
        "p.plist",
        plist_bytes({"tenant": "contoso.com"}, locked=["tenant", "client_id"]),
        monkeypatch,
    )
    config = _load()
    assert config.authority.endswith("/contoso.com")
    assert config.policy_problems == (
        f"{path}: 'Locked' names 'client_id', which this file does not set; nothing is locked "
        "by it.",
    )


def test_a_plist_key_that_is_not_text_is_reported() -> None:
    """A binary plist's dictionary keys are objects like any other: plistlib returns an
    integer key as it is."""
    section = section_from_plist("p.plist", {1: "x", "tenant": "contoso.com"})
    assert section.defaults == {"tenant": "contoso.com"}
    assert section.problems == ["p.plist: a key that is not text (1) is ignored."]


# -- Windows: a locked value from the user's environment -----------------------------------------


def _expand_sz(text: str) -> str:
    return "hex(2):" + ",".join(f"{b:02x}" for b in (text + "\0").encode("utf-16-le"))


def test_a_locked_expandable_value_does_not_take_the_users_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The administrator locks ca_bundle = %ProgramData%\\contoso\\ca.pem; the user sets their
    own ProgramData to a folder holding their own CA (a user variable wins over the system's on
    Windows). Refused, named; as a default it is expanded (the user may replace it anyway)."""
    mine = tmp_path / "mine" / "contoso"
    mine.mkdir(parents=True)
    (mine / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n")
    monkeypatch.setenv("ProgramData", str(tmp_path / "mine"))
    value = _expand_sz("%ProgramData%/contoso/ca.pem")
    _write(
        tmp_path,
        "l.reg",
        reg_export([HKLM, f'"client_id"="{CLIENT}"', f'"ca_bundle"={value}']),
        monkeypatch,
    )
    config = _load()
    assert config.client_id == CLIENT
    assert config.ca_bundle is None
    assert config.policy_problems == (
        r"HKLM\SOFTWARE\Policies\Lanyard\ca_bundle is a REG_EXPAND_SZ naming environment "
        "variables, which each user can set for themselves; write a locked value out in full "
        "(REG_SZ); it is ignored.",
    )

    _write(tmp_path, "d.reg", reg_export([HKLM_DEFAULTS, f'"ca_bundle"={value}']), monkeypatch)
    config = _load()
    assert config.ca_bundle == mine / "ca.pem" and config.policy_problems == ()


def test_a_locked_expandable_value_without_variables_is_text() -> None:
    section = section_from_values("k", [("proxy", "http://p:8080", REG_EXPAND_SZ)], None)
    assert section.locked == {"proxy": "http://p:8080"} and section.problems == []


# -- TOML ----------------------------------------------------------------------------------------


def test_locked_in_two_spellings_is_reported_and_the_first_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(
        tmp_path,
        "policy.toml",
        b'[Locked]\ntenant = "contoso.com"\n\n[locked]\ntenant = "fabrikam.com"\n',
        monkeypatch,
    )
    config = _load()
    assert config.authority.endswith("/contoso.com")
    assert config.policy_problems == (
        f"{path}: [locked] is [Locked] a second time; the first is used.",
    )


@pytest.mark.parametrize("opening", [b"[", b"{a="])
def test_a_policy_nested_too_deeply_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, opening: bytes
) -> None:
    path = _write(tmp_path, "policy.toml", b"x = " + opening * 20000, monkeypatch)
    problems = _load().policy_problems
    assert len(problems) == 1 and problems[0].startswith(str(path)), problems


def test_a_reader_that_fails_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def __repr__(self) -> str:
            return "HKLM\\SOFTWARE\\Policies\\Lanyard"

        def read(self) -> list[managed_policy.Section]:
            raise MemoryError

    monkeypatch.setattr(managed_policy, "platform_sources", lambda: [Broken()])
    assert _load().policy_problems == (
        "Policy HKLM\\SOFTWARE\\Policies\\Lanyard could not be read (MemoryError); it is ignored.",
    )


# -- any damage at all ------------------------------------------------------------------------

_SEEDS = {
    "toml": f'[locked]\nclient_id = "{CLIENT}"\n[defaults]\nscopes = ["User.Read"]\n'.encode(),
    "plist": plist_bytes({"client_id": CLIENT, "scopes": ["User.Read"]}, ["client_id"], True),
    "reg": reg_export([HKLM, f'"client_id"="{CLIENT}"', '"allow_plaintext_cache"=dword:0']),
}


def _mutated(seed: bytes) -> st.SearchStrategy[bytes]:
    """``seed`` with bytes changed, cut or inserted: damage near a valid file reaches further
    into a parser than random bytes."""

    def apply(edits: list[tuple[int, int, bytes]]) -> bytes:
        data = bytearray(seed)
        for at, cut, insert in edits:
            at %= max(len(data), 1)
            data[at : at + cut] = insert
        return bytes(data)

    edit = st.tuples(st.integers(0, 1 << 16), st.integers(0, 8), st.binary(max_size=8))
    return st.lists(edit, min_size=1, max_size=6).map(apply)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(form=st.sampled_from(sorted(_SEEDS)), data=st.data())
def test_any_bytes_are_a_config_and_named_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, form: str, data: st.DataObject
) -> None:
    raw = data.draw(st.one_of(st.binary(max_size=400), _mutated(_SEEDS[form])))
    path = tmp_path / f"any.{form}"
    path.write_bytes(raw)
    use_policy(monkeypatch, path)
    config = _load()  # never raises
    for problem in config.policy_problems:
        assert str(path) in problem or "SOFTWARE\\Policies\\Lanyard" in problem, problem


_ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(string.printable, max_size=20),
    st.datetimes(max_value=datetime.datetime(9999, 1, 1)),
    st.dates(),
    st.lists(st.one_of(st.integers(), st.text(max_size=5)), max_size=3),
    st.dictionaries(
        st.text(string.ascii_letters, min_size=1, max_size=4), st.integers(), max_size=2
    ),
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    key=st.sampled_from(FILE_KEYS),
    value=_ANY_VALUE,
    locked=st.booleans(),
    form=st.sampled_from(["toml", "plist"]),
)
def test_any_value_of_any_type_for_any_setting(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    key: str,
    value: object,
    locked: bool,
    form: str,
) -> None:
    """Every setting given every type TOML and plists hold: used, or reported naming the
    setting and ignored; the rest of the policy still applies."""
    if value is None:
        return  # TOML and plists have no null
    if form == "toml":
        import tomlkit

        doc = tomlkit.document()
        doc["locked"] = {"client_id": CLIENT} | ({key: value} if locked else {})
        if not locked:
            doc["defaults"] = {key: value}
        raw = tomlkit.dumps(doc).encode()
    else:
        payload = {"client_id": CLIENT} | {key: value}
        try:
            raw = plistlib.dumps(
                payload | {"Locked": ["client_id"] + ([key] if locked else [])},
                fmt=plistlib.FMT_BINARY,  # holds any text; XML no control characters
            )
        except (OverflowError, TypeError):
            return  # plistlib cannot write it: no MDM could either
    path = tmp_path / f"one.{form}"
    path.write_bytes(raw)
    monkeypatch.setattr(managed_policy, "platform_sources", lambda: [source_for(path)])
    config = _load()
    if key != "client_id":
        assert config.client_id == CLIENT
    named = [p for p in config.policy_problems if f"'{key}'" in p or f" {key} " in p]
    assert len(named) == len(config.policy_problems), config.policy_problems


def test_a_policy_of_a_hundred_thousand_mistakes_is_said_in_a_few_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """1 MiB of unknown keys was 116,000 problems, 25 MB of text on every command's stderr and
    in the window's banner: the first 20 are said, the rest counted; what is good still applies."""
    lines = ["[locked]", f'client_id = "{CLIENT}"']
    lines += [f"k{i}=1" for i in range(100_000)]  # 0.9 MiB
    path = _write(tmp_path, "policy.toml", "\n".join(lines).encode(), monkeypatch)
    config = _load()
    assert config.client_id == CLIENT
    assert len(config.policy_problems) == managed_policy.MAX_PROBLEMS + 1 == 21
    assert config.policy_problems[0].startswith(f"{path} [locked] k0 is not a Lanyard setting")
    assert config.policy_problems[-1] == (
        "... and 99980 more problems with the policy; all are ignored."
    )


def _hex(kind: str, raw: bytes) -> str:
    return f"{kind}:" + ",".join(f"{b:02x}" for b in raw)


_REG_DATA = st.one_of(
    st.text(string.printable.replace('"', "").replace("\\", ""), max_size=20).map(
        lambda t: f'"{t}"'
    ),
    st.integers(0, 0xFFFFFFFF).map(lambda n: f"dword:{n:08x}"),
    st.lists(st.text(string.ascii_letters + ".", max_size=8), max_size=3).map(
        lambda items: _hex("hex(7)", "".join(i + "\0" for i in items).encode("utf-16-le") + b"\0\0")
    ),
    st.text(string.ascii_letters + "%/", max_size=12).map(
        lambda t: _hex("hex(2)", (t + "\0").encode("utf-16-le"))
    ),
    st.binary(max_size=8).map(lambda raw: _hex("hex", raw)),
    st.binary(min_size=8, max_size=8).map(lambda raw: _hex("hex(b)", raw)),
    st.binary(max_size=9).map(lambda raw: _hex("hex(1)", raw)),  # odd: not UTF-16
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    key=st.sampled_from(FILE_KEYS),
    flips=st.lists(st.booleans(), min_size=30, max_size=30),
    data=_REG_DATA,
    locked=st.booleans(),
)
def test_any_registry_value_of_any_type_for_any_setting(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    key: str,
    flips: list[bool],
    data: str,
    locked: bool,
) -> None:
    """regedit's every type for every setting, its value name in any case: used, or reported
    naming the value; the rest of the key still applies."""
    name = "".join(c.upper() if flip else c for c, flip in zip(key, flips, strict=False))
    key_line = HKLM if locked else HKLM_DEFAULTS
    lines = [HKLM, f'"client_id"="{CLIENT}"'] if key != "client_id" else []
    lines += [key_line, f'"{name}"={data}']
    path = tmp_path / "any.reg"
    path.write_bytes(reg_export(lines))
    monkeypatch.setattr(managed_policy, "platform_sources", lambda: [source_for(path)])
    config = _load()  # never raises
    if key != "client_id":
        assert config.client_id == CLIENT
    for problem in config.policy_problems:
        assert name in problem or f"'{key}'" in problem, problem


@pytest.mark.parametrize("spelling", ["locked", "LOCKED", "Locked"])
def test_the_plist_locked_array_in_any_case(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    """Every other key is compared without case: a hand-written "locked" locked nothing (it
    was an unknown setting, and every setting a default the user could replace)."""
    data = plistlib.dumps({"client_id": CLIENT, spelling: ["client_id"]})
    _write(tmp_path, "p.plist", data, monkeypatch)
    assert set(usable_policy().locked) == {"client_id"}
    assert _load().policy_problems == ()


def test_the_plist_locked_array_twice_is_reported() -> None:
    section = section_from_plist(
        "p.plist", {"tenant": "contoso.com", "Locked": ["tenant"], "locked": []}
    )
    assert section.locked == {"tenant": "contoso.com"}
    assert section.problems == [
        "p.plist: 'Locked' is given 2 times (Locked, locked); the first is used."
    ]
