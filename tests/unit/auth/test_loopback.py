from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from desktop_app.auth.loopback import LoopbackReceiver
from desktop_app.core.errors import ErrorKind, LanyardError


@pytest.fixture
def receiver():  # type: ignore[no-untyped-def]
    r = LoopbackReceiver(expected_state="s-123")
    yield r
    r.close()


def test_binds_loopback_only(receiver: LoopbackReceiver) -> None:
    assert receiver._server.server_address[0] == "127.0.0.1"
    assert receiver.redirect_uri == f"http://localhost:{receiver.port}"
    # not reachable on another local address of this machine
    other = socket.gethostbyname(socket.gethostname())
    if not other.startswith("127."):
        with pytest.raises(OSError), socket.create_connection((other, receiver.port), timeout=1):
            pass


def test_form_post_is_delivered(receiver: LoopbackReceiver) -> None:
    reply = requests.post(
        receiver.redirect_uri, data={"code": "c1", "state": "s-123", "client_info": "x"}, timeout=5
    )
    assert reply.status_code == 200
    assert "You are signed in" in reply.text  # the branded page from resources/pages
    assert "data:image/svg+xml;base64," in reply.text
    assert "c1" not in reply.text
    assert reply.headers["Cache-Control"] == "no-store"
    assert receiver.wait(1) == {"code": "c1", "state": "s-123", "client_info": "x"}


def test_query_redirect_is_delivered(receiver: LoopbackReceiver) -> None:
    requests.get(f"{receiver.redirect_uri}/?code=c2&state=s-123", timeout=5)
    assert receiver.wait(1)["code"] == "c2"


def test_wrong_state_is_rejected_and_waiting_goes_on(receiver: LoopbackReceiver) -> None:
    reply = requests.post(receiver.redirect_uri, data={"code": "evil", "state": "other"}, timeout=5)
    assert reply.status_code == 400
    assert "evil" not in reply.text
    requests.post(receiver.redirect_uri, data={"code": "good", "state": "s-123"}, timeout=5)
    assert receiver.wait(1)["code"] == "good"


def test_probes_are_ignored(receiver: LoopbackReceiver) -> None:
    assert requests.get(f"{receiver.redirect_uri}/favicon.ico", timeout=5).status_code == 404
    with pytest.raises(LanyardError) as caught:
        receiver.wait(0.2)
    assert caught.value.kind is ErrorKind.TIMEOUT


def test_error_response_page_escapes_html(receiver: LoopbackReceiver) -> None:
    reply = requests.post(
        receiver.redirect_uri,
        data={
            "error": "access_denied",
            "error_description": "<script>alert(1)</script>",
            "state": "s-123",
        },
        timeout=5,
    )
    assert "<script>" not in reply.text
    assert receiver.wait(1)["error"] == "access_denied"


def test_close_wakes_a_waiter_at_once(receiver: LoopbackReceiver) -> None:
    outcome: list[object] = []

    def wait() -> None:
        try:
            receiver.wait(60)
        except LanyardError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=wait)
    thread.start()
    time.sleep(0.1)
    started = time.monotonic()
    receiver.close()
    thread.join(2)
    assert time.monotonic() - started < 1.0
    assert isinstance(outcome[0], LanyardError) and outcome[0].kind is ErrorKind.CANCELLED
    with pytest.raises(requests.ConnectionError):
        requests.get(receiver.redirect_uri, timeout=2)
