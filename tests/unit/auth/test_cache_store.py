"""Which store the token cache gets, and why, on a machine without a usable Secret Service.

The test suite points D-Bus at a socket that does not exist (tests/conftest.py), so this is the
plaintext-fallback path for real; tests/integration/auth/test_keyring.py runs gnome-keyring.
"""

from __future__ import annotations

import importlib.util
import logging
import stat
import sys
from pathlib import Path

import pytest

from desktop_app.auth.cache_store import (
    KeychainStore,
    MemoryStore,
    PlaintextFileStore,
    file_version,
    open_token_store,
    touch_signal,
)
from desktop_app.core.files import atomic_write
from tests.conftest import in_ci

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the Linux store choice")

HAS_SECRETSTORAGE = importlib.util.find_spec("secretstorage") is not None


def test_the_keyring_support_is_installed_in_ci() -> None:
    """secretstorage is a dependency on Linux; without it every keyring test would be
    meaningless."""
    if not HAS_SECRETSTORAGE:
        if in_ci():
            pytest.fail("secretstorage is not importable: scripts/test.sh must install Lanyard")
        pytest.skip("secretstorage is not installed here")


def test_without_a_secret_service_falls_back_to_a_private_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    choice = open_token_store(tmp_path)
    store = choice.store
    assert isinstance(store, PlaintextFileStore)
    assert not store.encrypted and store.persisted
    expected = (
        "no Secret Service is running"
        if HAS_SECRETSTORAGE
        else "the keyring support (secretstorage) is not installed"
    )
    assert expected in choice.fallback_reason
    assert expected in store.protection  # the status bar says why
    assert "allow_plaintext_cache = false" in choice.advice  # and what to do
    assert "keyring" in choice.advice or "Secret Service" in choice.advice
    assert "Token cache is not encrypted" in caplog.text and expected in caplog.text
    store.save('{"Account": {}}')
    assert stat.S_IMODE((tmp_path / "token_cache.bin").stat().st_mode) == 0o600


def test_refusing_plaintext_means_memory_only(tmp_path: Path) -> None:
    choice = open_token_store(tmp_path, allow_plaintext=False)
    assert isinstance(choice.store, MemoryStore)
    assert choice.session_only
    assert "allow_plaintext_cache = false" in choice.fallback_reason
    assert "this session only" in choice.store.protection
    choice.store.save('{"Account": {}}')
    assert list(tmp_path.iterdir()) == []


def test_refusing_plaintext_points_at_an_older_plaintext_cache(tmp_path: Path) -> None:
    atomic_write(tmp_path / "token_cache.bin", b'{"Account": {}}')
    choice = open_token_store(tmp_path, allow_plaintext=False)
    assert choice.session_only
    assert f"still at {tmp_path / 'token_cache.bin'}: delete it" in choice.advice


def test_a_cache_that_was_encrypted_is_never_downgraded_to_plaintext(tmp_path: Path) -> None:
    """The keyring that held it is not running: it stays the store (nothing saved, tried again,
    so it works once the keyring is back without a restart), never a plaintext file."""
    atomic_write(tmp_path / "token_cache.bin.signal", b"1")  # a keyring held it before
    choice = open_token_store(tmp_path, allow_plaintext=True)
    assert not isinstance(choice.store, PlaintextFileStore)
    if HAS_SECRETSTORAGE:
        assert choice.store.encrypted and choice.store.persisted  # the keyring, kept
        assert choice.fallback_reason == "no Secret Service is running"
        assert choice.unreachable is None  # it is tried again: not given up on
    assert not (tmp_path / "token_cache.bin").exists()


def test_without_the_keyring_support_that_held_it_the_sign_in_is_unreachable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "secretstorage", None)
    atomic_write(tmp_path / "token_cache.bin.signal", b"1")
    choice = open_token_store(tmp_path, allow_plaintext=True)
    assert isinstance(choice.store, MemoryStore)
    assert "keyring that holds your saved sign-in is unavailable" in choice.fallback_reason
    assert choice.unreachable is not None  # a terminal command says so, not "nobody"
    assert not (tmp_path / "token_cache.bin").exists()


def test_without_secretstorage_the_reason_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # what "import secretstorage" does when it is absent
    monkeypatch.setitem(sys.modules, "secretstorage", None)
    choice = open_token_store(tmp_path)
    assert choice.fallback_reason == "the keyring support (secretstorage) is not installed"
    assert "Reinstall Lanyard" in choice.advice
    assert "gir1.2-secret-1" not in choice.advice and "lanyard[secret]" not in choice.advice


def test_touching_the_signal_file_gives_it_a_new_version(tmp_path: Path) -> None:
    signal = tmp_path / "token_cache.bin.signal"
    assert file_version(signal) is None
    touch_signal(signal)
    first = file_version(signal)
    assert first is not None
    touch_signal(signal)
    assert file_version(signal) not in (None, first)  # renamed in: a new inode every time
    assert signal.read_text(encoding="ascii").isdigit()  # a timestamp, nothing secret


class _FakeKeychain:
    def __init__(self) -> None:
        self.saved: list[str] = []

    def save(self, text: str) -> None:
        self.saved.append(text)


def test_keychain_saves_and_moves_aside_touch_the_signal_file(tmp_path: Path) -> None:
    keychain = _FakeKeychain()
    store = KeychainStore(tmp_path / "token_cache.bin.signal", keychain)
    assert store.version() is None
    store.save("{}")
    saved = store.version()
    assert saved is not None
    assert store.move_aside() is None  # nothing kept: the Keychain item is overwritten
    assert store.version() not in (None, saved)
    assert keychain.saved == ["{}", ""]
