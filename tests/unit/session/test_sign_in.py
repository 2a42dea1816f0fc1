"""InteractiveSignIn without a window: Lanyard's real loopback receiver and workers, a stand-in
for msal's side of the auth client, and a stand-in browser that posts the redirect."""

from __future__ import annotations

import socket
import time
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from desktop_app.auth.errors import signed_in_as_another_account
from desktop_app.auth.models import DeviceCode
from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.session.sign_in import Browser, InteractiveSignIn
from desktop_app.session.state import DeviceCodePrompt
from desktop_app.session.workers import Jobs
from tests.unit.session.stubs import (
    ALEX,
    Outcomes,
    StandInBrowser,
    StubAuth,
    failure,
    token_for,
)


@pytest.fixture
def attempt(
    jobs: Jobs, owner: QObject
) -> Iterator[Callable[..., tuple[InteractiveSignIn, StubAuth, dict[str, list[Any]]]]]:
    made: list[InteractiveSignIn] = []

    def make(
        browser: StandInBrowser | None = None, timeout: float = 10.0
    ) -> tuple[InteractiveSignIn, StubAuth, dict[str, list[Any]]]:
        auth = StubAuth()
        browsing = Browser(browser or StandInBrowser(), timeout)
        part = InteractiveSignIn(auth, jobs, browsing, owner)  # type: ignore[arg-type]
        seen: dict[str, list[Any]] = {}
        for name in ("method", "url", "device_code", "succeeded", "failed", "refused"):
            seen[name] = []
            getattr(part, name).connect(seen[name].append)
        seen["browser_failed"] = []
        part.browser_failed.connect(lambda: seen["browser_failed"].append(True))
        made.append(part)
        return part, auth, seen

    yield make
    for part in made:
        part.close()


def port_of(url: str) -> int:
    redirect = parse_qs(urlsplit(url).query)["redirect_uri"][0]
    port = urlsplit(redirect).port
    assert port is not None
    return port


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_a_browser_sign_in_from_the_redirect_to_the_token(
    qtbot: QtBot, attempt: Callable[..., Any]
) -> None:
    browser = StandInBrowser()
    part, auth, seen = attempt(browser)
    part.start_browser("alex@contoso.test", None, "{}", ("api://orders/Orders.Read",))
    assert part.waiting_for_browser  # listening before the identity provider is asked
    qtbot.waitUntil(lambda: bool(seen["succeeded"]), timeout=5000)
    assert seen["method"] == ["browser"]
    begun = auth.begin.calls[0]
    assert begun["login_hint"] == "alex@contoso.test"
    assert begun["claims_challenge"] == "{}"
    assert begun["scopes"] == ("api://orders/Orders.Read",)  # Grant access asks for these
    assert begun["prompt"] is None
    assert seen["url"] == browser.opened  # the URL shown is the one the browser opened
    finished = auth.finish.calls[0]
    assert finished["response"] == {"code": "the-code", "state": begun["state"]}
    assert len(begun["state"]) >= 32  # its own, made before the receiver listened
    assert finished["pending"].redirect_uri == begun["redirect_uri"]
    assert seen["succeeded"][0].account == ALEX
    assert seen["failed"] == []
    assert not part.waiting_for_browser
    assert not listening(port_of(seen["url"][0]))  # the receiver is closed


def test_cancel_is_immediate_and_leaves_nothing_to_emit(
    qtbot: QtBot, attempt: Callable[..., Any]
) -> None:
    part, auth, seen = attempt(StandInBrowser("never"))
    part.start_browser()
    qtbot.waitUntil(lambda: bool(seen["url"]), timeout=5000)
    port = port_of(seen["url"][0])
    assert listening(port)
    started = time.monotonic()
    part.cancel()
    assert time.monotonic() - started < 0.5
    assert not part.waiting_for_browser and not listening(port)
    qtbot.wait(300)  # the wait job was woken by the close: its "cancelled" is not delivered
    assert seen["failed"] == [] and seen["succeeded"] == []
    assert auth.finish.calls == []


def test_a_browser_that_never_returns_times_out(qtbot: QtBot, attempt: Callable[..., Any]) -> None:
    part, _, seen = attempt(StandInBrowser("never"), timeout=0.3)
    part.start_browser()
    qtbot.waitUntil(lambda: bool(seen["failed"]), timeout=5000)
    assert seen["failed"][0].kind is ErrorKind.TIMEOUT
    assert not part.waiting_for_browser


def test_no_browser_is_reported_and_a_device_code_takes_over(
    qtbot: QtBot, attempt: Callable[..., Any]
) -> None:
    part, auth, seen = attempt(StandInBrowser("none"))
    auth.polls = Outcomes(None, None, token_for(ALEX))
    part.start_browser()
    qtbot.waitUntil(lambda: bool(seen["browser_failed"]), timeout=5000)
    assert part.waiting_for_browser  # still waiting: the owner decides what comes next
    port = port_of(seen["url"][0])
    part.start_device_code("claims")
    assert not part.waiting_for_browser and not listening(port)
    qtbot.waitUntil(lambda: bool(seen["succeeded"]), timeout=5000)
    assert seen["method"] == ["browser", "device_code"]
    assert auth.device.calls == [{"claims_challenge": "claims"}]
    prompt = seen["device_code"][0]
    assert isinstance(prompt, DeviceCodePrompt)
    assert (prompt.user_code, prompt.verification_uri) == ("ABCD-EFGH", "https://login.test/device")
    assert len(auth.polls.calls) == 3  # pending, pending, signed in: one poll per job
    assert seen["device_code"][-1] is None  # the code is withdrawn before the success
    assert not part.has_device_code


def test_an_expired_code_fails_the_attempt_after_withdrawing_it(
    qtbot: QtBot, attempt: Callable[..., Any]
) -> None:
    part, auth, seen = attempt()
    auth.device = Outcomes(
        DeviceCode("OLD", "https://login.test/device", "", 1.0, {"interval": 0.05})
    )
    order: list[str] = []
    part.device_code.connect(lambda p: order.append("code" if p else "withdrawn"))
    part.failed.connect(lambda e: order.append("failed"))
    part.start_device_code()
    qtbot.waitUntil(lambda: bool(seen["failed"]), timeout=5000)
    assert "expired" in seen["failed"][0].message
    assert seen["failed"][0].kind is ErrorKind.TIMEOUT
    assert order == ["code", "withdrawn", "failed"]
    assert auth.polls.calls == []


def test_cancelling_a_device_code_stops_the_polls(
    qtbot: QtBot, attempt: Callable[..., Any]
) -> None:
    part, auth, seen = attempt()
    part.start_device_code()
    qtbot.waitUntil(lambda: len(auth.polls.calls) >= 1, timeout=5000)
    part.cancel()
    assert seen["device_code"][-1] is None
    polls = len(auth.polls.calls)
    qtbot.wait(300)  # several poll intervals
    assert len(auth.polls.calls) <= polls + 1  # at most the one already on the auth thread
    assert seen["succeeded"] == [] and seen["failed"] == []


def test_a_refusal_from_the_identity_provider_fails_the_attempt(
    qtbot: QtBot, attempt: Callable[..., Any]
) -> None:
    part, auth, seen = attempt()
    refusal = failure(ErrorKind.SERVICE, code="AADSTS50011")
    auth.begin = Outcomes(refusal)
    part.start_browser()
    qtbot.waitUntil(lambda: bool(seen["failed"]), timeout=5000)
    assert seen["failed"] == [refusal]
    assert not part.waiting_for_browser


def test_nothing_is_delivered_once_the_session_moved_on(
    qtbot: QtBot, attempt: Callable[..., Any], jobs: Jobs
) -> None:
    part, auth, seen = attempt(StandInBrowser("never"))
    part.start_browser()
    jobs.generation.advance()  # signed out, or another account signed in, meanwhile
    done: list[int] = []
    jobs.auth.submit(lambda _: 1, done.append)  # queued behind the begin job
    qtbot.waitUntil(lambda: bool(done), timeout=5000)
    qtbot.wait(50)
    assert len(auth.begin.calls) == 1
    assert seen["url"] == [] and seen["failed"] == []


def test_a_launcher_that_raises_leaves_the_sign_in_waiting(
    qtbot: QtBot, attempt: Callable[..., Any]
) -> None:
    def broken(url: str) -> bool:
        raise LanyardError("No launcher.", "", ErrorKind.BROWSER)

    part, _, seen = attempt(broken)  # type: ignore[arg-type]
    part.start_browser()
    qtbot.waitUntil(lambda: bool(seen["url"]), timeout=5000)
    qtbot.wait(200)
    assert seen["failed"] == [] and part.waiting_for_browser  # the URL can still be copied


def test_a_response_for_another_account_is_told_and_the_wait_goes_on(
    qtbot: QtBot, attempt: Callable[..., Any]
) -> None:
    """The identity provider's answer was another account's (finish_sign_in refused it): the
    person hears so, and the right response, sent after, still signs in."""
    part, auth, seen = attempt()
    wrong = signed_in_as_another_account("grady@contoso.test", "alex@contoso.test")
    auth.finish = Outcomes(wrong, token_for(ALEX))
    part.start_browser("alex@contoso.test")
    qtbot.waitUntil(lambda: bool(seen["refused"]), timeout=5000)
    assert seen["refused"] == [wrong] and seen["failed"] == []
    assert part.waiting_for_browser and listening(port_of(seen["url"][0]))
    state = auth.begin.calls[0]["state"]
    body = urlencode({"code": "the-right-code", "state": state}).encode()
    with urllib.request.urlopen(f"http://127.0.0.1:{port_of(seen['url'][0])}/", body, timeout=5):
        pass
    qtbot.waitUntil(lambda: bool(seen["succeeded"]), timeout=5000)
    assert [c["response"]["code"] for c in auth.finish.calls] == ["the-code", "the-right-code"]
    assert seen["failed"] == [] and not part.waiting_for_browser


def test_another_failure_to_redeem_still_ends_the_attempt(
    qtbot: QtBot, attempt: Callable[..., Any]
) -> None:
    part, auth, seen = attempt()
    refusal = failure(ErrorKind.SERVICE, code="AADSTS54005")
    auth.finish = Outcomes(refusal)
    part.start_browser("alex@contoso.test")
    qtbot.waitUntil(lambda: bool(seen["failed"]), timeout=5000)
    assert seen["failed"] == [refusal] and seen["refused"] == []
    assert not part.waiting_for_browser


def test_grant_access_ends_on_a_response_for_another_account(
    qtbot: QtBot, jobs: Jobs, owner: QObject
) -> None:
    """wait_after_wrong_account=False (Grant access): the attempt fails with the refusal, and
    its owner offers to start again."""
    auth = StubAuth()
    wrong = signed_in_as_another_account("grady@contoso.test", "alex@contoso.test")
    auth.finish = Outcomes(wrong)
    part = InteractiveSignIn(
        auth,  # type: ignore[arg-type]
        jobs,
        Browser(StandInBrowser(), 10.0),
        owner,
        wait_after_wrong_account=False,
    )
    failed: list[LanyardError] = []
    refused: list[LanyardError] = []
    part.failed.connect(failed.append)
    part.refused.connect(refused.append)
    try:
        part.start_browser("alex@contoso.test")
        qtbot.waitUntil(lambda: bool(failed), timeout=5000)
        assert failed == [wrong] and refused == []
        assert not part.waiting_for_browser
    finally:
        part.close()
