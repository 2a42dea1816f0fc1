"""A sign-in that asked for one account (login_hint) refuses a response for another (issue 15,
item 2, on every platform): real msal and requests against the sandbox.

Someone else with the authorize URL (it is in the browser's command line, readable in /proc by
every user) can sign in with their own account and send the response to Lanyard's receiver.
On Linux the receiver drops another user's connection (tests/integration/test_other_user.py);
here the response comes from this user's own process, as it could on Windows and macOS.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
import requests

from desktop_app.auth.client import AuthClient
from desktop_app.auth.errors import WrongAccount
from desktop_app.auth.loopback import LoopbackReceiver
from desktop_app.auth.models import PendingSignIn
from desktop_app.sandbox import Sandbox
from desktop_app.sandbox.directory import NO_ROLES_UPN, READER_UPN
from tests.support import standin_browser
from tests.support.sandbox_helpers import auth_client


def response_as(sandbox: Sandbox, pending: PendingSignIn, user: str) -> dict[str, str]:
    """Sign in with the pending sign-in's URL as ``user``; the response, not yet delivered."""
    fields: dict[str, str] = {}
    standin_browser.run(pending.auth_uri, user=user, ca_file=sandbox.info.ca_file, hand_back=fields)
    assert fields.get("code") and fields.get("state") == pending.state
    return fields


def deliver(receiver: LoopbackReceiver, fields: dict[str, str]) -> dict[str, str]:
    assert requests.post(receiver.redirect_uri, data=fields, timeout=10).status_code == 200
    return receiver.wait(5)


@pytest.fixture
def client(sandbox: Sandbox, tmp_path: Path) -> AuthClient:
    made = auth_client(sandbox, tmp_path)
    made.open()
    return made


def test_a_response_for_another_account_is_refused_and_the_sign_in_goes_on(
    sandbox: Sandbox, client: AuthClient
) -> None:
    state = secrets.token_urlsafe(16)
    receiver = LoopbackReceiver(state)
    try:
        pending = client.begin_sign_in(receiver.redirect_uri, state, login_hint=READER_UPN)
        theirs = deliver(receiver, response_as(sandbox, pending, NO_ROLES_UPN))
        with pytest.raises(WrongAccount) as refused:
            client.finish_sign_in(pending, theirs)
        assert NO_ROLES_UPN in refused.value.message and READER_UPN in refused.value.message
        assert refused.value.details["received_account"] == NO_ROLES_UPN
        assert client.accounts() == []  # msal had cached it: removed again
        assert client.token_cache is not None
        assert list(client.token_cache.search("RefreshToken")) == []  # nor its tokens
        receiver.rearm()
        mine = deliver(receiver, response_as(sandbox, pending, READER_UPN))
        token = client.finish_sign_in(pending, mine)  # the same pending sign-in, still usable
    finally:
        receiver.close()
    assert token.account is not None and token.account.username == READER_UPN
    assert [a.username for a in client.accounts()] == [READER_UPN]


def test_an_account_already_signed_in_is_kept_when_its_response_is_refused(
    sandbox: Sandbox, client: AuthClient
) -> None:
    """Signed in as both; signing in again as one of them, a response for the other is refused
    but that account, which was there before, stays."""
    for user in (NO_ROLES_UPN, READER_UPN):
        state = secrets.token_urlsafe(16)
        receiver = LoopbackReceiver(state)
        try:
            pending = client.begin_sign_in(receiver.redirect_uri, state, login_hint=user)
            client.finish_sign_in(pending, deliver(receiver, response_as(sandbox, pending, user)))
        finally:
            receiver.close()
    state = secrets.token_urlsafe(16)
    receiver = LoopbackReceiver(state)
    try:
        pending = client.begin_sign_in(receiver.redirect_uri, state, login_hint=READER_UPN)
        with pytest.raises(WrongAccount):
            client.finish_sign_in(
                pending, deliver(receiver, response_as(sandbox, pending, NO_ROLES_UPN))
            )
    finally:
        receiver.close()
    assert sorted(a.username for a in client.accounts()) == sorted([NO_ROLES_UPN, READER_UPN])


def test_without_a_login_hint_any_account_may_sign_in(sandbox: Sandbox, client: AuthClient) -> None:
    """Add account (no hint): the person picks the account, so there is nothing to compare."""
    state = secrets.token_urlsafe(16)
    receiver = LoopbackReceiver(state)
    try:
        pending = client.begin_sign_in(receiver.redirect_uri, state, prompt="select_account")
        token = client.finish_sign_in(
            pending, deliver(receiver, response_as(sandbox, pending, NO_ROLES_UPN))
        )
    finally:
        receiver.close()
    assert token.account is not None and token.account.username == NO_ROLES_UPN


def test_the_hint_is_compared_without_case(sandbox: Sandbox, client: AuthClient) -> None:
    state = secrets.token_urlsafe(16)
    receiver = LoopbackReceiver(state)
    try:
        pending = client.begin_sign_in(receiver.redirect_uri, state, login_hint=READER_UPN.upper())
        token = client.finish_sign_in(
            pending, deliver(receiver, response_as(sandbox, pending, READER_UPN))
        )
    finally:
        receiver.close()
    assert token.account is not None and token.account.username == READER_UPN
