"""Injected faults, seen through real requests and real msal 1.39 (what it raises or returns is
recorded here: the token lifecycle must cope with exactly this)."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from typing import Any

import msal
import msal.exceptions
import pytest
import requests

from desktop_app.sandbox import Sandbox
from desktop_app.sandbox.control import SandboxControl
from desktop_app.sandbox.faults import FaultSpec
from tests.support.idp_client import (
    Loopback,
    VerifiedSession,
    assert_aad_error,
    get,
    make_app,
    sign_in,
)

TOKEN_GRANTS = ("refresh_token", "authorization_code")


def signed_in(
    sandbox: Sandbox, loopback: Loopback, timeout: float = 10
) -> tuple[msal.PublicClientApplication, dict[str, Any]]:
    app = make_app(sandbox, timeout=timeout)
    sign_in(sandbox, app, loopback)
    return app, app.get_accounts()[0]


def refresh(app: msal.PublicClientApplication, account: dict[str, Any]) -> Any:
    return app.acquire_token_silent_with_error(["User.Read"], account, force_refresh=True)


def with_fresh_http_cache(
    sandbox: Sandbox, app: msal.PublicClientApplication
) -> msal.PublicClientApplication:
    """The same tokens, without the failures msal remembered in its http_cache."""
    info = sandbox.info
    return msal.PublicClientApplication(
        info.client_id,
        authority=info.authority,
        instance_discovery=False,
        http_client=VerifiedSession(info.ca_file),
        http_cache={},
        token_cache=app.token_cache,
    )


def token_requests(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [r for r in sandbox.requests() if r["path"].endswith("/oauth2/v2.0/token")]


def test_control_api_adds_lists_counts_and_clears(own_sandbox: Sandbox) -> None:
    control = SandboxControl(own_sandbox.info.control_url, own_sandbox.info.ca_file)
    fault = control.add_fault(FaultSpec("me", status=503, retry_after=2, count=2))
    assert set(fault) >= {"id", "endpoint", "status", "count", "hits"}
    assert control.add_fault(FaultSpec("token", reset=True, count=None))["count"] is None
    me = f"{own_sandbox.info.graph_endpoint}/me"
    for _ in range(2):
        assert get(own_sandbox, me).status_code == 503
    assert get(own_sandbox, me).status_code == 401  # fault used up: the real answer (no token)
    [left] = control.faults()
    assert (left["endpoint"], left["reset"], left["count"]) == ("token", True, None)
    assert control.clear_faults() == 1
    assert control.faults() == []
    url = f"{own_sandbox.info.control_url}/faults"
    ca = own_sandbox.info.ca_file
    for bad in (
        {"endpoint": "nowhere", "status": 500},
        {"endpoint": "token"},
        {"endpoint": "token", "status": 500, "colour": "red"},
        [],
    ):
        response = requests.post(url, json=bad, verify=ca, timeout=5)
        assert response.status_code == 400
        assert response.json()["message"]
    assert control.faults() == []
    control.close()


@pytest.mark.parametrize(
    ("endpoint", "status", "error", "code"),
    [
        ("token", 500, "server_error", 50000),
        ("token", 503, "temporarily_unavailable", 90033),
        ("openid-configuration", 500, "server_error", 50000),
        ("keys", 503, "temporarily_unavailable", 90033),
    ],
)
def test_identity_status_faults_answer_entra_json(
    own_sandbox: Sandbox, endpoint: str, status: int, error: str, code: int
) -> None:
    info = own_sandbox.info
    own_sandbox.add_fault(FaultSpec(endpoint, status=status, retry_after=3))
    ca = info.ca_file
    if endpoint == "token":
        response = requests.post(
            f"{info.authority}/oauth2/v2.0/token",
            data={"client_id": info.client_id, "grant_type": "refresh_token"},
            verify=ca,
            timeout=10,
        )
    elif endpoint == "keys":
        response = requests.get(f"{info.authority}/discovery/v2.0/keys", verify=ca, timeout=10)
    else:
        response = requests.get(
            f"{info.authority}/v2.0/.well-known/openid-configuration", verify=ca, timeout=10
        )
    assert response.status_code == status
    assert response.headers["Retry-After"] == "3"
    assert_aad_error(response.json(), error, code)
    [entry] = [r for r in own_sandbox.requests() if r.get("fault")]
    assert (entry["fault"], entry["status"], entry["kind"]) == ("status", status, "idp")


@pytest.mark.parametrize(
    ("endpoint", "status", "code"),
    [
        ("me", 401, "InvalidAuthenticationToken"),
        ("me", 403, "Authorization_RequestDenied"),
        ("me", 429, "TooManyRequests"),
        ("me", 500, "InternalServerError"),
        ("me", 503, "ServiceNotAvailable"),
        ("photo", 404, "ImageNotFound"),
        ("api", 500, "InternalServerError"),
    ],
)
def test_graph_status_faults_answer_the_graph_envelope(
    own_sandbox: Sandbox, loopback: Loopback, endpoint: str, status: int, code: str
) -> None:
    app, _account = signed_in(own_sandbox, loopback)
    scopes = [own_sandbox.info.api_scope] if endpoint == "api" else ["User.Read"]
    if endpoint == "api":
        sign_in(own_sandbox, app, loopback, scopes)
    token = app.acquire_token_silent(scopes, app.get_accounts()[0])
    assert token is not None
    own_sandbox.add_fault(
        FaultSpec(endpoint, status=status, retry_after=1 if status == 429 else None)
    )
    url = {
        "me": f"{own_sandbox.info.graph_endpoint}/me",
        "photo": f"{own_sandbox.info.graph_endpoint}/me/photo/$value",
        "api": f"{own_sandbox.info.api_endpoint}/orders",
    }[endpoint]
    response = get(own_sandbox, url, token["access_token"], **{"client-request-id": "req-7"})
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["innerError"]["request-id"] == response.headers["request-id"]
    assert error["innerError"]["client-request-id"] == "req-7"
    assert ("Retry-After" in response.headers) == (status == 429)
    assert get(own_sandbox, url, token["access_token"]).status_code == 200  # count 1: gone


def test_authorize_fault_is_an_html_page(own_sandbox: Sandbox) -> None:
    own_sandbox.add_fault(FaultSpec("authorize", status=503))
    response = get(own_sandbox, f"{own_sandbox.info.authority}/oauth2/v2.0/authorize")
    assert response.status_code == 503
    assert response.headers["Content-Type"].startswith("text/html")
    assert "AADSTS90033" in response.text


def test_429_plain_text_makes_msal_raise_a_json_error_and_remember_it(
    own_sandbox: Sandbox, loopback: Loopback
) -> None:
    app, account = signed_in(own_sandbox, loopback)
    own_sandbox.add_fault(FaultSpec("token", status=429, retry_after=30))
    with pytest.raises(json.JSONDecodeError):  # msal 1.39: json.loads on "429 Too Many Requests"
        refresh(app, account)
    [throttled] = [r for r in token_requests(own_sandbox) if r.get("fault")]
    assert (throttled["status"], throttled["grant_type"]) == (429, "refresh_token")
    own_sandbox.clear_faults()
    sent = len(token_requests(own_sandbox))
    with pytest.raises(json.JSONDecodeError):  # replayed from http_cache for Retry-After seconds
        refresh(app, account)
    assert len(token_requests(own_sandbox)) == sent  # ...without reaching the server
    assert "access_token" in refresh(with_fresh_http_cache(own_sandbox, app), account)
    raw = requests.post(
        f"{own_sandbox.info.authority}/oauth2/v2.0/token",
        data={"client_id": own_sandbox.info.client_id},
        verify=own_sandbox.info.ca_file,
        timeout=10,
    )
    assert raw.status_code == 400  # the fault was cleared: the real endpoint again
    own_sandbox.add_fault(FaultSpec("token", status=429, retry_after=30))
    raw = requests.post(
        f"{own_sandbox.info.authority}/oauth2/v2.0/token",
        data={"client_id": own_sandbox.info.client_id},
        verify=own_sandbox.info.ca_file,
        timeout=10,
    )
    assert raw.status_code == 429
    assert raw.headers["Content-Type"].startswith("text/plain")
    assert raw.headers["Retry-After"] == "30"
    assert raw.text == "429 Too Many Requests"


def test_429_with_json_makes_msal_return_the_error(
    own_sandbox: Sandbox, loopback: Loopback
) -> None:
    app, account = signed_in(own_sandbox, loopback)
    own_sandbox.add_fault(FaultSpec("token", status=429, retry_after=30, body="json"))
    result = refresh(app, account)
    assert_aad_error(result, "temporarily_unavailable", 90033)


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_makes_msal_raise_msal_service_error_and_remember_it(
    own_sandbox: Sandbox, loopback: Loopback, status: int
) -> None:
    app, account = signed_in(own_sandbox, loopback)
    # no Retry-After: msal remembers it for 60 s
    own_sandbox.add_fault(FaultSpec("token", status=status))
    with pytest.raises(msal.exceptions.MsalServiceError, match=f"HTTP Error: {status}"):
        refresh(app, account)
    own_sandbox.clear_faults()
    sent = len(token_requests(own_sandbox))
    with pytest.raises(msal.exceptions.MsalServiceError):
        refresh(app, account)
    assert len(token_requests(own_sandbox)) == sent
    assert "access_token" in refresh(with_fresh_http_cache(own_sandbox, app), account)


def test_400_is_returned_and_replayed_by_msal(own_sandbox: Sandbox, loopback: Loopback) -> None:
    app, account = signed_in(own_sandbox, loopback)
    own_sandbox.add_fault(FaultSpec("token", status=400))
    first = refresh(app, account)
    assert_aad_error(first, "invalid_request", 9002313)
    sent = len(token_requests(own_sandbox))
    assert refresh(app, account)["trace_id"] == first["trace_id"]  # the same answer, cached
    assert len(token_requests(own_sandbox)) == sent


def test_malformed_json(own_sandbox: Sandbox, loopback: Loopback) -> None:
    app, account = signed_in(own_sandbox, loopback)
    own_sandbox.add_fault(FaultSpec("token", body="malformed"))
    with pytest.raises(json.JSONDecodeError):
        refresh(app, account)
    assert "access_token" in refresh(app, account)  # a 200 is not remembered
    token = app.acquire_token_silent(["User.Read"], account)
    assert token is not None
    me_url = f"{own_sandbox.info.graph_endpoint}/me"
    whole = get(own_sandbox, me_url, token["access_token"])
    own_sandbox.add_fault(FaultSpec("me", body="malformed"))
    cut = get(own_sandbox, me_url, token["access_token"])
    assert cut.status_code == 200
    assert whole.content.startswith(cut.content)
    assert len(cut.content) == len(whole.content) // 2
    with pytest.raises(requests.JSONDecodeError):
        cut.json()
    [entry] = [r for r in own_sandbox.requests() if r.get("fault") and r["kind"] == "graph"]
    assert entry["fault"] == "malformed"


def test_discovery_and_device_code_faults_through_msal(own_sandbox: Sandbox) -> None:
    own_sandbox.add_fault(FaultSpec("openid-configuration", status=500))
    with pytest.raises(msal.exceptions.MsalServiceError, match="HTTP Error: 500"):
        make_app(own_sandbox)  # msal reads the configuration while constructing the app
    own_sandbox.add_fault(FaultSpec("openid-configuration", body="malformed"))
    with pytest.raises(ValueError, match="Unable to get authority configuration"):
        make_app(own_sandbox)
    app = make_app(own_sandbox)
    own_sandbox.add_fault(FaultSpec("devicecode", status=503))
    flow = app.initiate_device_flow(["User.Read"])  # an error body becomes the "flow"
    assert flow["error"] == "temporarily_unavailable"
    assert "user_code" not in flow
    own_sandbox.add_fault(FaultSpec("devicecode", status=429, retry_after=5))
    again = app.initiate_device_flow(["User.Read"])  # msal replays the 503 (60 s), not sent
    assert again["trace_id"] == flow["trace_id"]
    assert len(own_sandbox.faults()) == 1
    with pytest.raises(json.JSONDecodeError):
        make_app(own_sandbox).initiate_device_flow(["User.Read"])
    assert own_sandbox.faults() == []


def test_latency_then_the_real_answer(own_sandbox: Sandbox, loopback: Loopback) -> None:
    app, account = signed_in(own_sandbox, loopback)
    own_sandbox.add_fault(FaultSpec("token", latency_ms=400))
    started = time.monotonic()
    assert "access_token" in refresh(app, account)
    elapsed = time.monotonic() - started
    print(f"refresh with 400 ms injected latency took {elapsed * 1000:.0f} ms")
    assert elapsed >= 0.4
    [entry] = [r for r in token_requests(own_sandbox) if r.get("fault")]
    assert entry["fault"] == "latency"
    assert entry["duration_ms"] >= 400
    assert entry["status"] == 200


class HungClient:
    """A request on a thread with a long timeout: how it ends tells what the server did."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.outcome: BaseException | int | None = None
        self.ended = threading.Event()
        url = f"{sandbox.info.authority}/discovery/v2.0/keys"

        def run() -> None:
            try:
                self.outcome = requests.get(
                    url, verify=sandbox.info.ca_file, timeout=30
                ).status_code
            except requests.RequestException as exc:
                self.outcome = exc
            self.ended.set()

        self.thread = threading.Thread(target=run, name="test-hung-client")
        self.thread.start()


def wait_for_fault_hit(sandbox: Sandbox, count: int = 1) -> None:
    deadline = time.monotonic() + 10
    while sum(1 for r in sandbox.requests() if r.get("fault")) < count:
        assert time.monotonic() < deadline, "the fault never applied"
        time.sleep(0.02)


def test_hang_times_out_in_msal_and_ends_when_cleared(
    own_sandbox: Sandbox, loopback: Loopback
) -> None:
    app, account = signed_in(own_sandbox, loopback, timeout=1)
    own_sandbox.add_fault(FaultSpec("token", hang=True))
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        refresh(app, account)
    print(f"msal gave up on the hung token request after {time.monotonic() - started:.2f} s")
    [entry] = [r for r in token_requests(own_sandbox) if r.get("fault")]
    assert (entry["fault"], entry["status"]) == ("hang", None)
    assert "access_token" in refresh(app, account)  # count 1: the next request is answered

    own_sandbox.add_fault(FaultSpec("keys", hang=True, count=None))
    clients = [HungClient(own_sandbox), HungClient(own_sandbox)]
    wait_for_fault_hit(own_sandbox, 3)
    assert not any(c.ended.wait(0.3) for c in clients)  # nothing comes back while it hangs
    started = time.monotonic()
    assert own_sandbox.clear_faults() == 1
    for client in clients:
        assert client.ended.wait(5)
        client.thread.join(5)
        assert isinstance(client.outcome, requests.ConnectionError)  # closed, no response
    print(f"hung connections released {time.monotonic() - started:.3f} s after clear_faults()")


def test_stop_returns_promptly_while_connections_hang() -> None:
    sandbox = Sandbox()
    sandbox.start()
    sandbox.add_fault(FaultSpec("keys", hang=True, count=None))
    clients = [HungClient(sandbox) for _ in range(3)]
    wait_for_fault_hit(sandbox, 3)
    started = time.monotonic()
    sandbox.stop()
    stopped = time.monotonic() - started
    print(f"Sandbox.stop() with 3 hung connections took {stopped:.3f} s")
    assert stopped < 2
    for client in clients:
        assert client.ended.wait(5)
        client.thread.join(5)
        assert isinstance(client.outcome, requests.ConnectionError)


def _tls_request_on_raw_socket(sandbox: Sandbox, path: str) -> BaseException | bytes:
    """TLS over a socket we read ourselves, to see what the kernel reports (not ssl's view)."""
    port = int(sandbox.info.base_url.rsplit(":", 1)[1])
    context = ssl.create_default_context(cafile=sandbox.info.ca_file)
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                sock.sendall(outgoing.read())
                incoming.write(sock.recv(65536))
        tls.write(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
        sock.sendall(outgoing.read())
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except OSError as exc:
            return exc
        return received


def test_reset_closes_with_rst(own_sandbox: Sandbox, loopback: Loopback) -> None:
    keys_path = f"/{own_sandbox.info.tenant_id}/discovery/v2.0/keys"
    own_sandbox.add_fault(FaultSpec("keys", reset=True))
    assert isinstance(_tls_request_on_raw_socket(own_sandbox, keys_path), ConnectionResetError)

    app, account = signed_in(own_sandbox, loopback)
    own_sandbox.add_fault(FaultSpec("token", reset=True))
    # On the wire an RST; Python's ssl (OpenSSL 3) reports a reset mid-TLS as an unexpected
    # EOF, so requests (and msal, which lets it through) raise ConnectionError, not a reset.
    with pytest.raises(requests.exceptions.ConnectionError):
        refresh(app, account)
    [entry] = [r for r in token_requests(own_sandbox) if r.get("fault")]
    assert (entry["fault"], entry["status"]) == ("reset", None)
    assert "access_token" in refresh(app, account)


def test_reset_over_plain_http_is_connection_reset_error() -> None:
    with Sandbox(browser_http=True) as sandbox:
        sandbox.add_fault(FaultSpec("authorize", reset=True))
        url = f"{sandbox.info.browser_base_url}/{sandbox.info.tenant_id}/oauth2/v2.0/authorize"
        with pytest.raises(requests.exceptions.ConnectionError) as caught:
            requests.get(url, timeout=5)
        assert "ConnectionResetError(104" in repr(caught.value)
        [entry] = sandbox.requests()
        assert (entry["fault"], entry["listener"]) == ("reset", "http")


def test_counted_sequence_then_recovery(own_sandbox: Sandbox) -> None:
    url = f"{own_sandbox.info.authority}/discovery/v2.0/keys"
    own_sandbox.add_fault(FaultSpec("keys", status=503, retry_after=1, count=2))
    own_sandbox.add_fault(FaultSpec("keys", status=429, retry_after=1))
    statuses = [get(own_sandbox, url).status_code for _ in range(4)]
    assert statuses == [503, 503, 429, 200]
    own_sandbox.add_fault(FaultSpec("keys", status=500, count=None))
    assert {get(own_sandbox, url).status_code for _ in range(5)} == {500}
    own_sandbox.clear_faults()
    assert get(own_sandbox, url).status_code == 200
    logged = [r.get("fault") for r in own_sandbox.requests()]
    assert logged.count("status") == 8
    assert logged.count(None) == 2


def test_fault_in_another_process_through_the_control_client(tmp_path: Any) -> None:
    """The fault matrix runs the sandbox as a process: the typed client drives it the same way."""
    import subprocess
    import sys

    with subprocess.Popen(
        [sys.executable, "-m", "desktop_app.sandbox", "--state-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            info = json.loads(proc.stdout.readline())
            control = SandboxControl(info["control_url"], info["ca_file"])
            control.add_fault(FaultSpec("keys", status=503, retry_after=4))
            response = requests.get(
                f"{info['authority']}/discovery/v2.0/keys", verify=info["ca_file"], timeout=10
            )
            assert (response.status_code, response.headers["Retry-After"]) == (503, "4")
            assert [r["fault"] for r in control.requests() if "fault" in r] == ["status"]
            control.close()
        finally:
            proc.terminate()
            proc.wait(10)
