"""What a screen reader gets, read through the real accessibility bus (AT-SPI), not Qt's API.

The real window runs in the sandbox demo on Xvfb, on a private D-Bus session with at-spi2-core's
accessibility bus (tests/support/atspi_bus.py); Qt's bridge puts it on that bus. The window is
stepped through every page (tests/support/atspi_app.py), and at each step a client under Debian's
python3 with pyatspi (tests/support/atspi_client.py) reads the tree as Orca would. Each control a
person can see on the page is found in that tree by its place on the screen, and must have a
role, a name a person can understand (not a widget's object name; for a combo box, whose AT-SPI
name is its value, a label) and the states Qt knows (enabled, checked, focusable). The banner
and the status line are announced on the bus, and the access token is nowhere in the tree,
hidden parts included, until Reveal is pressed.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, STANDIN_BROWSER
from tests.support import atspi_bus
from tests.support.atspi_bus import accessibility_bus
from tests.support.xvfb import display_env, xvfb_display

pytestmark = pytest.mark.display
APP = REPO / "tests" / "support" / "atspi_app.py"
STEPS = (
    "welcome",
    "profile",
    "copied",
    "roles",
    "token",
    "token-revealed",
    "token-hidden",
    "inspector",
    "api",
    "api-answered",
    "admin",
    "settings",
    "before-banner",
    "banner",
)
# the roles a control of each kind may have on AT-SPI (Qt's mapping)
ROLES = {
    "QAbstractButton": {"push button", "toggle button", "check box", "radio button"},
    "QComboBox": {"combo box"},
    "QLineEdit": {"text", "entry", "password text"},
    "QAbstractSpinBox": {"spin button"},
    "QPlainTextEdit": {"text", "entry"},
    "QTextEdit": {"text", "entry"},
    "QTabBar": {"page tab list"},
    "QAbstractItemView": {"table", "tree", "tree table", "list", "list box"},
}
# roles a person operates: every one that is showing must have a name
INTERACTIVE = set().union(*ROLES.values()) | {"page tab", "menu item", "link", "menu"}
IDENTIFIER = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)+|[a-z]+[A-Z]\w*")  # token_field, copyButton
LIVE_POLITE, LIVE_ASSERTIVE = 1, 2  # AT-SPI's politeness, in an announcement's detail1


@dataclass
class Walk:
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)  # what the app reported
    trees: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # the AT-SPI nodes
    events: list[dict[str, Any]] = field(default_factory=list)  # what was said, in order
    seconds: float = 0.0


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory) -> Walk:
    """The window stepped through every page once, each page's tree read from the bus."""
    base = tmp_path_factory.mktemp("atspi")
    result = Walk()
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        display = stack.enter_context(xvfb_display())
        bus = stack.enter_context(accessibility_bus(base / "bus", display))
        # listening from the start, as a screen reader is: what is said at each step is kept
        log = stack.enter_context(bus.listening())
        env = display_env(display) | bus.env
        env["BROWSER"] = f"{sys.executable} {STANDIN_BROWSER} --detach"
        env.pop("STANDIN_CA", None)
        errors = (base / "app.log").open("w")
        app = subprocess.Popen(
            [sys.executable, str(APP)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        assert app.stdin is not None and app.stdout is not None
        try:

            def next_step() -> dict[str, Any]:
                assert app.stdout is not None
                line = app.stdout.readline()
                assert line, f"the window exited:\n{(base / 'app.log').read_text()[-3000:]}"
                step: dict[str, Any] = json.loads(line)
                assert step["at"] not in ("timeout", "missing"), step
                return step

            def go_on() -> None:
                assert app.stdin is not None
                app.stdin.write("next\n")
                app.stdin.flush()

            while (step := next_step())["at"] != "done":
                # signed in, the whole tree, hidden parts too: where a token could hide
                tree = bus.dump("Lanyard", everything=bool(step["token"]))
                assert tree["nodes"], f"Lanyard is not on the accessibility bus: {tree['apps']}"
                assert not tree["truncated"]
                result.steps[step["at"]] = step
                result.trees[step["at"]] = tree["nodes"]
                if step["at"] == "banner":  # all it causes to be said has arrived
                    log.wait_for(partial(_starts_with, str(step["banner"])))
                go_on()
            result.events = list(log.events)
        finally:
            app.stdin.close()
            try:
                app.wait(30)
            except subprocess.TimeoutExpired:
                app.kill()
                app.wait()
            app.stdout.close()
            errors.close()
    result.seconds = time.monotonic() - started
    return result


def _starts_with(prefix: str, event: dict[str, Any]) -> bool:
    return str(event["data"]).startswith(prefix)


def overlap(a: list[int] | None, b: list[int]) -> float:
    """How much two screen rectangles cover each other (1.0: the same)."""
    if not a:
        return 0.0
    width = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    height = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    inter = max(0, width) * max(0, height)
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union else 0.0


def showing(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [n for n in nodes if "showing" in n["states"]]


def describe(control: dict[str, Any]) -> str:
    return f"{control['class']} {control['object'] or '(no object name)'} at {control['rect']}"


def find_node(control: dict[str, Any], nodes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The showing node of the control's kind that covers its place on the screen."""
    kinds = ROLES[control["kind"]]
    candidates = [n for n in showing(nodes) if n["role"] in kinds]
    best = max(candidates, key=lambda n: overlap(n["extents"], control["rect"]), default=None)
    if best is None or overlap(best["extents"], control["rect"]) < 0.8:
        return None
    return best


def test_the_walk_reaches_every_page_in_modest_time(walk: Walk) -> None:
    assert list(walk.steps) == list(STEPS)
    assert walk.seconds < 60, f"the walk took {walk.seconds:.1f} s"


@pytest.mark.parametrize("step", STEPS)
def test_every_control_has_a_role_a_name_and_its_state(walk: Walk, step: str) -> None:
    report, nodes = walk.steps[step], walk.trees[step]
    assert report["controls"], f"no controls reported on {step}"
    object_names = {c["object"] for c in report["controls"] if c["object"]}
    problems: list[str] = []
    for control in report["controls"]:
        node = find_node(control, nodes)
        if node is None:
            problems.append(f"{describe(control)}: not in the AT-SPI tree")
            continue
        name = node["name"].strip()
        if not name or name in object_names or IDENTIFIER.fullmatch(name):
            problems.append(f"{describe(control)}: {node['role']} named {name!r}")
        if control["kind"] == "QComboBox" and not any(s.strip() for s in node["labelled_by"]):
            # on AT-SPI a combo box's name is its current item: its label is a relation
            problems.append(f"{describe(control)}: combo box {name!r} has no label")
        states = set(node["states"])
        for state, expected in (
            ("enabled", control["enabled"]),
            ("sensitive", control["enabled"]),
            ("focusable", control["focusable"]),
            ("checkable", control["checkable"]),
            ("checked", control["checked"]),
        ):
            if (state in states) != expected:
                problems.append(f"{describe(control)}: {state} should be {expected}: {states}")
        if control["kind"] == "QTabBar":
            tabs = {n["name"] for n in showing(nodes) if n["role"] == "page tab"}
            for text in control["tabs"]:
                label = text.replace("&&", "\0").replace("&", "").replace("\0", "&")
                if label not in tabs:
                    problems.append(f"tab {label!r}: no page tab of that name")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("step", STEPS)
def test_nothing_operable_is_nameless(walk: Walk, step: str) -> None:
    """Also what Qt adds of its own (a line edit's clear button, tabs, menus)."""
    nameless = [
        f"{n['role']} at {n['extents']}"
        for n in showing(walk.trees[step])
        if n["role"] in INTERACTIVE and not n["name"].strip()
    ]
    assert not nameless, nameless


def holding_token(nodes: list[dict[str, Any]], token: str) -> list[str]:
    """Where the token is in the tree: "<role> <field>: <its name>" (a name holding the token
    is not repeated, so a failure does not print it)."""
    return [
        f"{n['role']} {key}: " + ("(holds the token)" if token in n["name"] else n["name"])
        for n in nodes
        for key in ("name", "description", "text")
        if token in (n.get(key) or "")
    ]


@pytest.mark.parametrize("step", [s for s in STEPS if s not in ("welcome", "token-revealed")])
def test_the_token_is_not_in_the_tree_while_hidden(walk: Walk, step: str) -> None:
    token = walk.steps[step]["token"]
    assert len(token) > 100, "no access token to look for"
    found = holding_token(walk.trees[step], token)
    assert not found, f"the access token is exposed on {step} by: {found}"


def test_the_token_is_in_the_tree_once_revealed(walk: Walk) -> None:
    """The search above finds a token where there is one: after Reveal, in the token field."""
    step = walk.steps["token-revealed"]
    found = holding_token(walk.trees["token-revealed"], step["token"])
    assert found == ["text text: Access token (shown; it hides itself again after a minute)"]


def test_the_banner_and_the_status_line_are_announced(walk: Walk) -> None:
    banner, state = walk.steps["banner"]["banner"], walk.steps["banner"]["state"]
    assert banner and state == "Sign-in needed"
    said = [e for e in walk.events if e["type"] == "object:announcement"]
    about_banner = [e for e in said if e["data"].startswith(banner)]
    # a warning waits for what is being read; said once, though the window shows it twice
    assert len(about_banner) == 1, said
    assert about_banner[0]["detail1"] == LIVE_POLITE
    assert "Sign in again" in about_banner[0]["data"]  # with what to do
    lines = [e["data"] for e in said if e["role"] == "label"]  # the state line's changes
    assert "Signed in" in lines and lines[-1] == state
    assert "Refreshing…" not in lines  # a routine refresh is not said
    assert walk.steps["copied"]["message"] == "Copied"
    assert [e for e in said if e["role"] == "status bar" and e["data"] == "Copied"]


def test_a_missing_accessibility_bus_fails_under_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """CI must install at-spi2-core: without it this test fails there instead of skipping."""
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(atspi_bus, "LAUNCHER", tmp_path / "at-spi-bus-launcher")
    with pytest.raises(pytest.fail.Exception, match=r"at-spi2-core.*CI must install it"):
        atspi_bus.require_atspi()
