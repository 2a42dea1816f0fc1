"""A sign-in broker that is there and never answers, and one whose answer msal's adaptor
cannot read, with real msal and pymsalruntime. Found by attack: both were a dead end. A broker
owning its D-Bus name and answering Ping, but no sign-in call, held ``sign_in_with_broker``
(and, in the window, the auth thread every msal call waits on) for ever; an AttributeError,
KeyError or TypeError out of acquire_token_interactive was no BrokerFailed, so nothing fell
back to the browser. Now the broker is waited for as long as the browser is (auth/broker.py
answer_within) and any failure of the call is the browser's turn.

The unanswering broker is real D-Bus: a private dbus-daemon, tests/support/unanswering_broker.py
on it, and the sign-in in a child process whose pymsalruntime starts on that bus (this process's
started on the conftest's bus that does not exist)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.auth.errors import BrokerFailed
from desktop_app.sandbox import Sandbox, directory
from tests.conftest import REPO
from tests.integration.auth.test_broker import (  # noqa: F401 - fixtures
    BrokerStandIn,
    _pymsalruntime_installed,
    broker_answers,
    client_for,
)
from tests.support.keyring import BUS_CONFIG
from tests.support.sandbox_helpers import browser_sign_in
from tests.support.xvfb import require


@pytest.mark.parametrize(
    "raised", [AttributeError("'NoneType' has no 'get'"), KeyError("id_token"), TypeError("x")]
)
def test_an_answer_msal_cannot_read_hands_over_to_the_browser(
    sandbox: Sandbox,
    tmp_path: Path,
    standin_browser,  # type: ignore[no-untyped-def]
    broker_answers: BrokerStandIn,  # noqa: F811
    raised: Exception,
) -> None:
    standin_browser(sandbox.info.ca_file, directory.READER_UPN)
    client = client_for(sandbox, tmp_path)
    client.open()
    broker_answers.answers.append(raised)
    with pytest.raises(BrokerFailed) as failed:
        client.sign_in_with_broker(None)
    assert failed.value.details["broker"] == raised.__class__.__name__
    assert not client.uses_broker
    token = browser_sign_in(client)
    assert token.account is not None and token.account.username == directory.READER_UPN


@pytest.fixture
def unanswering_broker(tmp_path: Path) -> Iterator[str]:
    """A private session bus with a broker on it that answers nothing; its address."""
    dbus_daemon = require("dbus-daemon", "the unanswering broker's private session bus")
    config = tmp_path / "bus.conf"
    config.write_text(BUS_CONFIG.format(socket=tmp_path / "bus"))
    bus = subprocess.Popen(
        [dbus_daemon, f"--config-file={config}", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    service: subprocess.Popen[str] | None = None
    try:
        assert bus.stdout is not None
        address = bus.stdout.readline().decode().strip()
        assert address.startswith("unix:"), address
        service = subprocess.Popen(
            [sys.executable, "-m", "tests.support.unanswering_broker", address],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert service.stdout is not None
        assert service.stdout.readline().strip() == "ready"
        yield address
    finally:
        for process in (service, bus):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(10)
            if process is not None and process.stdout is not None:
                process.stdout.close()


CHILD = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from desktop_app.auth.client import AuthClient, AuthSettings
    from desktop_app.auth.errors import BrokerFailed
    from desktop_app.core import net

    info = json.loads(Path(sys.argv[1]).read_text())
    settings = AuthSettings(
        info["client_id"], info["authority"], ("User.Read",), Path(sys.argv[2]),
        instance_discovery=False, broker="auto",
    )
    client = AuthClient(settings, net.make_session(info["ca_file"], proxy=None))
    client.broker_answer_s = float(sys.argv[3])
    client.open()
    out = {"uses_broker": client.uses_broker, "path": client.sign_in_path.summary}
    started = time.monotonic()
    try:
        client.sign_in_with_broker(None, prompt="select_account")
        out["outcome"] = "signed in"
    except BrokerFailed as exc:
        out["outcome"] = exc.message
    out["waited_s"] = round(time.monotonic() - started, 1)
    out["after"] = client.sign_in_path.summary
    from desktop_app.auth import broker
    out["msal_broker_after"] = broker.msal_uses_broker(client.app)  # a sign-out would wait on it
    out["accounts"] = len(client.accounts())  # an msal call: nothing is held behind the broker
    print(json.dumps(out), flush=True)
    """
)


def test_a_broker_that_never_answers_is_given_up_on(
    sandbox: Sandbox, tmp_path: Path, unanswering_broker: str
) -> None:
    info = tmp_path / "sandbox.json"
    info.write_text(json.dumps(sandbox.info.as_json()))
    env = dict(os.environ) | {"DBUS_SESSION_BUS_ADDRESS": unanswering_broker}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(info), str(tmp_path / "profile"), "3"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        # and it ends: pymsalruntime's shutdown at exit waited for the unanswered call
        timeout=60,
        check=False,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    out = json.loads(child.stdout.strip().splitlines()[-1])
    # pymsalruntime started: the broker answered Ping, so msal kept it on
    assert out["uses_broker"] is True, out
    assert out["path"] == "Sign-in: Microsoft identity broker for Linux"
    assert out["outcome"] == (
        "The sign-in broker could not sign you in (it did not answer within 3 seconds)."
    )
    assert 3 <= out["waited_s"] < 15, out
    assert out["after"].startswith("Sign-in: system browser (the sign-in broker is not available")
    assert out["accounts"] == 0
    assert out["msal_broker_after"] is False


# the calls msal makes without asking the person, with the broker on (msal/application.py):
# acquire_token_silent* for an account the broker signed in (account_source "broker", or none)
# goes to broker._acquire_token_silently, remove_account for any account to
# broker._signout_silently. Both first ask pymsalruntime for the account (read_account_by_id),
# and that, measured here, answers at once without the broker for an account the broker did not
# sign in: msal then refreshes at the identity provider and forgets the account itself. That an
# account the broker did sign in is sat on cannot be reached here (it needs a broker that signs
# in): tests/unit/auth/test_broker_silent.py, with a stand-in for msal's broker module.
SILENT_CHILD = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from desktop_app.auth import broker
    from desktop_app.auth.client import AuthClient, AuthSettings
    from desktop_app.core import net
    from tests.support.sandbox_helpers import browser_sign_in

    info = json.loads(Path(sys.argv[1]).read_text())
    settings = AuthSettings(
        info["client_id"], info["authority"], ("User.Read",), Path(sys.argv[2]),
        instance_discovery=False, broker="auto",
    )
    notices = []
    client = AuthClient(settings, net.make_session(info["ca_file"], proxy=None), notices.append)
    client.broker_silent_s = float(sys.argv[3])
    client.open()
    out = {"uses_broker": client.uses_broker}
    token = browser_sign_in(client)  # msal's browser sign-in never asks the broker
    account = token.account
    # as msal keeps an account the broker signed in: its refresh is the broker's
    cache = client.token_cache
    for entry in list(cache.search(cache.CredentialType.ACCOUNT)):
        cache.modify(cache.CredentialType.ACCOUNT, entry, {"account_source": "broker"})
    started = time.monotonic()
    out["refreshed"] = client.silent(account, force_refresh=True).account.username
    out["refresh_s"] = round(time.monotonic() - started, 1)
    started = time.monotonic()
    client.sign_out(account)
    out["sign_out_s"] = round(time.monotonic() - started, 1)
    out["accounts"] = len(client.accounts())
    out["tokens_left"] = sum(
        len(list(cache.search(kind)))
        for kind in (cache.CredentialType.REFRESH_TOKEN, cache.CredentialType.ACCESS_TOKEN)
    )
    out["notices"] = [n.message for n in notices]
    out["after"] = client.sign_in_path.summary
    out["msal_broker_after"] = broker.msal_uses_broker(client.app)
    print(json.dumps(out), flush=True)
    """
)


def run_child(script: str, args: list[str], bus: str) -> dict[str, object]:
    env = dict(os.environ) | {"DBUS_SESSION_BUS_ADDRESS": bus}
    child = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        # and it ends: pymsalruntime's shutdown at exit would wait for an unanswered call
        timeout=90,
        check=False,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    out: dict[str, object] = json.loads(child.stdout.strip().splitlines()[-1])
    return out


def test_a_refresh_and_a_sign_out_the_broker_has_no_part_in_wait_on_nothing(
    sandbox: Sandbox,
    tmp_path: Path,
    unanswering_broker: str,
    standin_browser,  # type: ignore[no-untyped-def]
) -> None:
    """With the broker on and sitting on every call, a browser account's refresh (routed to
    the broker by msal) and its sign-out finish at once, and the broker stays on: the bound
    gives up on no broker that was not asked."""
    standin_browser(sandbox.info.ca_file, directory.READER_UPN)
    info = tmp_path / "sandbox.json"
    info.write_text(json.dumps(sandbox.info.as_json()))
    out = run_child(SILENT_CHILD, [str(info), str(tmp_path / "profile"), "5"], unanswering_broker)
    assert out["uses_broker"] is True, out
    assert out["refreshed"] == directory.READER_UPN
    assert float(out["refresh_s"]) < 5 and float(out["sign_out_s"]) < 5, out  # type: ignore[arg-type]
    assert out["accounts"] == 0 and out["tokens_left"] == 0, out
    assert out["notices"] == []
    assert out["after"] == "Sign-in: Microsoft identity broker for Linux"
    assert out["msal_broker_after"] is True


PROBE_CHILD = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from desktop_app.auth import broker
    broker.START_S = float(sys.argv[1])
    started = time.monotonic()
    path = broker.choose("auto")
    print(json.dumps({"path": path.summary, "waited_s": round(time.monotonic() - started, 1)}))
    """
)


def test_a_session_bus_that_never_answers_does_not_hold_the_start(tmp_path: Path) -> None:
    """pymsalruntime's start-up (msal.broker's import, the probe) on a bus that takes the
    connection and says nothing never ended; the probe gives up, and the process still ends."""
    socket_path = tmp_path / "bus"
    bus = subprocess.Popen(
        [sys.executable, "-m", "tests.support.silent_bus", str(socket_path)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert bus.stdout is not None and bus.stdout.readline().strip() == "ready"
        out = run_child(PROBE_CHILD, ["3"], f"unix:path={socket_path}")
    finally:
        bus.kill()
        bus.wait(10)
        if bus.stdout is not None:
            bus.stdout.close()
    assert out["path"] == (
        "Sign-in: system browser (the sign-in broker is not available: pymsalruntime did not "
        "start within 3 seconds: the broker did not answer)"
    )
    assert 3 <= float(out["waited_s"]) < 15, out  # type: ignore[arg-type]
