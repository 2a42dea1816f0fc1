"""Hostile requests at the sign-in's loopback receiver: what they cost the process that runs it.

    python tests/benchmarks/loopback_hostile.py [--quick] [--as-other-user] [--json PATH]

The receiver (desktop_app/auth/loopback.py, its real settings: 10 s deadline, 16 connections)
runs in this process beside a Qt event loop with a 10 ms heartbeat, as in the window; a client
process sends one scenario after another:

- negative_length: ``Content-Length: -1``, then 1 GB as fast as it is taken (the issue: 3 GB of
  memory and a 2 s frozen window);
- huge_length: ``Content-Length: 10^12`` and the same stream;
- bad_length: 50 requests with ``Content-Length: abc`` (the issue: a traceback each);
- big_header: a 1 MB header line; many_headers: 10,000 headers;
- garbage: 10 MB of bytes without a line end;
- fast_flood: 2,000 requests with a wrong state, one after another;
- full_slots: 16 connections (every slot) each sending a 31 KB header and a 64 KB body but
  its last byte, then waiting: the most a client can make the receiver hold;
- slow_flood: 200 connections sending a byte every 0.5 s until each is cut off.

Figures per scenario: peak RSS growth of this process (VmHWM, reset through
/proc/self/clear_refs, minus VmRSS before), the GUI stall (worst lateness of the heartbeat),
the receiver's serving threads at most, and those left when the scenario ended. Then the
threads left after close(). An idle stretch gives the heartbeat's baseline. The client runs as
this user (its connections pass the uid check: the parser's worst case), or with
--as-other-user (root only) as a second OS user, whose connections are dropped at accept.
--quick (CI): 100 MB streams and 200 fast requests; the slow flood is the same. Figures are
printed and written, never asserted. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.auth.loopback import LoopbackReceiver  # noqa: E402

DEFAULT_JSON = REPO / ".artifacts" / "loopback_hostile.json"
HEARTBEAT_MS = 10
SCENARIOS = (
    "negative_length",
    "huge_length",
    "bad_length",
    "big_header",
    "many_headers",
    "garbage",
    "fast_flood",
    "full_slots",
    "slow_flood",
)

# The client: standard modules only, so that it also runs as another user (whose Python cannot
# import anything after it drops to that uid: tests/support/other_user.py). stdin: the plan.
CLIENT = r"""
plan = json.loads(sys.stdin.readline())
port, scenario, size = plan["port"], plan["scenario"], plan["size"]

def connect():
    return socket.create_connection(("127.0.0.1", port), timeout=30)

def stream(head, size):
    sent = 0
    chunk = b"x" * (1 << 20)
    try:
        with connect() as c:
            c.sendall(head)
            while sent < size:
                c.sendall(chunk)
                sent += len(chunk)
    except OSError:
        pass
    return sent

def ask(data):
    try:
        with connect() as c:
            c.sendall(data)
            return c.recv(100)[:12].decode("latin-1")
    except OSError as exc:
        return "errno %s" % exc.errno

report = {}
if scenario == "negative_length":
    report["sent"] = stream(b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", size)
elif scenario == "huge_length":
    report["sent"] = stream(b"POST / HTTP/1.1\r\nContent-Length: 1000000000000\r\n\r\n", size)
elif scenario == "bad_length":
    report["answers"] = sorted({ask(b"POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\ncode=x") for _ in range(50)})
elif scenario == "big_header":
    report["sent"] = stream(b"GET / HTTP/1.1\r\nCookie: ", 1 << 20)
elif scenario == "many_headers":
    report["answers"] = [ask(b"GET / HTTP/1.1\r\n" + b"X-A: b\r\n" * 10000 + b"\r\n")]
elif scenario == "garbage":
    report["sent"] = stream(b"\x00\xff", 10 << 20)
elif scenario == "fast_flood":
    body = b"code=x&state=not-the-one"
    post = b"POST / HTTP/1.1\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    report["answers"] = sorted({ask(post) for _ in range(plan["requests"])})
elif scenario == "full_slots":
    head = (b"POST / HTTP/1.1\r\nCookie: " + b"a" * (31 * 1024)
            + b"\r\nContent-Length: 65536\r\n\r\n")
    held = []
    for _ in range(16):
        c = connect()
        c.sendall(head + b"b" * 65535)
        held.append(c)
    closed = 0
    for c in held:
        try:
            if c.recv(100) == b"":
                closed += 1
        except OSError:
            closed += 1
        c.close()
    report["held"] = len(held)
    report["cut_off"] = closed
elif scenario == "slow_flood":
    started = time.monotonic()
    flood = []
    for _ in range(200):
        try:
            flood.append(connect())
        except OSError:
            pass
    report["connected"] = len(flood)
    open_ = list(flood)
    last = 0.0
    while open_ and time.monotonic() - started < 60:
        for c in list(open_):
            try:
                c.sendall(b"G")
            except OSError:
                open_.remove(c)
                last = time.monotonic() - started
        time.sleep(0.5)
    report["still_open"] = len(open_)
    report["last_cut_off_s"] = round(last, 1)
print(json.dumps(report), flush=True)
"""


def status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def serving_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "lanyard-loopback-request")


class Heartbeat:
    """A 10 ms QTimer; the worst lateness between two beats since reset()."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._beat)
        self.reset()
        self.timer.start()

    def reset(self) -> None:
        self.last = time.monotonic()
        self.worst = 0.0

    def _beat(self) -> None:
        now = time.monotonic()
        self.worst = max(self.worst, now - self.last - HEARTBEAT_MS / 1000)
        self.last = now


def run_until(app: QApplication, done: Any, beat: Heartbeat, sample: Any = None) -> None:
    """Run the event loop until ``done()`` (checked every 20 ms); ``sample()`` every 20 ms."""
    finished = threading.Event()

    def check() -> None:
        if sample is not None:
            sample()
        if done():
            finished.set()
            app.quit()

    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(check)
    poll.start()
    app.exec()
    poll.stop()


def client_argv(as_other: Any) -> list[str]:
    if as_other is not None:
        return list(as_other.python_as(CLIENT))
    imports = "import encodings.idna, json, os, socket, sys, time\n"
    return [sys.executable, "-c", imports + CLIENT]


def scenario(
    app: QApplication, receiver: LoopbackReceiver, name: str, options: Any, as_other: Any
) -> dict[str, Any]:
    quick = options.quick
    plan = {
        "port": receiver.port,
        "scenario": name,
        "size": (100 << 20) if quick else (1 << 30),
        "requests": 200 if quick else 2000,
    }
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    before = status_kb("VmRSS")
    client = subprocess.Popen(
        client_argv(as_other),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd="/",
    )
    assert client.stdin is not None
    client.stdin.write(json.dumps(plan) + "\n")
    client.stdin.close()
    most = [0]
    beat = Heartbeat()
    started = time.monotonic()

    def sample() -> None:
        most[0] = max(most[0], serving_threads())

    run_until(app, lambda: client.poll() is not None, beat, sample)
    took = time.monotonic() - started
    assert client.stdout is not None and client.stderr is not None
    with client.stdout, client.stderr:  # it has exited: all it wrote is there
        out, err = client.stdout.read(), client.stderr.read()
    if client.wait() != 0:
        raise RuntimeError(f"client for {name} failed: {err[-2000:]}")
    figures = {
        "seconds": round(took, 2),
        "rss_growth_mb": round((status_kb("VmHWM") - before) / 1024, 1),
        "gui_stall_ms": round(beat.worst * 1000, 1),
        "threads_at_most": most[0],
        "threads_left": serving_threads(),
        "client": json.loads(out.strip().splitlines()[-1]),
    }
    beat.timer.stop()
    return figures


def measure(options: Any, as_other: Any) -> dict[str, Any]:
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    receiver = LoopbackReceiver("the-state-the-client-never-sends")
    results: dict[str, Any] = {}
    try:
        beat = Heartbeat()
        idle_until = time.monotonic() + 2.0
        run_until(app, lambda: time.monotonic() > idle_until, beat)
        results["idle"] = {"gui_stall_ms": round(beat.worst * 1000, 1)}
        beat.timer.stop()
        for name in SCENARIOS:
            results[name] = scenario(app, receiver, name, options, as_other)
            print(f"  {name}: {results[name]}", file=sys.stderr, flush=True)
        results["turned_away"] = receiver.turned_away
        results["refused_peers"] = receiver.refused_peers
    finally:
        receiver.close()
    time.sleep(0.5)
    results["threads_after_close"] = serving_threads()
    return results


def print_table(results: dict[str, Any], who: str) -> None:
    print(f"Loopback receiver under hostile requests (client: {who})")
    print(
        f"{'scenario':<17}{'RSS growth':>12}{'GUI stall':>11}{'threads max':>13}"
        f"{'left':>6}{'seconds':>9}"
    )
    print(f"{'idle (baseline)':<17}{'':>12}{results['idle']['gui_stall_ms']:>8.1f} ms")
    for name in SCENARIOS:
        row = results[name]
        print(
            f"{name:<17}{row['rss_growth_mb']:>9.1f} MB{row['gui_stall_ms']:>8.1f} ms"
            f"{row['threads_at_most']:>13}{row['threads_left']:>6}{row['seconds']:>9.1f}"
        )
    worst_rss = max(results[n]["rss_growth_mb"] for n in SCENARIOS)
    worst_stall = max(results[n]["gui_stall_ms"] for n in SCENARIOS)
    flood = results["slow_flood"]
    print(f"worst RSS growth: {worst_rss:.1f} MB; worst GUI stall: {worst_stall:.1f} ms")
    print(
        f"slow flood of 200: {flood['client']['connected']} connected, at most "
        f"{flood['threads_at_most']} serving threads, {flood['threads_left']} left when it "
        f"ended (last cut off after {flood['client']['last_cut_off_s']} s), "
        f"{results['threads_after_close']} after close(); closed at accept: "
        f"{results['turned_away']} (all slots busy), {results['refused_peers']} (uid check)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short mode for CI")
    parser.add_argument("--as-other-user", action="store_true", help="client as a 2nd OS user")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    options = parser.parse_args(argv)
    if not sys.platform.startswith("linux"):
        print("Linux only (/proc/self/status, clear_refs)", file=sys.stderr)
        return 2
    if options.as_other_user:
        from tests.support.other_user import created_user

        with created_user() as user:
            results = measure(options, user)
            who = f"another OS user, uid {user.uid}"
    else:
        results = measure(options, None)
        who = "this user"
    print_table(results, who)
    options.json.parent.mkdir(parents=True, exist_ok=True)
    document = {"client": who, "quick": options.quick, "figures": results}
    options.json.write_text(json.dumps(document, indent=2) + "\n")
    print(json.dumps(document))
    return 0


if __name__ == "__main__":
    sys.exit(main())
