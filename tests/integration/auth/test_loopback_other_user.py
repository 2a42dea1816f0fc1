"""The sign-in's loopback receiver against another user of the computer (issue 15, items 2 and
3), for real: a second OS user (tests/support/other_user.py) runs the programs that connect;
msal, requests and the sandbox are real.

The authorize URL (state, PKCE challenge) is in the browser's command line, readable by every
user in /proc. Before the fix, a second user signed in with their own account on that URL and
posted the response to the receiver, and the victim's window signed in as them.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from pathlib import Path

import pytest
import requests

from desktop_app.auth.client import AuthClient
from desktop_app.auth.loopback import LoopbackReceiver, Refused
from desktop_app.auth.models import PendingSignIn
from desktop_app.sandbox import Sandbox
from desktop_app.sandbox.directory import NO_ROLES_UPN, READER_UPN
from tests.support import standin_browser
from tests.support.other_user import OtherUser, other_user, post_form_as  # noqa: F401 (fixture)
from tests.support.sandbox_helpers import auth_client, idp_requests

pytestmark = pytest.mark.timeout(180)


def signed_in_response(sandbox: Sandbox, pending: PendingSignIn, user: str) -> dict[str, str]:
    """What ``user`` gets by opening the pending sign-in's URL in their own browser."""
    fields: dict[str, str] = {}
    standin_browser.run(pending.auth_uri, user=user, ca_file=sandbox.info.ca_file, hand_back=fields)
    assert fields.get("code") and fields.get("state") == pending.state
    return fields


def code_grants(sandbox: Sandbox) -> int:
    return sum(1 for r in idp_requests(sandbox) if r.get("grant_type") == "authorization_code")


@pytest.fixture
def client(sandbox: Sandbox, tmp_path: Path) -> AuthClient:
    made = auth_client(sandbox, tmp_path)
    made.open()
    return made


def test_another_user_cannot_complete_a_pending_sign_in(
    sandbox: Sandbox,
    client: AuthClient,
    other_user: OtherUser,  # noqa: F811
) -> None:
    """The first sign-in (no login_hint: any account may sign in), the other user first."""
    state = secrets.token_urlsafe(32)
    receiver = LoopbackReceiver(state)
    try:
        pending = client.begin_sign_in(receiver.redirect_uri, state, prompt="select_account")
        theirs = signed_in_response(sandbox, pending, NO_ROLES_UPN)
        grants = code_grants(sandbox)
        outcome = post_form_as(other_user, receiver.port, theirs)
        assert outcome["status"] == 0  # dropped unread: not even an HTTP answer
        event = receiver.wait_event(5)
        assert isinstance(event, Refused)  # for the window to say so
        assert f"another user of this computer (user id {other_user.uid})" in event.error.message
        assert receiver.refused_peers == 1
        # the person's own browser comes back: it still signs in, as them
        mine = signed_in_response(sandbox, pending, READER_UPN)
        reply = requests.post(receiver.redirect_uri, data=mine, timeout=10)
        assert reply.status_code == 200
        response = receiver.wait(5)
        token = client.finish_sign_in(pending, response)
    finally:
        receiver.close()
    assert token.account is not None and token.account.username == READER_UPN
    assert [a.username for a in client.accounts()] == [READER_UPN]
    assert code_grants(sandbox) == grants + 1  # their code was never redeemed


# Run as the other user: hostile requests at the port (stdin: {"port", "flood"}), then a flood of
# slow connections that send a byte now and then; report what each got and how many stay open.
_HOSTILE = r"""
plan = json.loads(sys.stdin.readline())
port = plan["port"]
requests_ = [
    b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n" + b"x" * 1000000,
    b"POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\ncode=x&state=",
    b"GET /?code=x HTTP/1.1\r\n\r\n",
    b"\x00\xff" * 1000,
]
answers = []
for data in requests_:
    outcome = "closed"
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as c:
            try:
                c.sendall(data)
            except OSError:
                pass
            got = c.recv(100)
            outcome = "answered" if got else "closed"
    except OSError as exc:
        outcome = "reset" if exc.errno == 104 else "error %s" % exc.errno
    answers.append(outcome)
started = time.monotonic()
flood = []
for _ in range(plan["flood"]):
    try:
        flood.append(socket.create_connection(("127.0.0.1", port), timeout=5))
    except OSError:
        pass
open_ = list(flood)
while open_ and time.monotonic() - started < 30:
    for c in list(open_):
        try:
            c.sendall(b"G")
            c.setblocking(False)
            try:
                if c.recv(1) == b"":
                    raise ConnectionResetError
            except BlockingIOError:
                pass
            c.setblocking(True)
        except OSError:
            open_.remove(c)
    time.sleep(0.2)
print(json.dumps({"answers": answers, "flood": len(flood), "still_open": len(open_)}))
"""


def test_another_users_hostile_and_slow_connections_are_dropped_unread(
    sandbox: Sandbox,
    client: AuthClient,
    other_user: OtherUser,  # noqa: F811
) -> None:
    """Item 3 as the other user: malformed requests and 200 slow connections are dropped at
    accept, so they hold no thread, and the person's own sign-in goes through meanwhile."""
    state = secrets.token_urlsafe(32)
    receiver = LoopbackReceiver(state)
    threads: list[int] = []
    stop = threading.Event()

    def count_threads() -> None:
        while not stop.is_set():
            threads.append(
                sum(1 for t in threading.enumerate() if t.name == "lanyard-loopback-request")
            )
            time.sleep(0.02)

    counter = threading.Thread(target=count_threads)
    counter.start()
    try:
        pending = client.begin_sign_in(receiver.redirect_uri, state, login_hint=READER_UPN)
        attacker = other_user.start(_HOSTILE)
        assert attacker.stdin is not None
        attacker.stdin.write(json.dumps({"port": receiver.port, "flood": 200}) + "\n")
        attacker.stdin.flush()
        time.sleep(1.0)  # the flood is on
        mine = signed_in_response(sandbox, pending, READER_UPN)
        reply = requests.post(receiver.redirect_uri, data=mine, timeout=10)
        assert reply.status_code == 200
        token = client.finish_sign_in(pending, receiver.wait(5))
        out, err = attacker.communicate(timeout=60)
    finally:
        stop.set()
        counter.join()
        receiver.close()
    assert attacker.returncode == 0, err[-2000:]
    seen = json.loads(out)
    print(f"other user's flood: {seen}; receiver threads at most {max(threads)}")
    assert all(answer in ("closed", "reset") for answer in seen["answers"]), seen  # no HTTP answer
    assert seen["flood"] == 200 and seen["still_open"] == 0
    assert receiver.refused_peers >= 200
    assert max(threads) <= 1  # only the person's own request ever had a thread
    assert token.account is not None and token.account.username == READER_UPN
