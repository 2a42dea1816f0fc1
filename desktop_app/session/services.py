"""Builds what the session needs from a Config: the auth client, the Graph client, the sandbox.

Qt-free and run on the auth worker thread: starting the sandbox makes keys, and the auth client
may make a discovery request.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse, urlsplit

from desktop_app.auth.client import AuthClient, AuthSettings
from desktop_app.core import demo, errors, net, paths
from desktop_app.core.config import CA_BUNDLE_LIMIT, Config, redact_url
from desktop_app.core.errors import LanyardError
from desktop_app.core.files import atomic_write, read_bounded
from desktop_app.core.i18n import _
from desktop_app.core.stores import StoreUnavailable
from desktop_app.graph.client import GraphClient
from desktop_app.session.last_profile import snapshot_store_for

if TYPE_CHECKING:
    from desktop_app.graph.api_call import ApiCaller
    from desktop_app.graph.snapshot import SnapshotStore
    from desktop_app.sandbox import Sandbox

log = logging.getLogger(__name__)
_CLOSE_LOCK = threading.Lock()


@dataclass(frozen=True)
class DemoApi:
    """The sandbox's Orders API: its base URL and the scope a token for it needs."""

    endpoint: str
    scope: str


@dataclass
class Services:
    config: Config
    auth: AuthClient
    graph: GraphClient
    sandbox: Sandbox | None = None
    throwaway_dir: Path | None = None
    sessions: tuple[net.TrustedSession, ...] = ()
    # "Call an API": a session of its own that retries no status, so a 429 or 500 is shown
    api_session: net.TrustedSession | None = None
    # the sandbox's second API (its Orders API), in process or described by --sandbox-info
    demo_api: DemoApi | None = None
    _closed: bool = field(default=False, init=False, repr=False)
    _api: ApiCaller | None = field(default=None, init=False, repr=False)

    @property
    def api(self) -> ApiCaller | None:
        """The API console's caller, built when first used: whoami and token never import
        graph/api_call.py."""
        if self._api is None and self.api_session is not None:
            from desktop_app.graph.api_call import ApiCaller

            self._api = ApiCaller(self.api_session)
        return self._api

    def open_snapshots(self) -> SnapshotStore | None:
        """The profile snapshot store, in the kind of store the token cache got (a keyring probe:
        on the auth thread). None when it cannot be opened: that costs the snapshot only."""
        settings = self.auth.settings
        try:
            return snapshot_store_for(settings.profile_dir, settings.allow_plaintext_cache)
        except (OSError, StoreUnavailable) as exc:
            log.warning("Profile snapshot store unavailable: %s", exc)
            return None

    def abort(self) -> None:
        """Fail every request in flight now (quitting): a hung server must not hold Quit."""
        for session in self.sessions:
            session.abort()

    def close(self) -> None:
        """Idempotent, and safe from two threads (Quit racing the bootstrap)."""
        with _CLOSE_LOCK:
            if self._closed:
                return
            self._closed = True
        for session in self.sessions:
            session.close()
        if self.sandbox is not None:
            self.sandbox.stop()
        if self.throwaway_dir is not None:
            shutil.rmtree(self.throwaway_dir, ignore_errors=True)


def start_sandbox(config: Config, explicit_profile: bool) -> tuple[Config, Sandbox]:
    """An in-process sandbox and the config that points at it.

    The sandbox's keys and the demo's cache are kept in the demo's home (core/demo.py: the
    profile directory when one is given, else its own folder), so the demo stays signed in
    across restarts as a real tenant does.
    """
    profile_dir = paths.ensure_private_dir(demo.demo_home(config, explicit_profile))
    state_dir = profile_dir / demo.SANDBOX_STATE_DIR
    sandbox = _start_on_remembered_port(state_dir)
    info = sandbox.info
    log.info("Sandbox identity provider at %s", info.authority)
    sandboxed = config.for_sandbox(
        authority=info.authority,
        client_id=info.client_id,
        graph_endpoint=info.graph_endpoint,
        ca_file=Path(info.ca_file),
        profile_dir=profile_dir / "profile",
    )
    return sandboxed, sandbox


SANDBOX_PORT_FILE = "https-port"
SANDBOX_BROWSER_PORT_FILE = "browser-port"


def _remembered(port_file: Path) -> int:
    try:
        port = int(read_bounded(port_file, 16).decode("ascii"))
    except (OSError, ValueError):
        return 0
    return port if 0 < port < 65536 else 0


def _remember(port_file: Path, port: int | None, was: int) -> None:
    if port and port != was:
        try:
            atomic_write(port_file, str(port).encode("ascii"), 0o600)  # a link: replaced
        except OSError as exc:
            log.info("Sandbox port not remembered: %s", exc.strerror)


def _start_on_remembered_port(state_dir: Path) -> Sandbox:
    """The sandbox on the ports it had last time when they are free: its authority URL and its
    sign-in pages' address stay the same, so msal's persisted HTTP cache answers the metadata
    request on a warm start (as it does for the real cloud) and what it says is still true.
    A port taken by now costs a new one; the auth client then finds the persisted discovery
    stale (the sign-in page refuses connections) and discovers again (auth/discovery_check.py)."""
    from desktop_app.sandbox import Sandbox

    port_file = state_dir / SANDBOX_PORT_FILE
    browser_file = state_dir / SANDBOX_BROWSER_PORT_FILE
    port, browser_port = _remembered(port_file), _remembered(browser_file)
    sandbox = None
    for https, browser in ((port, browser_port), (port, 0), (0, 0)):
        candidate = Sandbox(
            port=https, state_dir=state_dir, browser_http=True, browser_port=browser
        )
        try:
            candidate.start()
        except OSError:  # taken by now: the next choice
            candidate.stop()
            continue
        sandbox = candidate
        break
    if sandbox is None:  # (0, 0) failing means no port at all: say so as before
        sandbox = Sandbox(state_dir=state_dir, browser_http=True)
        sandbox.start()
    _remember(port_file, urlparse(sandbox.info.base_url).port, port)
    _remember(browser_file, urlparse(sandbox.info.browser_base_url).port, browser_port)
    return sandbox


SANDBOX_INFO_LIMIT = 64 << 10  # one JSON line


def running_sandbox(
    config: Config, info_file: Path, explicit_profile: bool
) -> tuple[Config, Path | None]:
    """The config for a sandbox already running in another process (``python -m
    desktop_app.sandbox`` printed ``info_file``'s JSON): as the real cloud is, outside Lanyard."""
    try:
        info = json.loads(read_bounded(info_file, SANDBOX_INFO_LIMIT).decode("utf-8"))
        authority, client_id = str(info["authority"]), str(info["client_id"])
        graph_endpoint, ca_file = str(info["graph_endpoint"]), Path(str(info["ca_file"]))
        for url in (authority, graph_endpoint):
            _require_loopback(url)
        # requests hands this path to OpenSSL as it is: a pipe there would hang every request
        read_bounded(ca_file, CA_BUNDLE_LIMIT)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise errors.no_sandbox_description(exc) from None
    throwaway = None if explicit_profile else Path(tempfile.mkdtemp(prefix="lanyard-sandbox-"))
    profile_dir = (throwaway or paths.ensure_private_dir(config.profile_dir)) / "profile"
    sandboxed = config.for_sandbox(
        authority=authority,
        client_id=client_id,
        graph_endpoint=graph_endpoint,
        ca_file=ca_file,
        profile_dir=profile_dir,
    )
    return sandboxed, throwaway


def _require_loopback(url: str) -> None:
    """A sandbox runs on this computer (``python -m desktop_app.sandbox`` listens on loopback
    only). A description naming another host would make --sandbox-info a way round every
    setting, and every lock of a managed policy: any authority, app registration, Graph and CA,
    and no proxy. Raises ValueError."""
    parsed = urlsplit(url)
    host = (parsed.hostname or "").rstrip(".").lower()
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parsed.scheme != "https" or not loopback:
        raise ValueError(_("'{url}' is not a sandbox on this computer").format(url=redact_url(url)))


def described_api(info_file: Path) -> DemoApi | None:
    """The Orders API a running sandbox's description names; None when it names none (an
    older sandbox) or cannot be read now (running_sandbox has said why already)."""
    try:
        info = json.loads(read_bounded(info_file, SANDBOX_INFO_LIMIT).decode("utf-8"))
        endpoint, scope = info.get("api_endpoint"), info.get("api_scope")
    except (OSError, ValueError, AttributeError):
        return None
    if isinstance(endpoint, str) and isinstance(scope, str) and endpoint and scope:
        try:
            _require_loopback(endpoint)
        except ValueError:
            return None
        return DemoApi(endpoint, scope)
    return None


def build_services(
    config: Config,
    explicit_profile: bool = True,
    on_notice: Callable[[LanyardError], None] | None = None,
    sandbox_info: Path | None = None,
) -> Services:
    sandbox = None
    throwaway = None
    demo_api = None
    if config.sandbox and sandbox_info is not None:
        config, throwaway = running_sandbox(config, sandbox_info, explicit_profile)
        demo_api = described_api(sandbox_info)
    elif config.sandbox:
        config, sandbox = start_sandbox(config, explicit_profile)
        demo_api = DemoApi(sandbox.info.api_endpoint, sandbox.info.api_scope)
    if not config.client_id:
        raise errors.not_set_up()
    if config.ca_exclusive and config.ca_bundle is not None:
        ca_path = str(config.ca_bundle)  # the sandbox's CA and nothing else
    else:
        ca_path = net.trust_bundle(config.ca_bundle, config.profile_dir)
    identity_http = net.make_session(ca_path, proxy=config.proxy)
    graph_http = net.make_session(ca_path, retry_statuses=True, proxy=config.proxy)
    auth = AuthClient(
        AuthSettings(
            client_id=config.client_id,
            authority=config.authority,
            scopes=config.scopes,
            profile_dir=config.profile_dir,
            instance_discovery=config.discovery,
            allow_plaintext_cache=config.allow_plaintext_cache,
            broker=config.broker,
        ),
        identity_http,
        on_notice,
    )
    graph = GraphClient(graph_http, config.graph_endpoint)
    api_http = net.make_session(ca_path, proxy=config.proxy)  # the same network settings
    return Services(
        config,
        auth,
        graph,
        sandbox,
        throwaway,
        (identity_http, graph_http, api_http),
        api_session=api_http,
        demo_api=demo_api,
    )
