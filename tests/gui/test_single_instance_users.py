"""The single-instance socket against another user of the computer (issue 15, item 1): a real
second OS user (tests/support/other_user.py) runs a small Python program that listens or
connects where Lanyard does; Lanyard runs as this user, in real processes or in this one.

Before the fix the socket was /tmp/lanyard-<uid>-<hash>: another user listening there first got
every hand-off (all the arguments, a proxy password included) and Lanyard exited 0 without a
window.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.ui.single_instance import Role, SingleInstance, server_name
from tests.conftest import REPO
from tests.support.other_user import OtherUser, other_user, shared_tmp  # noqa: F401 (fixture)

PROBE = REPO / "tests" / "support" / "app_probe.py"

# Run as the other user: listen on each path in "listen" (making "make_dirs" first, open to
# all), say LISTENING, note every connection and what it sent until stdin closes, then report.
SQUATTER = r"""
plan = json.loads(sys.stdin.readline())
for folder in plan.get("make_dirs", []):
    os.makedirs(folder, exist_ok=True)
    os.chmod(folder, 0o777)
listeners = []
for path in plan["listen"]:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    os.chmod(path, 0o777)
    server.listen(8)
    listeners.append(server)
print("LISTENING", flush=True)
seen = {"connections": 0, "received": ""}
clients = []
while True:
    ready, _, _ = select.select([*listeners, *clients, sys.stdin], [], [], 30)
    if not ready or sys.stdin in ready:
        break
    for item in ready:
        if item in listeners:
            client, _ = item.accept()
            seen["connections"] += 1
            clients.append(client)
        else:
            data = item.recv(65536)
            seen["received"] += data.decode("utf-8", "replace")
            if not data:
                clients.remove(item)
print(json.dumps(seen), flush=True)
"""


class Squatter:
    """The other user's listener; ``report()`` stops it and says what it saw."""

    def __init__(self, user: OtherUser, listen: list[Path], make_dirs: list[Path]) -> None:
        self.process = user.start(SQUATTER)
        assert self.process.stdin is not None and self.process.stdout is not None
        plan = {"listen": [str(p) for p in listen], "make_dirs": [str(d) for d in make_dirs]}
        self.process.stdin.write(json.dumps(plan) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline().strip()
        assert line == "LISTENING", self.process.communicate(timeout=10)[1][-2000:]

    def report(self) -> dict[str, object]:
        out, err = self.process.communicate(timeout=30)
        assert self.process.returncode == 0, err[-2000:]
        return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.fixture
def shared() -> Iterator[Path]:
    with shared_tmp() as folder:
        yield folder


def lanyard_env(tmp: Path, runtime: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    env |= {"QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(tmp)}
    if runtime is not None:
        env["XDG_RUNTIME_DIR"] = str(runtime)
    return env


def probe_banner(profile: Path, env: dict[str, str], *extra: str) -> dict[str, object]:
    """Start Lanyard's window path; report the banner's text (None: no banner, or no window)."""
    argv = [sys.executable, str(PROBE), "banner", "--", "--sandbox", "--profile-dir", str(profile)]
    result = subprocess.run(
        [*argv, *extra],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_a_socket_another_user_set_up_first_gets_nothing_and_a_window_opens(
    other_user: OtherUser,  # noqa: F811
    shared: Path,
    tmp_path: Path,
) -> None:
    """The other user listens everywhere this Lanyard could look: the old /tmp name, a
    runtime directory of theirs that the environment names (as `sudo` leaves it), and the
    per-user folder Lanyard would make, made first by them."""
    profile = tmp_path / "profile"
    name = server_name(profile, sandbox=True)
    theirs_runtime = shared / "their-run-user"
    taken = shared / f"lanyard-{os.geteuid()}"
    squatter = Squatter(
        other_user,
        listen=[shared / name, theirs_runtime / name, taken / name],
        make_dirs=[theirs_runtime, taken],
    )
    proxy = "http://someone:hunter2-proxy-pw@127.0.0.1:9"
    report = probe_banner(profile, lanyard_env(shared, theirs_runtime), "--proxy", proxy)
    seen = squatter.report()
    assert seen == {"connections": 0, "received": ""}  # not even a connection
    assert report["exit_code"] == 0
    text = str(report["value"])  # a window opened, and says why it runs alone
    assert f"Lanyard could not use {taken}" in text
    assert f"belongs to another user (user id {other_user.uid})" in text
    assert "opens another window" in text


def test_a_server_of_another_user_gets_no_hand_off(
    qtbot: QtBot,
    other_user: OtherUser,  # noqa: F811
    shared: Path,
) -> None:
    """Past the folder check (here the socket is named directly), SO_PEERCRED tells whose server
    answered: not a byte is handed to another user's, and this window runs alone."""
    folder = shared / "theirs"
    squatter = Squatter(other_user, listen=[folder / "sock"], make_dirs=[folder])
    instance = SingleInstance(str(folder / "sock"))
    try:
        assert instance.claim() is Role.ALONE
    finally:
        instance.close()
    seen = squatter.report()
    assert seen == {"connections": 1, "received": ""}  # it connected to ask, and sent nothing
    assert instance.problem is not None
    assert f"user id {other_user.uid}" in instance.problem.message
    assert instance.problem.details == {"sender": str(other_user.uid)}


# Run as the other user: connect to the path on stdin's first line and ask for the window.
KNOCKER = r"""
path = sys.stdin.readline().strip()
client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
client.settimeout(10)
try:
    client.connect(path)
except OSError as exc:
    print(json.dumps({"connected": False, "errno": exc.errno}))
    sys.exit(0)
answer = b""
try:
    client.sendall(b'{"action": "raise"}\n')
    while chunk := client.recv(100):
        answer += chunk
except OSError:
    pass  # dropped
print(json.dumps({"connected": True, "answer": answer.decode()}))
"""


def test_another_user_cannot_reach_the_running_window(
    other_user: OtherUser,  # noqa: F811
    shared: Path,
    tmp_path: Path,
) -> None:
    profile = tmp_path / "profile"
    window = subprocess.Popen(
        [sys.executable, str(PROBE), "handoff", "--", "--sandbox", "--profile-dir", str(profile)],
        cwd=REPO,
        env=lanyard_env(shared),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert window.stdout is not None
        assert window.stdout.readline().strip() == "READY", window.stderr
        address = shared / f"lanyard-{os.geteuid()}" / server_name(profile, sandbox=True)
        assert address.is_socket()
        knock = other_user.run(KNOCKER, stdin=f"{address}\n")
        assert json.loads(knock.stdout) == {"connected": False, "errno": 13}  # EACCES
    finally:
        window.kill()
        window.communicate(timeout=30)


def test_a_hand_off_from_another_user_is_dropped(
    qtbot: QtBot,
    other_user: OtherUser,  # noqa: F811
    shared: Path,
) -> None:
    """Past the folder (here one open to all on purpose), the server checks who connected."""
    folder = shared / "open"
    folder.mkdir(mode=0o777)
    os.chmod(folder, 0o777)
    instance = SingleInstance(str(folder / "sock"))
    asked: list[object] = []
    instance.activated.connect(asked.append)
    try:
        assert instance.claim() is Role.PRIMARY
        os.chmod(folder / "sock", 0o777)
        knocker = other_user.start(KNOCKER)
        assert knocker.stdin is not None
        knocker.stdin.write(f"{folder / 'sock'}\n")
        knocker.stdin.flush()
        qtbot.waitUntil(lambda: knocker.poll() is not None, timeout=15_000)  # Qt serves it
        out, err = knocker.communicate(timeout=10)
        assert knocker.returncode == 0, err[-2000:]
        answer = json.loads(out)
        assert answer == {"connected": True, "answer": ""}  # dropped: no "ok"
        qtbot.wait(200)
        assert asked == []
        # this user's own launch still gets through
        mine = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        mine.connect(str(folder / "sock"))
        mine.sendall(b'{"action": "raise"}\n')
        qtbot.waitUntil(lambda: asked == [{"action": "raise"}], timeout=5000)
        mine.close()
    finally:
        instance.close()
