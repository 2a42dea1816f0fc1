"""The broker's calls that ask nobody: a refresh of an account the broker signed in, and any
sign-out (msal/application.py: acquire_token_silent* routes an account whose account_source is
"broker", or unknown, to msal.broker._acquire_token_silently; remove_account asks
msal.broker._signout_silently first and forgets the account only after it). msal waits for
pymsalruntime's answer without a bound, and in the window every msal call runs on the one auth
thread: a broker that took one of these and never answered held every later refresh, account
switch and sign-out for the rest of the session.

Real msal against the sandbox, through the stand-in browser. msal's broker module is a stand-in
that sits on the call: with the real pymsalruntime these calls reach the broker only for an
account a working broker signed in, which no broker here can (tests/integration/auth/
test_broker_unanswered.py runs what the real one does with the unanswering broker)."""

from __future__ import annotations

import atexit
import sys
import threading
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msal
import msal.application
import pytest

from desktop_app.auth import broker
from desktop_app.auth.client import AuthClient, AuthSettings
from desktop_app.auth.errors import BrokerFailed
from desktop_app.core import net
from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.sandbox import Sandbox, directory
from tests.support.sandbox_helpers import browser_sign_in

BOUND_S = 0.5
# the stand-in's longest sit: on the code before the bound, the test then fails, not hangs
HELD_S = 8.0


class HeldBroker:
    """msal's broker module, sitting on each call until ``release`` (or HELD_S)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls: list[str] = []
        self.module = types.ModuleType("msal.broker")
        self.module._acquire_token_silently = self._acquire_token_silently  # type: ignore[attr-defined]
        self.module._signout_silently = self._signout_silently  # type: ignore[attr-defined]

    def _sit(self, name: str) -> None:
        self.calls.append(name)
        self.release.wait(HELD_S)

    def _acquire_token_silently(self, *_args: Any, **_kwargs: Any) -> None:
        self._sit("acquire_token_silently")  # None: "no decisive outcome", as for no account

    def _signout_silently(self, *_args: Any, **_kwargs: Any) -> None:
        self._sit("signout_silently")


@pytest.fixture
def held_broker(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldBroker]:
    """A broker msal keeps on (its start is a no-op) whose silent calls are never answered."""
    held = HeldBroker()
    monkeypatch.setitem(sys.modules, "msal.broker", held.module)
    monkeypatch.setattr(msal.application, "_init_broker", lambda _pii: None)
    monkeypatch.setattr(
        broker, "choose", lambda _setting: broker.SignInPath(broker.LINUX, requested=True)
    )
    yield held
    held.release.set()
    for thread in threading.enumerate():
        if thread.name == "lanyard-broker-call":
            thread.join(10)


@pytest.fixture
def shutdowns_skipped(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """pymsalruntime's atexit shutdown, and what atexit was told to forget."""
    shutdown = object()
    native = types.SimpleNamespace(_shutdown_msalruntime=shutdown)
    monkeypatch.setitem(sys.modules, "pymsalruntime.pymsalruntime", native)
    skipped: list[object] = []
    monkeypatch.setattr(atexit, "unregister", skipped.append)
    return [shutdown, skipped]


def signed_in(
    sandbox: Sandbox, tmp_path: Path, standin_browser: Any, notices: list[LanyardError]
) -> tuple[AuthClient, Any]:
    standin_browser(sandbox.info.ca_file, directory.READER_UPN)
    info = sandbox.info
    settings = AuthSettings(
        info.client_id,
        info.authority,
        ("User.Read",),
        tmp_path / "profile",
        instance_discovery=False,
        broker="auto",
    )
    client = AuthClient(settings, net.make_session(info.ca_file, proxy=None), notices.append)
    client.broker_silent_s = BOUND_S
    client.open()
    assert client.uses_broker and broker.msal_uses_broker(client.app)
    token = browser_sign_in(client)  # msal's browser sign-in asks no broker
    assert token.account is not None
    return client, token.account


def as_the_brokers(client: AuthClient) -> None:
    """Mark the cached account as one the broker signed in: msal then refreshes it there."""
    cache = client.token_cache
    assert cache is not None
    for entry in list(cache.search(cache.CredentialType.ACCOUNT)):
        cache.modify(cache.CredentialType.ACCOUNT, entry, {"account_source": "broker"})


def tokens_left(client: AuthClient) -> int:
    cache = client.token_cache
    assert cache is not None
    kinds = (cache.CredentialType.REFRESH_TOKEN, cache.CredentialType.ACCESS_TOKEN)
    return sum(len(list(cache.search(kind))) for kind in kinds)


def test_a_refresh_the_broker_never_answers_asks_for_a_sign_in_in_the_browser(
    sandbox: Sandbox,
    tmp_path: Path,
    standin_browser: Any,
    held_broker: HeldBroker,
    shutdowns_skipped: list[Any],
) -> None:
    notices: list[LanyardError] = []
    client, account = signed_in(sandbox, tmp_path, standin_browser, notices)
    as_the_brokers(client)
    started = time.monotonic()
    with pytest.raises(LanyardError) as failed:
        client.silent(account, force_refresh=True)
    waited = time.monotonic() - started
    assert BOUND_S <= waited < HELD_S / 2, waited
    assert held_broker.calls == ["acquire_token_silently"]
    assert failed.value.kind is ErrorKind.INTERACTION_REQUIRED  # "sign in again"
    assert failed.value.message == (
        "The sign-in broker did not refresh your sign-in (it did not answer within 0.5 seconds)."
    )
    assert failed.value.recommendation == (
        "Sign in again: Lanyard uses the system browser for the rest of this session."
    )
    # the broker is off for the session, msal built again without it
    assert client.sign_in_path.broker is None
    assert client.sign_in_path.unavailable == "it did not answer within 0.5 seconds"
    assert not client.uses_broker and not broker.msal_uses_broker(client.app)
    # the process can end: pymsalruntime's shutdown would wait for the call left behind
    shutdown, skipped = shutdowns_skipped
    assert skipped == [shutdown]
    # nothing held behind it: the next refresh is the identity provider's, without a wait
    started = time.monotonic()
    assert client.silent(account, force_refresh=True).access_token
    assert time.monotonic() - started < BOUND_S
    assert held_broker.calls == ["acquire_token_silently"]
    # and the sign-in it asks for goes to the browser (the window's path: BrokerFailed, then
    # the browser, session/sign_in.py)
    with pytest.raises(BrokerFailed, match=r"did not answer within 0\.5 seconds"):
        client.sign_in_with_broker(None)
    assert browser_sign_in(client, directory.READER_UPN).account == account
    assert notices == []


def test_a_sign_out_the_broker_never_answers_still_signs_out(
    sandbox: Sandbox,
    tmp_path: Path,
    standin_browser: Any,
    held_broker: HeldBroker,
    shutdowns_skipped: list[Any],
) -> None:
    notices: list[LanyardError] = []
    client, account = signed_in(sandbox, tmp_path, standin_browser, notices)
    started = time.monotonic()
    client.sign_out(account)
    waited = time.monotonic() - started
    assert BOUND_S <= waited < HELD_S / 2, waited
    assert held_broker.calls == ["signout_silently"]
    # Lanyard's own cache forgot the account all the same
    assert client.accounts() == [] and tokens_left(client) == 0
    assert [(n.message, n.recommendation) for n in notices] == [
        (
            "The sign-in broker did not answer the sign-out (it did not answer within 0.5 "
            "seconds).",
            "You are signed out of Lanyard. The broker may still keep the account: Lanyard uses "
            "the system browser for the rest of this session.",
        )
    ]
    assert client.sign_in_path.broker is None and not broker.msal_uses_broker(client.app)
    shutdown, skipped = shutdowns_skipped
    assert skipped == [shutdown]
    # signed in again before the broker's late answer: that answer (msal then forgets the
    # account, on the app it was given) must not sign the person out again
    again = browser_sign_in(client, directory.READER_UPN)
    held_broker.release.set()
    for thread in threading.enumerate():
        if thread.name == "lanyard-broker-call":
            thread.join(10)
            assert not thread.is_alive()
    assert [a.username for a in client.accounts()] == [directory.READER_UPN]
    assert again.account is not None
    assert client.silent(again.account).access_token == again.access_token
    assert held_broker.calls == ["signout_silently"]  # msal without the broker asks none


def test_a_broker_that_answers_in_time_stays_on(
    sandbox: Sandbox, tmp_path: Path, standin_browser: Any, held_broker: HeldBroker
) -> None:
    notices: list[LanyardError] = []
    client, account = signed_in(sandbox, tmp_path, standin_browser, notices)
    as_the_brokers(client)
    held_broker.release.set()  # it answers at once: no decisive outcome, msal refreshes itself
    assert client.silent(account, force_refresh=True).access_token
    client.sign_out(account)
    assert held_broker.calls == ["acquire_token_silently", "signout_silently"]
    assert client.accounts() == [] and tokens_left(client) == 0
    assert client.uses_broker and broker.msal_uses_broker(client.app)
    assert notices == []


def test_a_cached_token_asks_no_broker(
    sandbox: Sandbox, tmp_path: Path, standin_browser: Any, held_broker: HeldBroker
) -> None:
    notices: list[LanyardError] = []
    client, account = signed_in(sandbox, tmp_path, standin_browser, notices)
    as_the_brokers(client)
    assert client.silent(account).access_token  # msal's cache hit comes before the broker
    assert held_broker.calls == [] and client.uses_broker


def test_the_silent_bound_is_the_networks_whole_response() -> None:
    assert broker.SILENT_S == net.DEFAULT_DEADLINE_S == 30.0
    assert broker.START_S == broker.SILENT_S
