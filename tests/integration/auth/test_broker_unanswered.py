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
