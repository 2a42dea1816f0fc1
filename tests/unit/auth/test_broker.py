"""The OS sign-in broker's pure logic (auth/broker.py): which broker and which msal flag on each
OS, the redirect URIs Microsoft documents, the setting's effect, what a failed probe says. The
platform is a stand-in here; tests/integration/auth/test_broker.py runs real msal and
pymsalruntime on this Linux machine, where no broker is running."""

from __future__ import annotations

import builtins
import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

from desktop_app.auth import broker
from desktop_app.auth.broker import LINUX, MACOS, WINDOWS, WSL, SignInPath

CLIENT = "0c5f8f1a-7e21-4c8e-b3a4-6c1d9e2f7a10"
MSAL_DIR = Path(importlib.util.find_spec("msal").origin or "").parent  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("os_name", "machine", "wsl", "expected", "flag"),
    [
        ("win32", "AMD64", False, WINDOWS, "enable_broker_on_windows"),
        ("win32", "ARM64", False, WINDOWS, "enable_broker_on_windows"),
        ("darwin", "arm64", False, MACOS, "enable_broker_on_mac"),
        ("linux", "x86_64", False, LINUX, "enable_broker_on_linux"),
        ("linux", "x86_64", True, WSL, "enable_broker_on_linux"),
    ],
)
def test_each_os_has_its_broker_and_msal_flag(
    os_name: str, machine: str, wsl: bool, expected: broker.Broker, flag: str
) -> None:
    found = broker.broker_for(os_name, machine, wsl)
    assert found is expected
    path = broker.choose("auto", os_name=os_name, machine=machine, wsl=wsl, probe=lambda: "")
    assert path.broker is expected
    assert path.msal_options() == {flag: True}  # that flag, and no other OS's
    assert path.summary == f"Sign-in: {expected.name}"


@pytest.mark.parametrize(
    ("os_name", "machine", "why"),
    [
        ("darwin", "x86_64", "Apple Silicon"),  # msal turns the macOS broker off on Intel
        ("freebsd14", "amd64", "no sign-in broker"),
        ("cygwin", "x86_64", "no sign-in broker"),
    ],
)
def test_an_os_without_a_broker_msal_can_use_signs_in_in_the_browser(
    os_name: str, machine: str, why: str
) -> None:
    probed: list[bool] = []
    path = broker.choose(
        "auto", os_name=os_name, machine=machine, wsl=False, probe=lambda: str(probed.append(True))
    )
    assert path.broker is None and path.requested
    assert why in path.unavailable
    assert path.msal_options() == {}
    assert not probed  # pymsalruntime is not even loaded
    assert path.summary.startswith("Sign-in: system browser (the sign-in broker is not available")


def test_off_never_probes_nor_asks_msal_for_a_broker() -> None:
    path = broker.choose("off", os_name="win32", probe=lambda: pytest.fail("probed"))
    assert path == SignInPath()
    assert not path.requested and path.msal_options() == {}
    assert path.summary == "Sign-in: system browser"


def test_a_failed_probe_is_the_reason_the_browser_is_used() -> None:
    path = broker.choose(
        "auto", os_name="linux", machine="x86_64", wsl=False, probe=lambda: "no broker answered"
    )
    assert path.broker is None and path.requested
    assert path.unavailable == "no broker answered"
    assert path.msal_options() == {}


def test_the_redirect_uris_are_the_ones_microsoft_documents() -> None:
    """learn.microsoft.com/entra/msal/python/advanced/{wam,macos-broker,linux-broker-py,
    linux-broker-py-wsl}, and msal's own table in PublicClientApplication.__init__."""
    assert WINDOWS.redirect_uri(CLIENT) == f"ms-appx-web://Microsoft.AAD.BrokerPlugin/{CLIENT}"
    assert WSL.redirect_uri(CLIENT) == f"ms-appx-web://Microsoft.AAD.BrokerPlugin/{CLIENT}"
    assert MACOS.redirect_uri(CLIENT) == "msauth.com.msauth.unsignedapp://auth"
    assert LINUX.redirect_uri(CLIENT) == (
        "https://login.microsoftonline.com/common/oauth2/nativeclient"
    )
    for each in broker.ALL:
        assert each.doc.startswith("https://learn.microsoft.com/entra/msal/python/advanced/")


def test_the_redirect_uris_agree_with_the_installed_msal() -> None:
    """msal sends these itself (msal/broker.py) and names them when the registration lacks one
    (RedirectUriError); read from its source, which imports pymsalruntime when loaded."""
    source = (MSAL_DIR / "broker.py").read_text(encoding="utf-8")
    assert f'_default_redirect_uri_on_mac = "{MACOS.redirect_uri_template}"' in source
    assert f'_default_redirect_uri = "{LINUX.redirect_uri_template}"' in source
    assert WINDOWS.redirect_uri_template.format(client_id="{}") in source
    application = (MSAL_DIR / "application.py").read_text(encoding="utf-8")
    for each in (WINDOWS, MACOS, LINUX):
        assert f"| {each.msal_flag} " in application  # its opt-in table names the flag


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (
            ImportError('You must install dependency by: pip install "msal[broker]>=1.33,<2"'),
            "its support is not installed (install Lanyard with its 'broker' extra",
        ),
        (
            OSError(
                "libwebkit2gtk-4.1.so.0: cannot open shared object file: No such file or directory"
            ),
            "pymsalruntime could not load libwebkit2gtk-4.1.so.0 (on Linux: install "
            "libwebkit2gtk-4.1-0)",
        ),
        (
            RuntimeError(
                "ErrorTag: 507897694, ErrorCode: 0, ErrorContext: Broker cannot be initialized "
                "for MSALRuntime, ErrorStatus: Response_Status.Status_ApiContractViolation"
            ),
            "no broker answered on this computer: Broker cannot be initialized for MSALRuntime "
            "(Status_ApiContractViolation)",
        ),
    ],
)
def test_the_probe_says_which_failure_it_was(
    monkeypatch: pytest.MonkeyPatch, raised: Exception, expected: str
) -> None:
    """What importing msal.broker raises, as measured here (pymsalruntime 0.20.7: no package;
    no WebKitGTK; no broker on D-Bus), in words a person can act on."""
    real_import = builtins.__import__

    def failing(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "msal.broker":
            raise raised
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "msal.broker", raising=False)
    monkeypatch.setattr(builtins, "__import__", failing)
    assert broker.probe().startswith(expected)


def test_the_window_handle_goes_to_the_broker_where_it_can_use_one() -> None:
    console = object()
    assert broker.window_handle(WINDOWS, 0x1234, console) == 0x1234
    assert broker.window_handle(MACOS, 0x5678, console) == 0x5678
    assert broker.window_handle(WINDOWS, None, console) is console  # a terminal command
    assert broker.window_handle(LINUX, 0x1234, console) is console  # X11 id or Wayland: none
    assert broker.window_handle(WSL, 0x1234, console) is console


def test_msal_keeping_the_broker_on_is_read_from_the_app() -> None:
    class App:
        _enable_broker = False

    assert not broker.msal_uses_broker(App())
    App._enable_broker = True
    assert broker.msal_uses_broker(App())
    assert broker.msal_uses_broker(object())  # an msal without the attribute: taken at its word


def test_a_path_that_loses_its_broker_says_why() -> None:
    path = SignInPath(WINDOWS, requested=True).without_broker("it crashed")
    assert path.broker is None and path.requested and path.unavailable == "it crashed"
    assert path.label == "system browser"


def test_a_broker_call_that_failed_leaves_the_path_without_the_broker() -> None:
    """What the window follows (session/controller.py _follow_broker): a refresh or sign-out
    the broker did not answer carries its reason in ``broker``; anything else changes nothing."""
    on = broker.SignInPath(broker.LINUX, requested=True)
    after = on.after({"broker": "it did not answer within 30 seconds"})
    assert after.broker is None and after.requested
    assert after.unavailable == "it did not answer within 30 seconds"
    assert after.summary == (
        "Sign-in: system browser (the sign-in broker is not available: "
        "it did not answer within 30 seconds)"
    )
    assert on.after({"status": "500"}) is on
    assert on.after({"broker": ""}) is on
    off = broker.SignInPath(requested=True, unavailable="no broker answered")
    assert off.after({"broker": "another reason"}) is off  # the first reason stays
