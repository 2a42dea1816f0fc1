"""The LanyardErrors the auth layer shows, built in auth/errors.py: wording, kind and details as
the receiver, the client and the token cache have always shown them."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.auth import errors as failures
from desktop_app.core.errors import ErrorKind, LanyardError


def test_sign_in_receiver() -> None:
    cancelled = failures.sign_in_cancelled()
    assert (cancelled.message, cancelled.recommendation, cancelled.kind) == (
        "Sign-in was cancelled.",
        "",
        ErrorKind.CANCELLED,
    )
    timed_out = failures.sign_in_timed_out(299.7)
    assert timed_out.message == "Sign-in timed out: the browser did not return to Lanyard."
    assert timed_out.recommendation == (
        "If you closed the browser tab, select Sign in to start again."
    )
    assert timed_out.kind is ErrorKind.TIMEOUT
    assert timed_out.details == {"waited_seconds": "299"}


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (failures.account_gone(), "You are not signed in on this computer any more."),
        (failures.no_usable_token(), "Your saved sign-in has no usable token."),
    ],
)
def test_silent_sign_in_needs_a_person(error: LanyardError, message: str) -> None:
    assert error.message == message
    assert error.recommendation == "Select Sign in to continue."
    assert error.kind is ErrorKind.INTERACTION_REQUIRED


def test_http_cache_reset(tmp_path: Path) -> None:
    moved = tmp_path / "msal_http_cache.json.corrupt-1"
    notice = failures.http_cache_reset(moved)
    assert notice.message == "Lanyard's saved network metadata was damaged and has been reset."
    assert notice.recommendation == "Nothing to do: it is fetched again automatically."
    assert notice.kind is ErrorKind.CACHE
    assert notice.details == {"moved_to": str(moved)}


def test_session_only_cache() -> None:
    notice = failures.session_only_cache("the keyring is locked", "Unlock it.", "not saved")
    assert notice.message == (
        "Your sign-in will not be saved: the keyring is locked. "
        "You are signed in for this session only."
    )
    assert (notice.recommendation, notice.kind) == ("Unlock it.", ErrorKind.CACHE)
    assert notice.details == {"protection": "not saved"}


def test_cache_busy_names_the_holder_when_known(tmp_path: Path) -> None:
    lock = tmp_path / "token_cache.lock"
    busy = failures.cache_busy(lock, "4242", 10.0)
    assert busy.reason == (
        "another Lanyard process (process 4242) has held the token cache for more than 10 seconds"
    )
    assert busy.advice == (
        "Close other Lanyard windows or commands. If it keeps happening, end the process named "
        "here. Lanyard keeps your sign-in in memory meanwhile and saves it as soon as it can."
    )
    assert not busy.missing
    unknown = failures.cache_busy(lock, "", 10.0)
    assert unknown.reason.startswith("another Lanyard process has held")


def test_cache_damaged_says_where_the_old_one_is(tmp_path: Path) -> None:
    cache = tmp_path / "token_cache.bin"
    kept = failures.cache_damaged("it is not valid JSON", cache, "/p/token_cache.bin.corrupt-1")
    assert kept.message == (
        "The saved sign-in could not be used: it is not valid JSON. A fresh cache was started."
    )
    assert kept.recommendation == (
        "Sign in again. The damaged cache was kept for diagnosis as /p/token_cache.bin.corrupt-1."
    )
    assert kept.kind is ErrorKind.CACHE
    assert kept.details == {"cache": str(cache), "moved_to": "/p/token_cache.bin.corrupt-1"}
    lost = failures.cache_damaged("it is empty", cache, None)
    assert lost.recommendation == "Sign in again."
    assert lost.details == {"cache": str(cache)}


def test_cache_not_saved(tmp_path: Path) -> None:
    cache = tmp_path / "token_cache.bin"
    notice = failures.cache_not_saved("the keyring is locked", "Unlock it.", cache)
    assert notice.message == (
        "Your sign-in cannot be saved right now: the keyring is locked. "
        "Lanyard keeps you signed in until it quits."
    )
    assert (notice.recommendation, notice.kind) == ("Unlock it.", ErrorKind.CACHE)
    assert notice.details == {"cache": str(cache), "saved": "no", "why": "the keyring is locked"}
    assert failures.saving_state(notice) == (False, "the keyring is locked")
