"""ApiCalls without a window: a stand-in API and auth client, Lanyard's real workers, and for
Grant access the real InteractiveSignIn with its loopback receiver and a stand-in browser."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from desktop_app.core.errors import ErrorKind, InteractionReason, LanyardError
from desktop_app.graph.api_call import ApiFailure, ApiRequest, ApiResponse
from desktop_app.session.api_calls import ApiCalls
from desktop_app.session.sign_in import Browser
from desktop_app.session.state import State
from desktop_app.session.workers import Jobs
from tests.unit.session.stubs import (
    ALEX,
    MEGAN,
    Outcomes,
    StandInBrowser,
    StubServices,
    View,
    failure,
    token_for,
)

GRAPH = "https://graph.test/v1.0"
ORDERS_SCOPE = "api://orders/Orders.Read"
ORDERS_URL = "https://orders.test/orders"
CLAIMS = '{"access_token":{"nbf":{"essential":true,"value":"1"}}}'


@dataclass(frozen=True)
class Config:
    graph_endpoint: str = GRAPH
    scopes: tuple[str, ...] = ("User.Read",)


def response(request: ApiRequest, status: int = 200, problem: LanyardError | None = None) -> Any:
    return ApiResponse(
        request, status, "OK", (), 1.0, 2, False, "{}", {}, True, request.url, problem
    )


class StubApi:
    """The API: answers each call with the next outcome; ``hold`` keeps the first call waiting."""

    def __init__(self, *outcomes: object) -> None:
        self.outcomes = Outcomes(*outcomes) if outcomes else None
        self.calls: list[tuple[ApiRequest, str]] = []
        self.hold: threading.Event | None = None

    def call(self, request: ApiRequest, token: str, service: str = "") -> ApiResponse:
        held = self.hold
        self.calls.append((request, service))
        if held is not None and len(self.calls) == 1:
            held.wait(5)
        if self.outcomes is None:
            return response(request)  # type: ignore[no-any-return]
        made = self.outcomes()
        return made(request) if callable(made) else made  # type: ignore[no-any-return]


@dataclass
class Panel:
    """What the panel is told."""

    started: list[ApiRequest]
    answered: list[ApiResponse]
    failed: list[ApiFailure]
    waiting: list[bool]


@pytest.fixture
def calls(
    jobs: Jobs, owner: QObject
) -> Iterator[Callable[..., tuple[ApiCalls, View, StubServices, StubApi, StandInBrowser, Panel]]]:
    made: list[ApiCalls] = []

    def make(
        api: StubApi | None = None, browser: StandInBrowser | None = None
    ) -> tuple[ApiCalls, View, StubServices, StubApi, StandInBrowser, Panel]:
        api, browser = api or StubApi(), browser or StandInBrowser()
        services = StubServices(api=api, config=Config())
        view = View(services)
        part = ApiCalls(view, jobs, Browser(browser, 10.0), owner)  # type: ignore[arg-type]
        panel = Panel([], [], [], [])
        part.call_started.connect(panel.started.append)
        part.answered.connect(panel.answered.append)
        part.failed.connect(panel.failed.append)
        part.consent_waiting.connect(panel.waiting.append)
        made.append(part)
        return part, view, services, api, browser, panel

    yield make
    for part in made:
        part.stop()


def consent_needed() -> LanyardError:
    return LanyardError(
        "Consent needed.",
        "",
        ErrorKind.INTERACTION_REQUIRED,
        {"code": "AADSTS65001"},
        reason=InteractionReason.CONSENT,
    )


def test_a_call_gets_a_token_for_its_scopes_then_calls_with_it(
    qtbot: QtBot, calls: Callable[..., Any]
) -> None:
    part, _, services, api, _, panel = calls()
    part.call(f"{GRAPH}/me", "User.Read")
    assert [r.url for r in panel.started] == [f"{GRAPH}/me"]
    qtbot.waitUntil(lambda: bool(panel.answered))
    asked = services.auth.tokens.calls[0]
    assert asked["account"] == ALEX
    assert asked["scopes"] == ("User.Read",)
    assert asked["claims_challenge"] is None
    assert api.calls[0][1] == "Microsoft Graph"  # named in its errors

    part.call(ORDERS_URL, (ORDERS_SCOPE,))
    qtbot.waitUntil(lambda: len(panel.answered) == 2)
    assert api.calls[1][1] == "orders.test"  # another API is named by its host
    assert panel.failed == []


def test_a_wrong_request_is_refused_before_anything_is_asked(calls: Callable[..., Any]) -> None:
    part, _, services, _, _, panel = calls()
    part.call("http://graph.test/v1.0/me", "User.Read")
    assert panel.failed[0].field == "url"
    assert panel.failed[0].error.kind is ErrorKind.CONFIG
    assert panel.started == [] and services.auth.tokens.calls == []


@pytest.mark.parametrize("state", [State.SIGN_IN_NEEDED, State.SIGNED_OUT, State.SIGNING_IN])
def test_no_call_without_a_usable_sign_in(calls: Callable[..., Any], state: State) -> None:
    part, view, services, _, _, panel = calls()
    view.state = state
    part.call(f"{GRAPH}/me", "User.Read")
    assert panel.failed[0].error.message.startswith("Sign in first")
    assert panel.failed[0].request is not None
    assert services.auth.tokens.calls == []


def test_a_claims_challenge_gets_a_token_with_the_claims_and_one_more_call(
    qtbot: QtBot, calls: Callable[..., Any]
) -> None:
    challenge = LanyardError("Revoked.", "", ErrorKind.SERVICE, claims_challenge=CLAIMS)
    api = StubApi(lambda r: response(r, 401, challenge))  # challenged every time
    part, _, services, _, _, panel = calls(api)
    part.call(f"{GRAPH}/me", "User.Read")
    qtbot.waitUntil(lambda: bool(panel.answered))
    qtbot.wait(100)
    assert [c["claims_challenge"] for c in services.auth.tokens.calls] == [None, CLAIMS]
    assert len(api.calls) == 2  # once more, not a loop
    assert panel.answered[0].status == 401  # the second challenge is shown as the answer


def test_only_the_latest_call_is_shown(qtbot: QtBot, calls: Callable[..., Any]) -> None:
    api = StubApi()
    api.hold = threading.Event()
    part, _, _, _, _, panel = calls(api)
    part.call(f"{GRAPH}/me", "User.Read")
    qtbot.waitUntil(lambda: len(api.calls) == 1)  # the first is on the network pool, held
    part.call(f"{GRAPH}/me/memberOf", "User.Read")
    qtbot.waitUntil(lambda: len(panel.answered) == 1)
    api.hold.set()
    qtbot.wait(200)
    assert [r.request.url for r in panel.answered] == [f"{GRAPH}/me/memberOf"]


def test_consent_is_asked_for_then_granted_in_the_browser_and_the_call_made(
    qtbot: QtBot, calls: Callable[..., Any]
) -> None:
    part, _, services, api, browser, panel = calls()
    granted = token_for(ALEX, (ORDERS_SCOPE,))
    services.auth.tokens = Outcomes(consent_needed(), granted)
    services.auth.finish = Outcomes(granted)
    part.call(ORDERS_URL, ORDERS_SCOPE)
    qtbot.waitUntil(lambda: bool(panel.failed))
    refusal = panel.failed[0]
    assert refusal.can_grant
    assert refusal.error.message == f"This API needs your consent first: {ORDERS_SCOPE}."
    assert refusal.error.details["code"] == "AADSTS65001"
    assert api.calls == []

    part.grant_access()
    assert panel.waiting == [True] and part.consent_pending
    qtbot.waitUntil(lambda: bool(panel.answered), timeout=5000)
    begun = services.auth.begin.calls[0]
    assert begun["scopes"] == (ORDERS_SCOPE,)  # only this API's scopes
    assert begun["login_hint"] == ALEX.username  # as the same account
    assert len(browser.opened) == 1
    assert panel.waiting == [True, False]
    assert [r.url for r in panel.started] == [ORDERS_URL, ORDERS_URL]  # the call again
    assert not part.consent_pending
    part.grant_access()  # granted: nothing left to grant
    assert len(services.auth.begin.calls) == 1


def test_access_granted_as_another_account_is_refused_and_can_be_granted_again(
    qtbot: QtBot, calls: Callable[..., Any]
) -> None:
    part, _, services, api, _, panel = calls()
    services.auth.tokens = Outcomes(consent_needed())
    services.auth.finish = Outcomes(token_for(MEGAN, (ORDERS_SCOPE,)))
    part.call(ORDERS_URL, ORDERS_SCOPE)
    qtbot.waitUntil(lambda: bool(panel.failed))
    part.grant_access()
    qtbot.waitUntil(lambda: len(panel.failed) == 2, timeout=5000)
    wrong = panel.failed[1]
    assert wrong.error.message.startswith(f"Access was granted as {MEGAN.username}")
    assert wrong.can_grant and wrong.request is not None
    assert panel.waiting == [True, False] and not part.consent_pending
    assert api.calls == []
    part.grant_access()  # the way out: Grant access again
    qtbot.waitUntil(lambda: len(services.auth.begin.calls) == 2, timeout=5000)


def test_cancelling_grant_access_is_quiet_and_immediate(
    qtbot: QtBot, calls: Callable[..., Any]
) -> None:
    part, _, services, _, browser, panel = calls(browser=StandInBrowser("never"))
    services.auth.tokens = Outcomes(consent_needed())
    part.call(ORDERS_URL, ORDERS_SCOPE)
    qtbot.waitUntil(lambda: bool(panel.failed))
    part.grant_access()
    qtbot.waitUntil(lambda: bool(browser.opened), timeout=5000)
    assert part.consent_pending
    part.cancel_consent()
    assert panel.waiting == [True, False] and not part.consent_pending
    qtbot.wait(200)
    assert len(panel.failed) == 1  # Cancel is not a failure
    part.cancel_consent()  # nothing to cancel: nothing emitted
    assert panel.waiting == [True, False]


def test_no_browser_for_grant_access_says_so_and_offers_it_again(
    qtbot: QtBot, calls: Callable[..., Any]
) -> None:
    part, _, services, _, _, panel = calls(browser=StandInBrowser("none"))
    services.auth.tokens = Outcomes(consent_needed())
    part.call(ORDERS_URL, ORDERS_SCOPE)
    qtbot.waitUntil(lambda: bool(panel.failed))
    part.grant_access()
    qtbot.waitUntil(lambda: len(panel.failed) == 2, timeout=5000)
    assert panel.failed[1].error.kind is ErrorKind.BROWSER
    assert "Grant access again" in panel.failed[1].error.recommendation
    assert panel.failed[1].can_grant
    assert not part.consent_pending


def test_signing_out_ends_grant_access_and_forgets_what_it_was_for(
    qtbot: QtBot, calls: Callable[..., Any]
) -> None:
    part, _, services, _, browser, panel = calls(browser=StandInBrowser("never"))
    services.auth.tokens = Outcomes(consent_needed())
    part.call(ORDERS_URL, ORDERS_SCOPE)
    qtbot.waitUntil(lambda: bool(panel.failed))
    part.grant_access()
    qtbot.waitUntil(lambda: bool(browser.opened), timeout=5000)
    part.on_state(State.SIGNED_OUT)
    assert panel.waiting == [True, False] and not part.consent_pending
    part.grant_access()  # nothing to grant any more
    assert panel.waiting == [True, False] and not part.consent_pending


@pytest.mark.parametrize("declined", [False, True], ids=["cancelled", "declined-in-browser"])
def test_a_cancelled_grant_is_quiet_and_a_declined_one_is_shown(
    qtbot: QtBot, calls: Callable[..., Any], declined: bool
) -> None:
    part, _, services, _, _, panel = calls()
    services.auth.tokens = Outcomes(consent_needed())
    details = {"code": "AADSTS65004", "time": "2024-01-01T00:00:00Z"} if declined else {}
    ended = LanyardError("Sign-in was cancelled.", "", ErrorKind.CANCELLED, details)
    services.auth.finish = Outcomes(ended)
    part.call(ORDERS_URL, ORDERS_SCOPE)
    qtbot.waitUntil(lambda: bool(panel.failed))
    part.grant_access()
    qtbot.waitUntil(lambda: panel.waiting == [True, False], timeout=5000)
    qtbot.wait(100)
    if declined:  # the browser said no, with what support asks for: shown, Grant offered
        assert [f.error for f in panel.failed[1:]] == [ended]
        assert panel.failed[1].can_grant
    else:
        assert len(panel.failed) == 1


def test_a_failed_token_that_is_no_interaction_offers_no_grant(
    qtbot: QtBot, calls: Callable[..., Any]
) -> None:
    part, _, services, _, _, panel = calls()
    services.auth.tokens = Outcomes(failure(ErrorKind.NETWORK))
    part.call(ORDERS_URL, ORDERS_SCOPE)
    qtbot.waitUntil(lambda: bool(panel.failed))
    assert not panel.failed[0].can_grant
    part.grant_access()
    assert panel.waiting == []


def test_the_graph_endpoint_follows_the_services(calls: Callable[..., Any]) -> None:
    part, view, _, _, _, _ = calls()
    assert part.graph_endpoint == GRAPH
    view.services = None  # not started yet
    assert part.graph_endpoint is None
