"""AccountList with a stand-in auth client: re-reads, an account removed elsewhere, sign-out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from desktop_app.core.errors import ErrorKind
from desktop_app.session.accounts import AccountList
from desktop_app.session.sign_in import Browser
from desktop_app.session.state import State
from desktop_app.session.workers import Jobs
from tests.unit.session.stubs import ALEX, MEGAN, StubServices, View, failure


class CacheAuth:
    """The token cache's side of the auth client: a list of accounts another process may change."""

    def __init__(self, *accounts: Any) -> None:
        self.saved = list(accounts)
        self.reloads = 0
        self.signed_out: list[Any] = []
        self.refuse = False

    def watched_paths(self) -> list[Any]:
        return []

    def reload_cache(self) -> bool:
        self.reloads += 1
        return True

    def accounts(self) -> list[Any]:
        return list(self.saved)

    def end_session_url(self, account: Any) -> str:
        return f"https://login.test/logout?logout_hint={account.username}"

    def sign_out(self, account: Any) -> None:
        if self.refuse:
            raise failure(ErrorKind.CACHE)
        self.signed_out.append(account)
        self.saved.remove(account)

    def inventory(self) -> list[str]:
        return ["an access token for User.Read"]


class Snapshots:
    def __init__(self) -> None:
        self.deleted: list[str] = []

    def delete(self, home_account_id: str) -> bool:
        self.deleted.append(home_account_id)
        return True


Made = tuple[AccountList, View, CacheAuth, list[str], dict[str, list[Any]]]


@pytest.fixture
def account_list(jobs: Jobs, owner: QObject) -> Callable[..., Made]:
    def make(*accounts: Any) -> Made:
        auth = CacheAuth(*accounts)
        view = View(StubServices(auth=auth))  # type: ignore[arg-type]
        opened: list[str] = []
        part = AccountList(view, jobs, Browser(lambda url: opened.append(url) or True), owner)
        seen: dict[str, list[Any]] = {"changed": [], "gone": [], "error": []}
        part.changed.connect(seen["changed"].append)
        part.gone.connect(lambda: seen["gone"].append(True))
        part.error.connect(seen["error"].append)
        return part, view, auth, opened, seen

    return make


def test_the_list_is_told_only_when_it_changed(qtbot: QtBot, account_list: Any) -> None:
    part, _, auth, _, seen = account_list(ALEX)
    part.watch()
    qtbot.waitUntil(lambda: seen["changed"] == [[ALEX]])
    part.reload()  # another process wrote, but the accounts are the same
    qtbot.waitUntil(lambda: auth.reloads == 2)
    qtbot.wait(50)
    assert seen["changed"] == [[ALEX]]
    auth.saved.append(MEGAN)  # another window added an account
    part.reload()
    qtbot.waitUntil(lambda: len(seen["changed"]) == 2)
    assert part.accounts == [ALEX, MEGAN]
    assert seen["gone"] == []


@pytest.mark.parametrize(("state", "gone"), [(State.SIGNED_IN, True), (State.SIGNING_IN, False)])
def test_the_account_shown_removed_elsewhere_is_gone_unless_a_sign_in_is_under_way(
    qtbot: QtBot, account_list: Any, state: State, gone: bool
) -> None:
    part, view, auth, _, seen = account_list(ALEX)
    view.state = state
    auth.saved.clear()  # `lanyard` signed out in another process
    part.reload()
    qtbot.waitUntil(lambda: auth.reloads == 1)
    qtbot.wait(50)
    assert seen["gone"] == ([True] if gone else [])


def test_sign_out_removes_the_accounts_and_their_snapshots_then_reads_again(
    qtbot: QtBot, account_list: Any
) -> None:
    part, _, auth, opened, seen = account_list(ALEX, MEGAN)
    part.watch()
    qtbot.waitUntil(lambda: seen["changed"] == [[ALEX, MEGAN]])
    snapshots = Snapshots()
    part.remove([ALEX, MEGAN], snapshots, end_browser_session=True)
    # read again after the removal: the same auth thread, in order
    qtbot.waitUntil(lambda: seen["changed"] == [[ALEX, MEGAN], []])
    assert auth.signed_out == [ALEX, MEGAN]
    assert snapshots.deleted == [ALEX.home_account_id, MEGAN.home_account_id]
    qtbot.waitUntil(lambda: bool(opened))
    assert opened == [f"https://login.test/logout?logout_hint={ALEX.username}"]


def test_a_failed_removal_is_told_and_no_browser_is_opened_unasked(
    qtbot: QtBot, account_list: Any
) -> None:
    part, _, auth, opened, seen = account_list(ALEX)
    auth.refuse = True
    part.remove([ALEX], None, end_browser_session=False)
    qtbot.waitUntil(lambda: bool(seen["error"]))
    assert seen["error"][0].kind is ErrorKind.CACHE
    assert opened == []


def test_after_stop_nothing_is_read_again(qtbot: QtBot, account_list: Any) -> None:
    part, _, auth, _, _ = account_list(ALEX)
    part.stop()
    part.reload()
    qtbot.wait(100)
    assert auth.reloads == 0


def test_the_inventory_is_read_for_the_admin_view_and_dropped_for_an_account_that_left(
    qtbot: QtBot, account_list: Any, jobs: Jobs
) -> None:
    part, view, _, _, _ = account_list(ALEX)
    delivered: list[Any] = []
    part.inventory(delivered.append)
    qtbot.waitUntil(lambda: bool(delivered))
    assert delivered == [["an access token for User.Read"]]
    part.inventory(delivered.append)
    jobs.generation.advance()  # signed out before it was read
    done: list[int] = []
    jobs.auth.submit(lambda _: 1, done.append)
    qtbot.waitUntil(lambda: bool(done))
    assert len(delivered) == 1
    view.services = None  # not started: nothing to read
    part.inventory(delivered.append)
    assert delivered[-1] == []
