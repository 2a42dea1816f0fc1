"""Property test of the sign-in receiver's HTTP parsing (issue 15, item 3): hypothesis writes
request lines, headers (Content-Length in every shape), bodies and ways of sending them (all
at once, in slow pieces, cut short, half-closed) to a real receiver over a real socket.

For every request: the receiver answers or closes within a bound (its deadline, plus the
reply's time, plus slack), and never accepts a response whose state is wrong or missing; two
states, one of them right, count as wrong. Over the whole run: memory stays bounded, no
serving thread is left, and a genuine response is still accepted afterwards.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.auth.loopback import REPLY_S, LoopbackReceiver
from desktop_app.core.errors import ErrorKind, LanyardError
from tests.support import figures

STATE = secrets.token_urlsafe(24)
DEADLINE_S = 0.5
BOUND_S = DEADLINE_S + REPLY_S + 2.0  # answered or closed by then
REFUSALS = {400, 404, 405, 409, 411, 413, 431, 501}
_tried = [0]

wrong_states = st.one_of(
    st.just(""),
    st.just(STATE[:-1]),
    st.just(STATE + "x"),
    st.just(" " + STATE),
    st.just(STATE.swapcase()),
    st.just(STATE + "\x00"),
    st.text(max_size=40),
).filter(lambda s: s != STATE)

# the response's fields: a code or an error (or neither), and a wrong, missing or doubled state
fields = st.tuples(
    st.sampled_from([[("code", "c0de")], [("error", "access_denied")], [], [("code", "")]]),
    st.one_of(
        st.just([]),
        wrong_states.map(lambda s: [("state", s)]),
        wrong_states.map(lambda s: [("state", STATE), ("state", s)]),
        wrong_states.map(lambda s: [("state", s), ("state", STATE)]),
    ),
    st.lists(st.tuples(st.text(max_size=8), st.text(max_size=20)), max_size=3),
).map(lambda parts: parts[0] + parts[1] + parts[2])

methods = st.one_of(
    st.sampled_from(["GET", "POST", "PUT", "HEAD", "OPTIONS", "get", "POST ", "G\x00T", ""]),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ \t\x00", max_size=12),
)
versions = st.sampled_from(["HTTP/1.1", "HTTP/1.0", "HTTP/2", "HTTP/1.1 ", "http/1.1", "", "HTTP/"])
line_ends = st.sampled_from(["\r\n", "\n", "\r", "\r\r\n"])
lengths = st.one_of(
    st.sampled_from(
        ["-1", "abc", "1e3", "+5", "0x10", "\u0661\u0662", "5 5", "", "-0", " 7 ", "1_0"]
    ),
    st.sampled_from(["99999999999999999999", str(10**9), str(64 * 1024 + 1)]),
    st.integers(-5, 200).map(str),
    st.just("EXACT"),  # the body's length, filled in below
)
headers = st.lists(
    st.one_of(
        lengths.map(lambda v: ("Content-Length", v)),
        st.just(("Transfer-Encoding", "chunked")),
        st.just(("Expect", "100-continue")),
        st.just(("Content-Type", "application/x-www-form-urlencoded")),
        st.tuples(st.text(max_size=12), st.text(max_size=40)),
        st.integers(1, 40_000).map(lambda n: ("Cookie", "a" * n)),
        st.just((" folded", "value")),
    ),
    max_size=6,
)


@dataclass(frozen=True)
class Plan:
    data: bytes
    pieces: int  # sent in this many pieces...
    pause: float  # ...with this pause between them
    cut: float  # only this share of the bytes is sent (1.0: all)
    half_close: bool  # shutdown(SHUT_WR) after sending


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    pairs = draw(fields)
    query = urlencode(pairs, quote_via=quote)
    body_kind = draw(st.sampled_from(["form", "binary", "none", "big"]))
    body = {
        "form": query.encode(),
        "binary": draw(st.binary(max_size=2000)),
        "none": b"",
        "big": b"a" * draw(st.integers(60_000, 200_000)),
    }[body_kind]
    target = draw(
        st.one_of(
            st.just(f"/?{query}"), st.just("/"), st.just("*"), st.text(max_size=30), st.just("/ /")
        )
    )
    end = draw(line_ends)
    lines = [f"{draw(methods)} {target} {draw(versions)}"]
    for name, value in draw(headers):
        lines.append(f"{name}: {len(body) if value == 'EXACT' else value}")
    head = (end.join(lines) + end + end).encode("utf-8", "surrogatepass")
    many = draw(st.integers(0, 150))
    if many:  # too many headers, or nearly
        head = head.replace(end.encode() * 2, (end + "X: y").encode() * many + end.encode() * 2, 1)
    slow = draw(st.integers(0, 9)) == 0  # now and then a slow sender
    return Plan(
        data=head + body,
        pieces=draw(st.integers(2, 12)) if slow else 1,
        pause=draw(st.floats(0.01, 0.15)) if slow else 0.0,
        cut=draw(st.sampled_from([1.0, 1.0, 1.0, 0.5, 0.0])),
        half_close=draw(st.booleans()),
    )


def play(port: int, plan: Plan) -> tuple[int, float]:
    """Send ``plan``; (the status of the answer, 0 for none; seconds until the server closed)."""
    data = plan.data[: int(len(plan.data) * plan.cut)]
    size = max(1, -(-len(data) // plan.pieces))
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=BOUND_S + 5) as client:
        for at in range(0, len(data), size):
            try:
                client.sendall(data[at : at + size])
            except OSError:
                break  # the server answered and closed already
            if plan.pause:
                time.sleep(plan.pause)
        if plan.half_close:
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_WR)
        answer = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := client.recv(65536):
                answer += chunk
    took = time.monotonic() - started
    statuses = [int(s) for s in re.findall(rb"HTTP/1\.1 (\d{3}) ", answer[:200])]
    final = [s for s in statuses if s != 100]
    return (final[0] if final else 0), took


def rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


@pytest.fixture(scope="module")
def receiver() -> Iterator[LoopbackReceiver]:
    made = LoopbackReceiver(STATE, request_deadline=DEADLINE_S)
    yield made
    made.close()


@pytest.fixture(scope="module")
def memory() -> dict[str, int]:
    """Peak RSS growth over the run (Linux: VmHWM reset through /proc/self/clear_refs)."""
    seen: dict[str, int] = {}
    try:
        Path("/proc/self/clear_refs").write_text("5")
        seen["start"] = rss_kb("VmRSS")
    except OSError:
        pass
    return seen


@pytest.mark.timeout(600)
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(plan=plans())
def test_any_request_is_answered_or_closed_in_time_and_never_accepted(
    receiver: LoopbackReceiver, memory: dict[str, int], plan: Plan
) -> None:
    status, took = play(receiver.port, plan)
    _tried[0] += 1
    assert took < BOUND_S, f"held for {took:.1f} s"
    assert status == 0 or status in REFUSALS, status  # never 200: nothing here is right
    with pytest.raises(LanyardError) as nothing:
        receiver.wait_event(0)
    assert nothing.value.kind is ErrorKind.TIMEOUT  # no response was accepted
    if "start" in memory:
        memory["peak"] = rss_kb("VmHWM")


def test_after_the_hostile_requests(receiver: LoopbackReceiver, memory: dict[str, int]) -> None:
    """Runs after the property test (same module): nothing left behind, still serving."""
    deadline = time.monotonic() + BOUND_S
    while receiver.open_connections and time.monotonic() < deadline:
        time.sleep(0.05)
    assert receiver.open_connections == 0
    reply = requests.post(receiver.redirect_uri, data={"code": "c", "state": STATE}, timeout=5)
    assert reply.status_code == 200
    assert receiver.wait(1)["code"] == "c"
    receiver.close()
    time.sleep(0.3)
    left = [t.name for t in threading.enumerate() if t.name.startswith("lanyard-loopback")]
    assert left == []
    growth = (memory["peak"] - memory["start"]) / 1024 if "peak" in memory else None
    text = f"{_tried[0]} hostile requests"
    if growth is not None:
        text += f", peak RSS growth {growth:.1f} MB"
        assert growth < 64, f"peak RSS grew {growth:.1f} MB"
    figures.record("hostile loopback requests (fuzz)", text)
