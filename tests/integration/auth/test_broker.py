"""The sign-in broker's wiring and fallback (issue 21 part 2) with real msal and the real
pymsalruntime installed (msal[broker], in the test extra) on this Linux machine, where no
Microsoft identity broker runs (tests/conftest.py points D-Bus at a bus that does not exist):
the setting asks msal for the broker, the probe finds none and says why, and the sign-in goes
through the system browser (the stand-in browser) against the sandbox.

Where a broker must answer, there is none here: a broker that fails at sign-in is msal's own
error answer (as msal/broker.py _convert_error builds it) returned by acquire_token_interactive;
what happens next, the browser sign-in, is real."""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

import msal
import pytest

from desktop_app.auth import broker
from desktop_app.auth.client import AuthClient, AuthSettings
from desktop_app.auth.errors import BrokerFailed
from desktop_app.core import net
from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.headless import EXIT_OK
from desktop_app.sandbox import Sandbox, directory
from tests.conftest import STANDIN_BROWSER, in_ci
from tests.integration.test_headless import lanyard
from tests.support.sandbox_helpers import browser_sign_in

NO_BROKER = "no broker answered on this computer: Broker cannot be initialized for MSALRuntime"


@pytest.fixture(autouse=True)
def _pymsalruntime_installed() -> None:
    if importlib.util.find_spec("pymsalruntime") is None:
        message = "pymsalruntime is not installed (the test extra brings msal[broker])"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)


def client_for(
    sandbox: Sandbox,
    profile: Path,
    setting: str = "auto",
    notices: list[LanyardError] | None = None,
) -> AuthClient:
    info = sandbox.info
    settings = AuthSettings(
        info.client_id,
        info.authority,
        ("User.Read",),
        profile,
        instance_discovery=False,
        broker=setting,
    )
    on_notice = notices.append if notices is not None else None
    return AuthClient(settings, net.make_session(info.ca_file, proxy=None), on_notice)


def test_pymsalruntime_loads_here_and_finds_no_broker() -> None:
    """What a Linux desktop without the Microsoft identity broker sees: pymsalruntime imports
    (WebKitGTK is installed: scripts/test.sh) and its start-up finds no broker."""
    assert broker.probe().startswith(NO_BROKER)
    assert broker.probe().startswith(NO_BROKER)  # and again: a second look is no different


def test_auto_without_a_broker_signs_in_through_the_browser(
    sandbox: Sandbox, tmp_path: Path, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    notices: list[LanyardError] = []
    client = client_for(sandbox, tmp_path, notices=notices)
    client.open()
    path = client.sign_in_path
    assert path.requested and path.broker is None
    assert path.unavailable.startswith(NO_BROKER)
    assert path.summary.startswith(
        f"Sign-in: system browser (the sign-in broker is not available: {NO_BROKER}"
    )
    assert not client.uses_broker
    assert not broker.msal_uses_broker(client.app)  # msal was never asked for it
    token = browser_sign_in(client)
    assert token.account is not None and token.account.username == directory.ADMIN_UPN
    assert [a.username for a in client.accounts()] == [directory.ADMIN_UPN]
    assert client.silent(token.account).access_token == token.access_token
    assert notices == []  # the sign-in says it (headless_login, the window), not the cache


def test_off_asks_msal_for_no_broker(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(broker, "probe", lambda: pytest.fail("probed with the broker off"))
    client = client_for(sandbox, tmp_path, "off")
    client.open()
    assert client.sign_in_path == broker.SignInPath()


@pytest.fixture
def msal_options(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The keywords Lanyard builds msal's PublicClientApplication with."""
    seen: dict[str, Any] = {}
    real = msal.PublicClientApplication

    class Recording(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            seen.clear()
            seen.update(kwargs)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(msal, "PublicClientApplication", Recording)
    return seen


@pytest.mark.parametrize(
    ("os_name", "machine", "flag"),
    [
        ("win32", "AMD64", "enable_broker_on_windows"),
        ("darwin", "arm64", "enable_broker_on_mac"),
        ("linux", "x86_64", "enable_broker_on_linux"),
    ],
)
def test_the_client_asks_msal_for_this_os_broker(
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    msal_options: dict[str, Any],
    os_name: str,
    machine: str,
    flag: str,
) -> None:
    """Each OS's flag reaches msal, and no other's. (The OS is a stand-in: msal, which reads
    the real sys.platform, then keeps the broker off, and Lanyard sees that.)"""
    stand_in = functools.partial(
        broker.choose, os_name=os_name, machine=machine, wsl=False, probe=lambda: ""
    )
    monkeypatch.setattr(broker, "choose", stand_in)
    client = client_for(sandbox, tmp_path)
    client.open()
    flags = {key: value for key, value in msal_options.items() if key.startswith("enable_broker")}
    assert flags == {flag: True}
    assert client.sign_in_path.broker is None
    assert client.sign_in_path.unavailable.startswith("msal turned it off")


def test_msal_turning_the_broker_off_by_itself_is_seen(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, msal_options: dict[str, Any]
) -> None:
    """Had the probe passed, msal would still find no broker here: its own start of
    pymsalruntime raises RuntimeError, which msal swallows (a log line); Lanyard reads msal's
    decision and uses the browser, saying so."""
    monkeypatch.setattr(broker, "choose", functools.partial(broker.choose, probe=lambda: ""))
    client = client_for(sandbox, tmp_path)
    client.open()
    assert msal_options["enable_broker_on_linux"] is True
    assert not broker.msal_uses_broker(client.app)
    assert client.sign_in_path.broker is None and client.sign_in_path.requested
    assert "pymsalruntime did not start" in client.sign_in_path.unavailable


class BrokerStandIn:
    """What the broker answers (in order) and what Lanyard passed to it."""

    def __init__(self) -> None:
        self.answers: list[Any] = []
        self.calls: list[dict[str, Any]] = []


@pytest.fixture
def broker_answers(monkeypatch: pytest.MonkeyPatch) -> BrokerStandIn:
    """A broker that msal believes in (there is none here: the choice and msal's decision are
    stand-ins) and whose interactive sign-in answers what the test gives it."""
    stand_in = BrokerStandIn()
    monkeypatch.setattr(
        broker, "choose", lambda _setting: broker.SignInPath(broker.LINUX, requested=True)
    )
    monkeypatch.setattr(broker, "msal_uses_broker", lambda _app: True)

    def interactive(self: msal.PublicClientApplication, scopes: list[str], **kwargs: Any) -> Any:
        stand_in.calls.append({"scopes": scopes, **kwargs})
        answer = stand_in.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(msal.PublicClientApplication, "acquire_token_interactive", interactive)
    return stand_in


def broker_error(status: str, context: str) -> dict[str, Any]:
    """msal/broker.py _convert_error's answer for a pymsalruntime error."""
    return {
        "error": "broker_error",
        "error_description": f"{context}. Status: Response_Status.{status}, Error code: 0, "
        "Tag: 508568280",
        "_broker_status": f"Response_Status.{status}",
        "_broker_error_code": 0,
        "_broker_tag": 508568280,
    }


def test_a_broker_that_fails_at_sign_in_hands_over_to_the_browser(
    sandbox: Sandbox, tmp_path: Path, standin_browser, broker_answers: BrokerStandIn
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.READER_UPN)
    client = client_for(sandbox, tmp_path)
    client.open()
    assert client.uses_broker
    broker_answers.answers.append(
        broker_error("Status_RequiredBrokerMissing", "Broker is not installed")
    )
    with pytest.raises(BrokerFailed) as failed:
        client.sign_in_with_broker(None, prompt="select_account")
    assert failed.value.details["broker"] == "Broker is not installed"
    assert failed.value.message == (
        "The sign-in broker could not sign you in (Broker is not installed)."
    )
    assert "system browser" in failed.value.recommendation
    (call,) = broker_answers.calls
    assert call["parent_window_handle"] is msal.PublicClientApplication.CONSOLE_WINDOW_HANDLE
    assert call["prompt"] == "select_account" and call["scopes"] == ["User.Read"]
    # this session's sign-ins go to the browser now, and the browser signs in
    assert not client.uses_broker
    assert client.sign_in_path.unavailable == "Broker is not installed"
    token = browser_sign_in(client)
    assert token.account is not None and token.account.username == directory.READER_UPN


def test_a_missing_broker_redirect_uri_is_named(
    sandbox: Sandbox, tmp_path: Path, broker_answers: BrokerStandIn
) -> None:
    client = client_for(sandbox, tmp_path)
    client.open()

    class RedirectUriError(ValueError):  # msal.broker's, which cannot be imported here
        pass

    broker_answers.answers.append(RedirectUriError("MsalRuntime needs the current app to register"))
    with pytest.raises(BrokerFailed) as failed:
        client.sign_in_with_broker(0x2A)
    uri = "https://login.microsoftonline.com/common/oauth2/nativeclient"
    assert failed.value.details["redirect_uri"] == uri
    assert uri in failed.value.recommendation
    assert failed.value.kind is ErrorKind.CONFIG
    (call,) = broker_answers.calls
    # Linux: the identity broker shows its own window; msal's placeholder, not the X11 id
    assert call["parent_window_handle"] is msal.PublicClientApplication.CONSOLE_WINDOW_HANDLE


def test_cancelling_in_the_broker_window_is_a_cancel_not_a_fallback(
    sandbox: Sandbox, tmp_path: Path, broker_answers: BrokerStandIn
) -> None:
    client = client_for(sandbox, tmp_path)
    client.open()
    broker_answers.answers.append(
        broker_error("Status_UserCanceled", "User canceled the operation")
    )
    with pytest.raises(LanyardError) as cancelled:
        client.sign_in_with_broker(None)
    assert not isinstance(cancelled.value, BrokerFailed)
    assert cancelled.value.kind is ErrorKind.CANCELLED
    assert client.uses_broker  # the broker is still the way the next sign-in goes


def test_the_identity_providers_own_refusal_through_the_broker_is_reported_as_such(
    sandbox: Sandbox, tmp_path: Path, broker_answers: BrokerStandIn
) -> None:
    client = client_for(sandbox, tmp_path)
    client.open()
    broker_answers.answers.append(
        {"error": "invalid_client", "error_description": "AADSTS700016: no such app"}
    )
    with pytest.raises(LanyardError) as refused:
        client.sign_in_with_broker(None)
    assert not isinstance(refused.value, BrokerFailed)
    assert refused.value.kind is ErrorKind.CONFIG


def test_lanyard_login_with_the_broker_on_and_none_here_uses_the_browser_and_says_why(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    info = tmp_path / "sandbox.json"
    info.write_text(json.dumps(sandbox.info.as_json()))
    flags = ["--sandbox", "--sandbox-info", str(info), "--profile-dir", str(tmp_path / "me")]
    env = {
        **os.environ,
        "BROWSER": f"{sys.executable} {STANDIN_BROWSER} --detach",
        "STANDIN_CA": sandbox.info.ca_file,
        "STANDIN_USER": directory.READER_UPN,
        "STANDIN_LOG": str(tmp_path / "standin.log"),
        "LANYARD_BROKER": "auto",
    }
    result = lanyard("login", *flags, env=env)
    assert result.returncode == EXIT_OK, result.stderr
    assert result.stdout == f"Signed in as {directory.READER_UPN}.\n"
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"lanyard: The sign-in broker is not available ({NO_BROKER}"), lines
    assert lines[0].endswith("): signing in through the system browser.")
    assert lines[1] == "Opening your browser to sign in. If it does not open, go to:"
    # the flag says the same, and whoami then finds the account the browser signed in
    whoami = lanyard("whoami", "--broker", "auto", *flags, env=env)
    assert whoami.returncode == EXIT_OK, whoami.stderr
    assert directory.READER_UPN in whoami.stdout
