"""Security properties checked against real sessions, servers and files.

- TLS verification is never turned off: a scan of the source, and an untrusted server refused by
  both the identity provider's session (msal's http_client) and Graph's.
- The Authorization header never leaves the configured host: a redirect to another host drops
  it, and a request body (a refresh token, an authorization code) is never re-sent to another
  host either.
- The loopback redirect listener answers on 127.0.0.1 only.
(Cache file modes, the wrong-`state` answer and the environment's CA bundles have their own
tests: tests/integration/auth/test_cache_protection.py, tests/unit/auth/test_loopback.py,
tests/integration/test_trust.py.)
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import certifi
import pytest
import requests

from desktop_app.auth.loopback import LoopbackReceiver
from desktop_app.core import net
from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.graph.client import GraphClient
from desktop_app.sandbox import Sandbox
from desktop_app.sandbox.pki import KeyMaterial, load_or_create, server_context

PACKAGE = Path(__file__).resolve().parents[2] / "desktop_app"

# Ways Python code turns certificate or host name checks off.
INSECURE = re.compile(
    r"verify\s*=\s*False|CERT_NONE|check_hostname\s*=\s*False|_create_unverified_context"
    r"|_create_default_https_context|disable_warnings|InsecureRequestWarning|cert_reqs\s*=\s*['\"]?"
    r"(?:CERT_NONE|NONE|none)|PYTHONHTTPSVERIFY|CURL_CA_BUNDLE\s*=\s*['\"]{2}"
)


def test_no_code_path_turns_tls_verification_off() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{n}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if INSECURE.search(line)
    ]
    assert offenders == []
    assert INSECURE.search("session.get(url, verify=False)")  # the scan can see one


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> KeyMaterial:
    """A CA and a localhost/127.0.0.1 certificate of its own (the sandbox's kind)."""
    return load_or_create(tmp_path_factory.mktemp("pki"))


@dataclass
class Seen:
    requests: list[dict[str, str]] = field(default_factory=list)


@dataclass
class TinyServer:
    """An HTTPS server on loopback that records each request and answers from ``route``."""

    url: str
    seen: Seen
    server: ThreadingHTTPServer


def serve(
    pki: KeyMaterial, host: str, route: dict[str, tuple[int, dict[str, str], bytes]]
) -> TinyServer:
    seen = Seen()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            seen.requests.append(
                {
                    "method": self.command,
                    "path": self.path,
                    "authorization": self.headers.get("Authorization", ""),
                    "body": body,
                }
            )
            status, headers, data = route.get(self.path, (404, {}, b"{}"))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    server.socket = server_context(pki).wrap_socket(server.socket, server_side=True)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
    ).start()
    name = "localhost" if host == "127.0.0.1" else host
    return TinyServer(f"https://{name}:{server.server_address[1]}", seen, server)


@pytest.fixture
def two_hosts(pki: KeyMaterial) -> Iterator[tuple[TinyServer, TinyServer]]:
    """`localhost:A` (the configured API) and `127.0.0.1:B` (another host): same machine, but
    different host names, which is what requests (and a browser) compare."""
    profile = json.dumps({"id": "x", "displayName": "Elsewhere"}).encode()
    other = serve(
        pki, "127.0.0.1", {"/v1.0/me": (200, {"Content-Type": "application/json"}, profile)}
    )
    other.url = other.url.replace("localhost", "127.0.0.1")
    api = serve(
        pki,
        "127.0.0.1",
        {
            "/v1.0/me": (307, {"Location": f"{other.url}/v1.0/me"}, b""),
            "/same-host/v1.0/me": (307, {"Location": "/v1.0/here"}, b""),
            "/v1.0/here": (200, {"Content-Type": "application/json"}, profile),
            "/token": (307, {"Location": f"{other.url}/token"}, b""),
        },
    )
    yield api, other
    for tiny in (api, other):
        tiny.server.shutdown()
        tiny.server.server_close()


def test_graph_redirect_to_another_host_drops_the_authorization_header(
    two_hosts: tuple[TinyServer, TinyServer], pki: KeyMaterial
) -> None:
    api, other = two_hosts
    graph = GraphClient(
        net.make_session(str(pki.ca_file), retry_statuses=True, proxy=None), f"{api.url}/v1.0"
    )
    assert (
        graph.me("secret-access-token").display_value("displayName") == "Elsewhere"
    )  # the redirect was followed
    assert [r["authorization"] for r in api.seen.requests] == ["Bearer secret-access-token"]
    assert [(r["path"], r["authorization"]) for r in other.seen.requests] == [("/v1.0/me", "")]


def test_a_redirect_on_the_same_host_keeps_it(
    two_hosts: tuple[TinyServer, TinyServer], pki: KeyMaterial
) -> None:
    """The control for the test above: the header does survive a redirect that stays home."""
    api, _other = two_hosts
    graph = GraphClient(
        net.make_session(str(pki.ca_file), retry_statuses=True, proxy=None),
        f"{api.url}/same-host/v1.0",
    )
    graph.me("secret-access-token")
    assert [r["authorization"] for r in api.seen.requests] == ["Bearer secret-access-token"] * 2


def test_a_token_request_is_never_re_sent_to_another_host(
    two_hosts: tuple[TinyServer, TinyServer], pki: KeyMaterial
) -> None:
    """A 307 keeps the method and body: following it would hand the refresh token (or the
    authorization code and PKCE verifier) to whoever the Location names."""
    api, other = two_hosts
    session = net.make_session(str(pki.ca_file), proxy=None)
    with pytest.raises(requests.RequestException):
        session.post(
            f"{api.url}/token",
            data={"grant_type": "refresh_token", "refresh_token": "secret-refresh-token"},
        )
    assert len(api.seen.requests) == 1
    assert other.seen.requests == []


def test_graph_session_refuses_an_untrusted_certificate(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # even with the environment naming the sandbox's CA (requests would honour it by default)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", sandbox.info.ca_file)
    graph = GraphClient(
        net.make_session(certifi.where(), retry_statuses=True, proxy=None),
        sandbox.info.graph_endpoint,
    )
    with pytest.raises(LanyardError) as caught:
        graph.me("any-token")
    assert caught.value.kind is ErrorKind.NETWORK
    assert "certificate" in caught.value.message.lower() + str(caught.value.details).lower()
    assert [r for r in sandbox.requests() if r.get("kind") == "graph"] == []  # nothing got through


def test_identity_session_refuses_an_untrusted_certificate(sandbox: Sandbox) -> None:
    session = net.make_session(certifi.where(), proxy=None)
    with pytest.raises(requests.exceptions.SSLError):
        session.get(f"{sandbox.info.authority}/v2.0/.well-known/openid-configuration")
    with pytest.raises(requests.exceptions.SSLError):  # a caller asking for no verification
        session.get(f"{sandbox.info.authority}/v2.0/.well-known/openid-configuration", verify=False)


def _local_addresses() -> set[str]:
    """This machine's IPv4 addresses that are not loopback (from the routing table's view)."""
    found: set[str] = set()
    for host in (socket.gethostname(), socket.getfqdn()):
        with contextlib.suppress(OSError):
            found.update(info[4][0] for info in socket.getaddrinfo(host, None, socket.AF_INET))
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:  # no packet is sent: connect() on UDP only picks the outgoing interface
        probe.connect(("192.0.2.1", 9))
        found.add(probe.getsockname()[0])
    except OSError:
        pass
    finally:
        probe.close()
    return {a for a in found if not a.startswith("127.") and a != "0.0.0.0"}  # noqa: S104


def test_loopback_listener_is_unreachable_from_other_addresses() -> None:
    receiver = LoopbackReceiver(expected_state="s")
    try:
        host, port = receiver._server.socket.getsockname()[:2]
        assert host == "127.0.0.1"
        others = _local_addresses()
        for address in others:
            with pytest.raises(OSError):
                socket.create_connection((address, port), timeout=2).close()
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass  # and reachable where the browser goes
    finally:
        receiver.close()


def test_log_directory_is_private(tmp_path: Path) -> None:
    """Lanyard makes its log folder 0700; one that exists already is not its to change (under
    --profile-dir /tmp, /tmp/logs may be anyone's): it is left as it is, with a warning."""
    import stat

    from desktop_app.core import paths
    from desktop_app.core.config import Config
    from desktop_app.ui.app import _log_file

    made = _log_file(Config(client_id="x", profile_dir=tmp_path / "new"))
    assert stat.S_IMODE(Path(made).parent.stat().st_mode) == 0o700
    (tmp_path / "profile" / "logs").mkdir(parents=True, mode=0o755)  # an older, looser one
    (tmp_path / "profile" / "logs").chmod(0o755)
    log_file = _log_file(Config(client_id="x", profile_dir=tmp_path / "profile"))
    assert stat.S_IMODE(Path(log_file).parent.stat().st_mode) == 0o755
    assert any(
        f"{Path(log_file).parent} can be read by other users" in w for w in paths.folder_warnings()
    )
