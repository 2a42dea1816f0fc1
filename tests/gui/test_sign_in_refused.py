"""What the window says when the sign-in receiver turns a response away, and that the sign-in
goes on (issue 15, item 2): real widgets, a real SessionController, real msal against the
sandbox; the person's browser and someone else's are the stand-in browser, and the other user
of the computer is a real second OS user (tests/support/other_user.py).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
from pytestqt.qtbot import QtBot

from desktop_app.sandbox import Sandbox, directory
from desktop_app.session.state import State
from tests.support import standin_browser
from tests.support.other_user import OtherUser, other_user, post_form_as  # noqa: F401 (fixture)
from tests.support.sandbox_helpers import sandbox_config
from tests.support.window_driver import TIMEOUT_MS, wait_state


class Browsers:
    """The system browser as a test drives it: it remembers the URL it was asked to open."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: str) -> bool:
        self.urls.append(url)
        return True

    def response(self, sandbox: Sandbox, user: str) -> dict[str, str]:
        """``user`` signs in with the last URL; the response, not yet sent anywhere."""
        fields: dict[str, str] = {}
        standin_browser.run(
            self.urls[-1], user=user, ca_file=sandbox.info.ca_file, hand_back=fields
        )
        return fields

    @property
    def port(self) -> int:
        redirect = parse_qs(urlsplit(self.urls[-1]).query)["redirect_uri"][0]
        port = urlsplit(redirect).port
        assert port is not None
        return port

    def deliver(self, fields: dict[str, str]) -> None:
        reply = requests.post(f"http://127.0.0.1:{self.port}/", data=fields, timeout=10)
        assert reply.status_code == 200


def test_another_users_response_is_refused_and_the_window_says_so(
    qtbot: QtBot,
    sandbox: Sandbox,
    tmp_path: Path,
    open_window,  # type: ignore[no-untyped-def]
    other_user: OtherUser,  # noqa: F811
) -> None:
    browser = Browsers()
    window, session = open_window(sandbox_config(sandbox, tmp_path), launch_browser=browser)
    wait_state(qtbot, session, State.SIGNED_OUT)
    window.welcome_page.sign_in_button.click()
    qtbot.waitUntil(lambda: bool(browser.urls), timeout=TIMEOUT_MS)
    theirs = browser.response(sandbox, directory.NO_ROLES_UPN)
    assert post_form_as(other_user, browser.port, theirs)["status"] == 0  # dropped, unread
    qtbot.waitUntil(window.banner.isVisible, timeout=TIMEOUT_MS)
    assert window.banner.message.text() == (
        "Lanyard turned away a sign-in response from another user of this computer "
        f"(user id {other_user.uid}). Your own sign-in was not affected."
    )
    assert window.banner.recommendation.text().startswith("Finish signing in in your browser.")
    assert session.state is State.SIGNING_IN  # still waiting for the person's browser
    browser.deliver(browser.response(sandbox, directory.READER_UPN))
    wait_state(qtbot, session, State.SIGNED_IN)
    assert session.account is not None and session.account.username == directory.READER_UPN


def test_a_response_for_another_account_is_refused_and_the_window_says_so(
    qtbot: QtBot,
    sandbox: Sandbox,
    tmp_path: Path,
    open_window,  # type: ignore[no-untyped-def]
) -> None:
    """Signing in again as the same account (login_hint), someone else's response arrives
    from this user's own processes, as it could on Windows and macOS."""
    browser = Browsers()
    window, session = open_window(sandbox_config(sandbox, tmp_path), launch_browser=browser)
    wait_state(qtbot, session, State.SIGNED_OUT)
    window.welcome_page.sign_in_button.click()
    qtbot.waitUntil(lambda: bool(browser.urls), timeout=TIMEOUT_MS)
    browser.deliver(browser.response(sandbox, directory.READER_UPN))
    wait_state(qtbot, session, State.SIGNED_IN)
    sandbox.revoke_refresh_tokens(directory.READER_UPN)
    session.refresh(force=True)
    wait_state(qtbot, session, State.SIGN_IN_NEEDED)

    window.banner.action_button.click()  # Sign in again
    qtbot.waitUntil(lambda: len(browser.urls) == 2, timeout=TIMEOUT_MS)
    assert parse_qs(urlsplit(browser.urls[-1]).query)["login_hint"] == [directory.READER_UPN]
    browser.deliver(browser.response(sandbox, directory.NO_ROLES_UPN))
    qtbot.waitUntil(
        lambda: window.banner.isVisible() and "not for" in window.banner.message.text(),
        timeout=TIMEOUT_MS,
    )
    assert window.banner.message.text() == (
        f"The sign-in that reached Lanyard was for {directory.NO_ROLES_UPN}, not for "
        f"{directory.READER_UPN}, so Lanyard did not use it."
    )
    assert session.state is State.SIGNING_IN  # still waiting for the right one
    browser.deliver(browser.response(sandbox, directory.READER_UPN))
    wait_state(qtbot, session, State.SIGNED_IN)
    assert session.account is not None and session.account.username == directory.READER_UPN
    assert [a.username for a in session.accounts] == [directory.READER_UPN]  # re-read
