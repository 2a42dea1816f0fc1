"""The OS sign-in broker (msal's broker support, pymsalruntime): which broker this computer has,
the redirect URI its app registration needs, and whether it works here. No Qt.

msal's broker module is imported only when the ``broker`` setting asks for it (``probe``): it
loads pymsalruntime, which on Linux loads WebKitGTK and asks D-Bus for the identity broker. What
msal does on a failure differs by kind (checked against msal 1.39.0, pymsalruntime 0.20.7):
pymsalruntime missing raises ImportError from PublicClientApplication; a library it needs missing
(libwebkit2gtk-4.1) raises OSError from it; no broker running raises RuntimeError at import,
which msal swallows, turning the broker off with only a log line. Lanyard probes first, so it can
say which of these it was, and signs in through the system browser instead.

The redirect URIs are Microsoft's, per OS:
- Windows (WAM): https://learn.microsoft.com/entra/msal/python/advanced/wam
- macOS (Enterprise SSO plug-in, Company Portal):
  https://learn.microsoft.com/entra/msal/python/advanced/macos-broker
- Linux (Microsoft identity broker): https://learn.microsoft.com/entra/msal/python/advanced/linux-broker-py
- WSL (WAM on the Windows host): https://learn.microsoft.com/entra/msal/python/advanced/linux-broker-py-wsl
and msal's own table in PublicClientApplication.__init__'s docstring says the same.
"""

from __future__ import annotations

import atexit
import logging
import platform
import re
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from desktop_app.core.i18n import N_, _, ngettext, number

log = logging.getLogger(__name__)

OFF, AUTO = "off", "auto"  # the setting's values (config.BROKER_CHOICES)
INSTALL_HINT = N_("install Lanyard with its 'broker' extra (pip install \"lanyard[broker]\")")


@dataclass(frozen=True)
class Broker:
    name: str  # what the window calls it
    msal_flag: str  # PublicClientApplication's enable_broker_on_* keyword
    redirect_uri_template: str  # {client_id} is the app registration's
    doc: str  # Microsoft's page for it

    def redirect_uri(self, client_id: str) -> str:
        return self.redirect_uri_template.format(client_id=client_id)


WINDOWS = Broker(
    N_("Windows sign-in broker (WAM)"),
    "enable_broker_on_windows",
    "ms-appx-web://Microsoft.AAD.BrokerPlugin/{client_id}",
    "https://learn.microsoft.com/entra/msal/python/advanced/wam",
)
MACOS = Broker(
    N_("macOS Enterprise SSO plug-in (Company Portal)"),
    "enable_broker_on_mac",
    # for an unsigned app or a script (msal.broker._default_redirect_uri_on_mac): Lanyard's
    # bundle is not the one Company Portal would know by its bundle id
    "msauth.com.msauth.unsignedapp://auth",
    "https://learn.microsoft.com/entra/msal/python/advanced/macos-broker",
)
LINUX = Broker(
    N_("Microsoft identity broker for Linux"),
    "enable_broker_on_linux",
    "https://login.microsoftonline.com/common/oauth2/nativeclient",
    "https://learn.microsoft.com/entra/msal/python/advanced/linux-broker-py",
)
WSL = Broker(
    N_("Windows sign-in broker (WAM), from WSL"),
    "enable_broker_on_linux",  # msal: "effective if your app is running on Linux, including WSL"
    "ms-appx-web://Microsoft.AAD.BrokerPlugin/{client_id}",
    "https://learn.microsoft.com/entra/msal/python/advanced/linux-broker-py-wsl",
)
ALL = (WINDOWS, MACOS, LINUX, WSL)


def is_wsl() -> bool:
    """As msal decides it (oauth2cli/authcode.py): a Linux kernel whose release names Microsoft."""
    uname = platform.uname()
    return uname.system.lower() == "linux" and "microsoft" in uname.release.lower()


def broker_for(os_name: str, machine: str, wsl: bool) -> Broker | None:
    """The broker msal would use on ``os_name`` (a sys.platform value); None where it has none.
    macOS: Apple Silicon only (msal turns it off on Intel and under Rosetta)."""
    if os_name == "win32":
        return WINDOWS
    if os_name == "darwin":
        return MACOS if machine == "arm64" else None
    if os_name == "linux":
        return WSL if wsl else LINUX
    return None


def no_broker_reason(os_name: str) -> str:
    if os_name == "darwin":
        return _("msal uses the macOS broker on Apple Silicon Macs only")
    return _("this operating system has no sign-in broker msal can use")


@dataclass(frozen=True)
class SignInPath:
    """Which way an interactive sign-in goes: through ``broker``, or the system browser (None),
    and why not the broker when the setting asked for it."""

    broker: Broker | None = None
    requested: bool = False  # the broker setting is "auto"
    unavailable: str = ""  # why the browser is used although the broker was asked for

    @property
    def label(self) -> str:
        return _(self.broker.name) if self.broker is not None else _("system browser")

    @property
    def summary(self) -> str:
        """One line for the status bar and the About box."""
        if self.broker is not None or not self.unavailable:
            return _("Sign-in: {label}").format(label=self.label)
        return _(
            "Sign-in: system browser (the sign-in broker is not available: {unavailable})"
        ).format(unavailable=self.unavailable)

    def without_broker(self, why: str) -> SignInPath:
        return replace(self, broker=None, unavailable=why)

    def after(self, failure_details: Mapping[str, object]) -> SignInPath:
        """This path after a failure or notice: without the broker when a broker call failed
        (its errors carry ``broker``, the reason; the client has turned it off), else as is."""
        why = failure_details.get("broker")
        if self.broker is None or not why:
            return self
        return self.without_broker(str(why))

    def msal_options(self) -> dict[str, bool]:
        """PublicClientApplication's keyword for this path's broker (none for the browser)."""
        return {self.broker.msal_flag: True} if self.broker is not None else {}


def _runtime_context(exc: BaseException) -> str:
    """pymsalruntime's "ErrorTag: …, ErrorContext: Broker cannot be initialized …, ErrorStatus:
    …" as its context and status, the part a person can act on."""
    text = str(exc)
    context = re.search(r"ErrorContext:\s*([^,]+)", text)
    status = re.search(r"ErrorStatus:\s*(?:Response_Status\.)?(\S+)", text)
    if context:
        return context.group(1).strip() + (f" ({status.group(1)})" if status else "")
    return text[:200] or exc.__class__.__name__


def _load_msal_broker() -> None:
    import msal.broker  # noqa: F401 - the import is the probe


def probe() -> str:
    """ "" when msal's broker module loads here (pymsalruntime imported and started), else why
    not, in words. Imports pymsalruntime: only when the broker is asked for. Its start-up is
    waited for START_S at most: on Linux it asks D-Bus, and a session bus that takes the
    connection and never answers held it for good (measured: no end in 90 s); msal is then
    built without the broker, so nothing waits on the import left behind."""
    try:
        answer_within(START_S, _load_msal_broker)
    except NoAnswer:
        return _("pymsalruntime did not start within {duration}: the broker did not answer").format(
            duration=duration(START_S)
        )
    except ImportError:
        return _("its support is not installed ({hint})").format(hint=_(INSTALL_HINT))
    except OSError as exc:  # ctypes.CDLL of libmsalruntime.so: a system library it needs
        missing = str(exc).split(":", 1)[0]
        return _(
            "pymsalruntime could not load {missing} (on Linux: install libwebkit2gtk-4.1-0)"
        ).format(missing=missing)
    except RuntimeError as exc:  # _startup_msalruntime: no broker answered
        return _("no broker answered on this computer: {runtime_context}").format(
            runtime_context=_runtime_context(exc)
        )
    except Exception as exc:  # a broken native install: SystemError, ValueError, ...
        log.info("pymsalruntime failed to start", exc_info=True)
        return _("pymsalruntime failed to start ({error})").format(error=exc.__class__.__name__)
    return ""


# as long as a sign-in in the browser is waited for (session/sign_in.py BROWSER_TIMEOUT_S)
ANSWER_S = 300.0
# a call the broker answers without asking the person (a refresh, a sign-out) and
# pymsalruntime's start-up: as long as one whole network response (core/net.py
# DEFAULT_DEADLINE_S; not imported here, it brings requests)
SILENT_S = 30.0
START_S = SILENT_S
T = TypeVar("T")


def _no_runtime_shutdown() -> None:
    """pymsalruntime shuts itself down at exit (an atexit handler), and that waits for the
    call it never answered: the process would never end (measured: `lanyard login` signed in
    through the browser, then hung). With a call left unanswered, the process ends without it;
    the OS frees what the runtime held."""
    native = sys.modules.get("pymsalruntime.pymsalruntime")
    shutdown = getattr(native, "_shutdown_msalruntime", None)
    if shutdown is not None:
        atexit.unregister(shutdown)
        log.info("pymsalruntime will not be shut down at exit: a call is still unanswered")


def duration(seconds: float) -> str:
    if seconds >= 60:
        n = seconds / 60
        return ngettext("{n} minute", "{n} minutes", round(n)).format(
            n=number(n, 0 if n == int(n) else 1)
        )
    return ngettext("{n} second", "{n} seconds", round(seconds)).format(
        n=number(seconds, 0 if seconds == int(seconds) else 1)
    )


class NoAnswer(Exception):
    """The broker did not answer in time; ``str()`` says so, in words."""


def answer_within(seconds: float, call: Callable[[], T]) -> T:
    """``call()``'s result or exception, waited for ``seconds`` at most. msal waits for
    pymsalruntime's answer without a bound (a threading.Event, msal/broker.py), and a broker
    that takes the call and never answers would hold the sign-in, and every msal call queued
    behind it, for good: after ``seconds`` NoAnswer is raised and the call is left on its own
    daemon thread (pymsalruntime cannot be interrupted; a late answer only fills the cache)."""
    done = threading.Event()
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append((True, call()))
        except BaseException as exc:  # noqa: BLE001 (handed to the waiting thread as it is)
            outcome.append((False, exc))
        finally:
            done.set()

    threading.Thread(target=run, name="lanyard-broker-call", daemon=True).start()
    if not done.wait(seconds):
        _no_runtime_shutdown()
        raise NoAnswer(_("it did not answer within {duration}").format(duration=duration(seconds)))
    ok, value = outcome[0]
    if ok:
        return value  # type: ignore[no-any-return]
    raise value


def choose(
    setting: str,
    *,
    os_name: str | None = None,
    machine: str | None = None,
    wsl: bool | None = None,
    probe: Callable[[], str] = probe,
) -> SignInPath:
    """The sign-in path for the ``broker`` setting on this computer (the keywords stand in
    for what it is: sys.platform, platform.machine(), is_wsl(), the probe)."""
    if setting != AUTO:
        return SignInPath()
    os_name = sys.platform if os_name is None else os_name
    broker = broker_for(
        os_name,
        platform.machine() if machine is None else machine,
        is_wsl() if wsl is None else wsl,
    )
    if broker is None:
        return SignInPath(requested=True, unavailable=no_broker_reason(os_name))
    why = probe()
    if why:
        log.info("Sign-in broker not used: %s", why)
        return SignInPath(requested=True, unavailable=why)
    return SignInPath(broker, requested=True)


def msal_uses_broker(app: Any) -> bool:
    """Whether msal kept the broker on after building ``app``: it turns it off by itself for
    AD FS and Azure AD B2C authorities, and when pymsalruntime fails to start
    (ClientApplication._decide_broker). A private attribute, the only place msal says so; an
    msal without it is taken at its word (True)."""
    return bool(getattr(app, "_enable_broker", True))


def window_handle(broker: Broker, window_id: int | None, console_handle: object) -> object:
    """``parent_window_handle`` for acquire_token_interactive: the window's own handle on
    Windows and macOS (the broker's dialog opens over it), msal's console placeholder for a
    terminal command and on Linux (the identity broker shows its own window; Microsoft's Linux
    page passes the placeholder, and a Wayland window has no handle to give)."""
    if window_id is None or broker in (LINUX, WSL):
        return console_handle
    return window_id
