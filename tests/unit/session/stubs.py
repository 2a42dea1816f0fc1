"""Small stand-ins for what the session's parts are given: the session as they see it, the
services, msal's side of the auth client, Graph. Plain objects: the parts run for real."""

from __future__ import annotations

import threading
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from desktop_app.auth.models import Account, DeviceCode, PendingSignIn, TokenResult
from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.session.state import State

ALEX = Account("alex-oid.tenant", "alex@contoso.test", "login.contoso.test")
MEGAN = Account("megan-oid.tenant", "megan@contoso.test", "login.contoso.test")


def token_for(account: Account | None, scopes: tuple[str, ...] = ("User.Read",)) -> TokenResult:
    now = time.time()
    return TokenResult("stub-access-token", now + 3600, None, scopes, "identity_provider", account)


def failure(kind: ErrorKind, claims: str = "", **details: str) -> LanyardError:
    return LanyardError(f"{kind.value} failure.", "", kind, details, claims_challenge=claims)


@dataclass
class View:
    """The session as a part reads it (SessionView)."""

    services: Any = None
    account: Account | None = ALEX
    token: TokenResult | None = field(default_factory=lambda: token_for(ALEX))
    state: State = State.SIGNED_IN


class Outcomes:
    """What a stub answers, in turn: a value is returned, a LanyardError raised; the last
    one is repeated. Calls are recorded with their arguments (worker threads included)."""

    def __init__(self, *outcomes: object) -> None:
        self._outcomes = list(outcomes)
        self.calls: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def __call__(self, **arguments: Any) -> Any:
        with self._lock:
            self.calls.append(arguments)
            outcome = self._outcomes.pop(0) if len(self._outcomes) > 1 else self._outcomes[0]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


class StubAuth:
    """The AuthClient methods an interactive sign-in and an API call use."""

    def __init__(self) -> None:
        self.begin = Outcomes(None)  # PendingSignIn, built from the redirect URI when None
        self.finish = Outcomes(token_for(ALEX))
        self.device = Outcomes(DeviceCode("ABCD-EFGH", "https://login.test/device", "", 0, {}))
        self.polls = Outcomes(None)
        self.tokens = Outcomes(token_for(ALEX))

    def begin_sign_in(self, redirect_uri: str, state: str, **options: Any) -> PendingSignIn:
        options["state"] = state
        made = self.begin(redirect_uri=redirect_uri, **options)
        if made is not None:
            return made  # type: ignore[no-any-return]
        state = options["state"]
        return PendingSignIn(
            f"https://login.test/authorize?{urlencode({'redirect_uri': redirect_uri, 'state': state})}",
            state,
            redirect_uri,
            {},
            options.get("login_hint"),
        )

    def finish_sign_in(self, pending: PendingSignIn, response: dict[str, str]) -> TokenResult:
        return self.finish(pending=pending, response=response)  # type: ignore[no-any-return]

    def begin_device_flow(self, claims_challenge: str | None = None) -> DeviceCode:
        device: DeviceCode = self.device(claims_challenge=claims_challenge)
        if device.expires_at == 0:  # "fresh": fifteen minutes from now, polled every 0.05 s
            device = DeviceCode(
                device.user_code, device.verification_uri, "", time.time() + 900, {"interval": 0.05}
            )
        return device

    def poll_device_flow(self, device: DeviceCode) -> TokenResult | None:
        return self.polls(device=device)  # type: ignore[no-any-return]

    def silent(self, account: Account, **options: Any) -> TokenResult:
        return self.tokens(account=account, **options)  # type: ignore[no-any-return]


@dataclass
class StubServices:
    auth: StubAuth = field(default_factory=StubAuth)
    graph: Any = None
    api: Any = None
    sandbox: Any = None
    config: Any = None


class StandInBrowser:
    """Opens a URL by answering the redirect at once (form_post), like a signed-in browser;
    or never comes back; or cannot be started at all."""

    def __init__(self, behaviour: str = "answer", state: str | None = None) -> None:
        """``state``: the one to answer with (default: the URL's, as the identity provider)."""
        self.behaviour, self.state = behaviour, state
        self.opened: list[str] = []

    def __call__(self, url: str) -> bool:
        self.opened.append(url)
        if self.behaviour == "none":
            return False
        if self.behaviour == "answer":
            query = parse_qs(urlsplit(url).query)
            port = urlsplit(query["redirect_uri"][0]).port
            state = self.state if self.state is not None else query["state"][0]
            body = urlencode({"code": "the-code", "state": state}).encode()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", body, timeout=5) as answer:
                assert answer.status == 200
        return True
