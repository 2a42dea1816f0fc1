"""Panels that say only what is true now (issue 16, item 4): a cached token's scopes, the tenant's
name (and its ID when the name cannot be read), a header and status bar drawn from the current
state, another saved account after a sign-out. Real window, real msal, the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.sandbox import Sandbox, directory
from desktop_app.sandbox.faults import FaultSpec
from desktop_app.session.services import snapshot_store_for
from desktop_app.session.state import State
from desktop_app.ui import diagnostics
from desktop_app.ui.token_panel import SOURCES
from tests.gui.test_cache_reload import other_process
from tests.support.sandbox_helpers import sandbox_config
from tests.support.window_driver import TIMEOUT_MS, sign_in, wait_state

GUID = directory.TENANT_ID


def organization_requests(sandbox: Sandbox) -> list[int | None]:
    return [r["status"] for r in sandbox.requests() if r["path"] == "/v1.0/organization"]


def test_a_token_from_the_cache_lists_the_scopes_it_was_granted(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.READER_UPN)
    config = sandbox_config(sandbox, tmp_path)
    window, session = open_window(config)
    sign_in(qtbot, window, session)
    assert window.token_panel.source.text() == SOURCES["identity_provider"]
    fresh = window.token_panel.scopes.text()
    assert "User.Read" in fresh.split()
    assert session.shutdown(5.0)

    # the next start takes the token from msal's cache: its answer has no "scope"
    window, session = open_window(config)
    wait_state(qtbot, session, State.SIGNED_IN)
    assert session.token is not None and session.token.source == "cache"
    assert window.token_panel.source.text() == SOURCES["cache"]
    assert set(window.token_panel.scopes.text().split()) == set(fresh.split())


def test_the_tenant_is_shown_by_its_name_from_graph_and_kept_with_the_profile(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    sandbox.clear_requests()
    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    config = sandbox_config(sandbox, tmp_path)
    window, session = open_window(config)
    sign_in(qtbot, window, session)
    qtbot.waitUntil(
        lambda: window.profile_panel.value_text("organization") == directory.TENANT_NAME,
        timeout=TIMEOUT_MS,
    )
    assert window.profile_panel.value_text("tenantId") == GUID
    assert window.header.tenant.text().startswith(f"{directory.TENANT_NAME} · ")
    assert GUID not in window.header.tenant.text()
    assert window.header.tenant.toolTip() == f"Tenant ID {GUID}"
    assert organization_requests(sandbox) == [200]
    assert session.account is not None
    store = snapshot_store_for(config.profile_dir)
    account_id = session.account.home_account_id

    def stored_with_name() -> bool:  # (stored with /me, then again once the name came)
        stored = store.load(account_id)
        return stored is not None and stored.organization is not None

    qtbot.waitUntil(stored_with_name, timeout=TIMEOUT_MS)
    stored = store.load(account_id)
    assert stored is not None and stored.organization is not None
    assert stored.organization.display_name == directory.TENANT_NAME
    assert session.shutdown(5.0)

    # a warm start names it at once from the snapshot, and does not ask again the same day
    sandbox.clear_requests()
    window, session = open_window(config)
    wait_state(qtbot, session, State.SIGNED_IN)
    assert window.header.tenant.text().startswith(f"{directory.TENANT_NAME} · ")
    qtbot.waitUntil(
        lambda: any(r["path"] == "/v1.0/me" for r in sandbox.requests()), timeout=TIMEOUT_MS
    )
    assert organization_requests(sandbox) == []


@pytest.mark.parametrize(
    "fault",
    [
        FaultSpec("organization", status=403, count=None),  # no permission to read it
        FaultSpec("organization", status=503, count=None),
        FaultSpec("organization", reset=True, count=None),
        FaultSpec("organization", body="malformed", count=None),  # a 200 cut off halfway
    ],
    ids=["403", "503", "reset", "unreadable"],
)
def test_a_tenant_whose_name_cannot_be_read_is_shown_by_its_id_without_a_banner(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window, fault: FaultSpec
) -> None:  # type: ignore[no-untyped-def]
    sandbox.clear_faults()
    sandbox.add_fault(fault)
    try:
        standin_browser(sandbox.info.ca_file, directory.READER_UPN)
        window, session = open_window(sandbox_config(sandbox, tmp_path))
        sign_in(qtbot, window, session)
        qtbot.waitUntil(
            lambda: window.profile_panel.value_text("tenantId") == GUID, timeout=TIMEOUT_MS
        )
        assert window.profile_panel.value_text("organization") == GUID
        assert window.header.tenant.text().startswith(f"Tenant {GUID} · ")
        assert not window.banner.isVisible()
        assert session.state is State.SIGNED_IN
        assert window.profile_panel.value_text("displayName") == "Alex Wilber"
    finally:
        sandbox.clear_faults()


def test_the_header_is_drawn_from_the_account_shown_now(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    window, session = open_window(sandbox_config(sandbox, tmp_path))
    sign_in(qtbot, window, session)
    header = window.header
    qtbot.waitUntil(lambda: header.job_title.text() == "Identity Administrator")

    # another account, who has no job title: none of Megan's text stays
    standin_browser(sandbox.info.ca_file, directory.NO_ROLES_UPN)
    session.sign_in(add_account=True)
    qtbot.waitUntil(lambda: header.name.text() == "Grady Archie", timeout=TIMEOUT_MS)
    wait_state(qtbot, session, State.SIGNED_IN)
    qtbot.waitUntil(
        lambda: window.profile_panel.value_text("displayName") == "Grady Archie",
        timeout=TIMEOUT_MS,
    )
    assert header.job_title.text() == "" and header.job_title.isHidden()
    assert header.username.text() == directory.NO_ROLES_UPN

    # a failed refresh keeps the account (it is still this person's), and says so in the state
    sandbox.add_fault(FaultSpec("token", status=503, count=None))
    try:
        window._refresh()
        qtbot.waitUntil(lambda: session.state is State.ERROR, timeout=TIMEOUT_MS)
        assert header.name.text() == "Grady Archie" and header.job_title.isHidden()
        assert window.state_label.text() == State.ERROR.value
    finally:
        sandbox.clear_faults()

    # signed out of every account: nothing of anyone is left in the header
    window.header.sign_out_all_action.trigger()
    assert session.state is State.SIGNED_OUT
    for label in (header.name, header.username, header.tenant, header.job_title):
        assert label.text() == ""
    assert header.tenant.toolTip() == ""


def test_a_status_bar_message_goes_after_seconds_or_at_the_next_state(
    qtbot: QtBot,
    sandbox: Sandbox,
    tmp_path: Path,
    standin_browser,
    open_window,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.READER_UPN)
    window, session = open_window(sandbox_config(sandbox, tmp_path))
    sign_in(qtbot, window, session)
    bar = window.statusBar()
    saver = diagnostics.DiagnosticsSaver(window)

    saver.saved.emit(str(tmp_path / "lanyard-diagnostics.zip"))
    assert bar.currentMessage().startswith("Diagnostics saved: ")
    assert window.state_label.isHidden()  # a message covers the state while it shows
    window._refresh()  # the next state replaces it
    assert bar.currentMessage() == ""
    assert window.state_label.isVisible()
    assert window.state_label.text() == State.REFRESHING.value
    wait_state(qtbot, session, State.SIGNED_IN)

    monkeypatch.setattr(diagnostics, "STATUS_MESSAGE_MS", 300)
    saver.failed.emit("the disk is full")
    assert bar.currentMessage() == "Could not save diagnostics: the disk is full"
    qtbot.waitUntil(lambda: bar.currentMessage() == "", timeout=5_000)  # by itself
    assert window.state_label.isVisible()


def test_an_account_signed_out_elsewhere_gives_way_to_the_other_saved_one(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    config = sandbox_config(sandbox, tmp_path)
    window, session = open_window(config)
    sign_in(qtbot, window, session)
    standin_browser(sandbox.info.ca_file, directory.READER_UPN)
    session.sign_in(add_account=True)
    qtbot.waitUntil(lambda: len(session.accounts) == 2, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.header.name.text() == "Alex Wilber", timeout=TIMEOUT_MS)

    other_process(sandbox, config.profile_dir, "sign-out", directory.READER_UPN)
    qtbot.waitUntil(
        lambda: session.account is not None and session.account.username == directory.ADMIN_UPN,
        timeout=TIMEOUT_MS,
    )
    wait_state(qtbot, session, State.SIGNED_IN)
    qtbot.waitUntil(lambda: window.header.name.text() == "Megan Bowen", timeout=TIMEOUT_MS)
    assert window.stack.currentWidget() is window.tabs
    assert "signed out by another Lanyard" in window.banner.message.text()
