"""A warm start against the sandbox: the stored profile at once, then one Graph request and none
to the identity provider; the photo revalidated with its ETag at most daily; offline, the stored
profile stays; sign-out forgets it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop_app.graph.snapshot import PHOTO_REVALIDATE_S
from desktop_app.sandbox import Sandbox, directory
from desktop_app.sandbox.faults import FaultSpec
from desktop_app.session.controller import SessionController
from desktop_app.session.services import build_services, snapshot_store_for
from desktop_app.session.state import State
from desktop_app.ui.main_window import MainWindow
from tests.support.sandbox_helpers import sandbox_config
from tests.support.window_driver import TIMEOUT_MS, sign_in, wait_state


def signed_in_once(qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, open_window) -> str:  # type: ignore[no-untyped-def]
    """Sign in, let the profile, photo and tenant name load and be stored, quit; the account's
    id. (The photo and the name are jobs of their own after /me: both are waited for, or the
    next start would rightly ask for the one that had not arrived.)"""
    window, session = open_window(sandbox_config(sandbox, tmp_path))
    sign_in(qtbot, window, session)
    qtbot.waitUntil(lambda: window.header.avatar.has_photo, timeout=TIMEOUT_MS)
    assert session.account is not None
    account_id = session.account.home_account_id
    store = snapshot_store_for(tmp_path)

    def stored_whole() -> bool:
        stored = store.load(account_id)
        return stored is not None and stored.photo is not None and stored.organization is not None

    qtbot.waitUntil(stored_whole, timeout=TIMEOUT_MS)
    assert session.shutdown(5.0)
    return account_id


def warm_start(
    open_window, sandbox: Sandbox, tmp_path: Path
) -> tuple[MainWindow, SessionController, list[tuple[float, bool]]]:  # type: ignore[no-untyped-def]
    sandbox.clear_requests()
    window, session = open_window(sandbox_config(sandbox, tmp_path))
    freshness: list[tuple[float, bool]] = []
    session.profile_freshness.connect(lambda at, stored: freshness.append((at, stored)))
    return window, session, freshness


def graph_requests(sandbox: Sandbox) -> list[tuple[str, int | None]]:
    return [(r["path"], r["status"]) for r in sandbox.requests() if r.get("kind") == "graph"]


def idp_count(sandbox: Sandbox) -> int:
    return sum(1 for r in sandbox.requests() if r.get("kind") == "idp")


def test_warm_start_shows_the_snapshot_then_makes_one_graph_request_and_none_to_the_idp(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    account_id = signed_in_once(qtbot, sandbox, tmp_path, open_window)
    stored = snapshot_store_for(tmp_path).load(account_id)
    assert stored is not None
    assert stored.photo is not None
    assert stored.photo.etag

    window, session, freshness = warm_start(open_window, sandbox, tmp_path)
    qtbot.waitUntil(lambda: len(freshness) == 2, timeout=TIMEOUT_MS)
    assert freshness == [(stored.fetched_at, True), (freshness[1][0], False)]
    assert freshness[1][0] > stored.fetched_at
    assert session.state is State.SIGNED_IN
    assert window.profile_panel.value_text("displayName") == "Megan Bowen"
    assert window.header.avatar.has_photo
    assert idp_count(sandbox) == 0
    assert graph_requests(sandbox) == [("/v1.0/me", 200)]  # the photo was checked today


def test_a_day_old_photo_is_revalidated_with_its_etag(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    account_id = signed_in_once(qtbot, sandbox, tmp_path, open_window)
    store = snapshot_store_for(tmp_path)
    stored = store.load(account_id)
    assert stored is not None
    day_old = stored.photo_checked_at - PHOTO_REVALIDATE_S - 60
    store.save(replace(stored, photo_checked_at=day_old))

    window, session, freshness = warm_start(open_window, sandbox, tmp_path)
    qtbot.waitUntil(lambda: len(freshness) == 2, timeout=TIMEOUT_MS)
    # the photo is asked about after the fresh profile is shown (it never holds the profile up)
    expected = [("/v1.0/me", 200), ("/v1.0/me/photo/$value", 304)]
    qtbot.waitUntil(lambda: graph_requests(sandbox) == expected, timeout=TIMEOUT_MS)
    assert idp_count(sandbox) == 0
    assert window.header.avatar.has_photo
    assert session.services is not None

    def rechecked() -> None:
        again = store.load(account_id)
        assert again is not None
        assert again.photo == stored.photo
        assert again.photo_checked_at > day_old + PHOTO_REVALIDATE_S

    qtbot.waitUntil(rechecked, timeout=TIMEOUT_MS)


def test_offline_the_stored_profile_stays_on_screen(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    account_id = signed_in_once(qtbot, sandbox, tmp_path, open_window)
    stored = snapshot_store_for(tmp_path).load(account_id)
    assert stored is not None
    sandbox.add_fault(FaultSpec("me", status=503, count=None))
    try:
        window, session, freshness = warm_start(open_window, sandbox, tmp_path)
        wait_state(qtbot, session, State.SIGNED_IN)
        qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=TIMEOUT_MS)
    finally:
        sandbox.clear_faults()
    assert freshness == [(stored.fetched_at, True)]
    assert window.stack.currentWidget() is window.tabs
    assert window.profile_panel.value_text("displayName") == "Megan Bowen"
    assert window.header.avatar.has_photo
    assert any(path == "/v1.0/me" and status == 503 for path, status in graph_requests(sandbox))


def test_sign_out_deletes_the_accounts_snapshot(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    account_id = signed_in_once(qtbot, sandbox, tmp_path, open_window)
    _window, session, freshness = warm_start(open_window, sandbox, tmp_path)
    qtbot.waitUntil(lambda: len(freshness) == 2, timeout=TIMEOUT_MS)
    session.sign_out()
    wait_state(qtbot, session, State.SIGNED_OUT)
    store = snapshot_store_for(tmp_path)
    qtbot.waitUntil(lambda: store.load(account_id) is None, timeout=TIMEOUT_MS)
    assert b"Megan" not in (tmp_path / "profile_snapshot.json").read_bytes()


def test_the_last_profile_is_on_the_first_frame_and_goes_when_nobody_is_signed_in(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.session.last_profile import read_last_profile

    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    account_id = signed_in_once(qtbot, sandbox, tmp_path, open_window)
    config = sandbox_config(sandbox, tmp_path)
    # what ui/app.py reads on a thread of its own while the window is built
    snapshot = read_last_profile(config, True, None, account_id)
    assert snapshot is not None
    assert read_last_profile(config, True, None, "someone.else") is None
    assert read_last_profile(config, True, None, "") is None

    # no session yet: the account view, with the stored profile marked as stored
    window = MainWindow()
    qtbot.addWidget(window)
    window.show_last_profile(snapshot)
    window.show()
    assert window.stack.currentWidget() is window.tabs
    assert window.profile_panel.value_text("displayName") == "Megan Bowen"

    # the session starts on a profile folder whose cache holds nobody: the profile goes
    empty = tmp_path / "elsewhere"
    session = SessionController(
        lambda notice: build_services(sandbox_config(sandbox, empty), True, notice)
    )
    window.attach(session, "Sandbox", False)
    assert window.stack.currentWidget() is window.tabs  # still starting: still shown
    session.start()
    try:
        wait_state(qtbot, session, State.SIGNED_OUT)
        assert window.stack.currentWidget() is window.welcome_page
        assert window.profile_panel.value_text("displayName") == ""
    finally:
        assert session.shutdown(5.0)


def test_the_last_profile_stays_for_the_account_the_session_signs_in(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.session.last_profile import read_last_profile

    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    account_id = signed_in_once(qtbot, sandbox, tmp_path, open_window)
    config = sandbox_config(sandbox, tmp_path)
    snapshot = read_last_profile(config, True, None, account_id)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show_last_profile(snapshot)
    window.show()
    session = SessionController(lambda notice: build_services(config, True, notice))
    window.attach(session, "Sandbox", False)
    session.start()
    try:
        wait_state(qtbot, session, State.SIGNED_IN)
        assert window.stack.currentWidget() is window.tabs
        assert window.profile_panel.value_text("displayName") == "Megan Bowen"
        assert snapshot is not None
        # one that comes after the start is not shown
        late = replace(snapshot, profile=replace(snapshot.profile, displayName="Someone Else"))
        window.show_last_profile(late)
        assert window.profile_panel.value_text("displayName") == "Megan Bowen"
    finally:
        assert session.shutdown(5.0)
