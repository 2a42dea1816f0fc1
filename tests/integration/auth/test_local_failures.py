"""Failures of this computer, not of the network or the identity provider (issue 15, item 9):
a full disk (a real tmpfs, filled) and a lock file that cannot be opened, on a real sign-in with
msal against the sandbox. The sign-in that succeeded is kept, and said not to be saved, and why;
nothing reads as the identity provider's, nothing is retried as the network."""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.errors import LanyardError
from desktop_app.sandbox import Sandbox
from tests.support.full_disk import fill, small_disk
from tests.support.sandbox_helpers import auth_client, browser_sign_in

ADMIN = "megan.bowen@contoso.test"


def no_blame_on_the_network(notices: list[LanyardError]) -> None:
    for notice in notices:
        text = notice.support_text()
        assert "identity provider" not in text, text
        assert "tries again shortly" not in text, text


def test_a_full_disk_on_the_first_sign_in_keeps_it_and_says_why(
    sandbox: Sandbox, tmp_path: Path, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, ADMIN)
    with small_disk(tmp_path / "disk") as disk:
        notices: list[LanyardError] = []
        client = auth_client(sandbox, disk / "profile", on_notice=notices.append)
        client.open()  # the profile folder exists; then the disk fills up
        filler = fill(disk)
        token = browser_sign_in(client)  # no exception: msal's wrapper would blame the IdP
        assert token.account is not None and token.account.username == ADMIN
        assert [a.username for a in client.accounts()] == [ADMIN]
        assert client.silent(token.account).source == "cache"  # the session goes on, in memory
        assert [n.message for n in notices] == [
            "Your sign-in cannot be saved right now: the cache file could not be written (No "
            "space left on device). Lanyard keeps you signed in until it quits."
        ]
        assert "Check free disk space" in notices[0].recommendation
        no_blame_on_the_network(notices)
        assert not (disk / "profile" / "token_cache.bin").exists()

        filler.unlink()  # space again: the next look saves it, no restart
        client.reload_cache()
        assert notices[-1].details["saved"] == "yes"
        again = auth_client(sandbox, disk / "profile")
        assert [a.username for a in again.accounts()] == [ADMIN]


def test_a_lock_file_that_cannot_be_opened_keeps_the_sign_in_and_says_why(
    sandbox: Sandbox, tmp_path: Path, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    """(The same as another user, for whom the lock is root's 0600 file: test_token_cache.py
    runs that as uid 65534.)"""
    standin_browser(sandbox.info.ca_file, ADMIN)
    profile = tmp_path / "profile"
    (profile / "token_cache.lock").mkdir(parents=True)  # a folder in its place
    notices: list[LanyardError] = []
    client = auth_client(sandbox, profile, on_notice=notices.append)
    token = browser_sign_in(client)
    assert token.account is not None and token.account.username == ADMIN
    assert client.silent(token.account).source == "cache"
    assert len(notices) == 1
    assert notices[0].message.startswith(
        "Your sign-in cannot be saved right now: its lock file cannot be used (Is a directory"
    )
    no_blame_on_the_network(notices)
