"""End to end with a real browser: Lanyard on Xvfb opens the "system browser", which is Debian's
Chromium driven by Playwright, clicking through the sandbox's real sign-in and consent pages.

What the stand-in browser cannot show: Chromium runs the form_post page's script and POSTs the
response to Lanyard's loopback listener, keeps the sandbox's session cookie (the second sign-in
needs no password), and trusts the sandbox only because its CA is in Chromium's NSS database
(never --ignore-certificate-errors).

Chromium is never downloaded: Playwright launches /usr/bin/chromium (`playwright install` is not
run). Needs chromium, certutil (libnss3-tools), Xvfb and the playwright package: skips without
them, fails under CI=true.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from PySide6.QtGui import QImage

from desktop_app.sandbox import Sandbox, directory
from tests.conftest import REPO, in_ci
from tests.support.xvfb import display_env, require, xvfb_display

pytestmark = pytest.mark.display
APP = REPO / "tests" / "support" / "e2e_app.py"
HANDOFF = REPO / "tests" / "support" / "url_handoff.py"
ARTIFACTS = REPO / ".artifacts"
CHROMIUM = "/usr/bin/chromium"
USER = directory.ADMIN_UPN
PASSWORD = "sandbox"
STEP_TIMEOUT_MS = 30_000
CHROMIUM_FLAGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's own sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing(why: str) -> None:
    if in_ci():
        pytest.fail(why + " - CI must install it")
    pytest.skip(why)


@pytest.fixture
def chromium_home(tmp_path: Path) -> Iterator[Path]:
    """A HOME for Chromium whose NSS database trusts only what the test adds. Removed after the
    test: it is the browser's profile, not Lanyard's (the leak scan looks at Lanyard's files)."""
    if not Path(CHROMIUM).exists():
        _missing(f"{CHROMIUM} is not installed (apt-get install chromium)")
    require("certutil", "trusting the sandbox CA in Chromium's NSS database (libnss3-tools)")
    home = Path(tempfile.mkdtemp(prefix="chromium-home-"))
    try:
        yield home
    finally:
        shutil.rmtree(home, ignore_errors=True)


def trust_ca(home: Path, ca_file: str) -> None:
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True)
    subprocess.run(
        ["certutil", "-d", f"sql:{nssdb}", "-N", "--empty-password"], check=True, timeout=30
    )
    subprocess.run(
        [
            "certutil",
            "-d",
            f"sql:{nssdb}",
            "-A",
            "-t",
            "C,,",
            "-n",
            "lanyard-sandbox",
            "-i",
            ca_file,
        ],
        check=True,
        timeout=30,
    )


def wait_for_line(path: Path, count: int, timeout: float, child: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = path.read_text().splitlines() if path.exists() else []
        if len(lines) >= count:
            return lines[count - 1]
        if child.poll() is not None:
            break
        time.sleep(0.1)
    pytest.fail(f"Lanyard did not open the browser (URL #{count}); child exit {child.poll()}")


def click_through(page: Any, url: str, first: bool) -> dict[str, Any]:
    """Do what a person does in the browser; report what was seen."""
    seen: dict[str, Any] = {"pages": [], "to_lanyard": [], "signed_in_tag": False}

    def on_request(request: Any) -> None:
        if request.url.startswith("http://localhost:"):
            # the field names only: the values are the authorization code and state
            fields = sorted(parse_qs(request.post_data or "").keys())
            seen["to_lanyard"].append((request.method, fields))

    page.on("request", on_request)
    page.goto(url, timeout=STEP_TIMEOUT_MS)
    deadline = time.monotonic() + STEP_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        page.wait_for_load_state("load", timeout=STEP_TIMEOUT_MS)
        if page.url.startswith("http://localhost:"):
            seen["landing"] = page.inner_text("body", timeout=STEP_TIMEOUT_MS)
            break
        if page.locator("input[name=password]").count():
            seen["pages"].append("sign-in")
            account = page.locator(f"label.account:has(input[value='{USER}'])")
            seen["signed_in_tag"] = seen["signed_in_tag"] or bool(account.locator(".tag").count())
            account.locator("input[name=username]").check()
            if first:  # the second time, the session cookie stands in for the password
                page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation(timeout=STEP_TIMEOUT_MS):
                page.click("button[value=signin]")
        elif page.locator("button[value=accept]").count():
            seen["pages"].append("consent")
            with page.expect_navigation(timeout=STEP_TIMEOUT_MS):
                page.click("button[value=accept]")
        elif page.locator("form[name=hiddenform]").count():
            # its script usually submits it before we look; if not, wait for it to
            page.wait_for_url("http://localhost:*/**", timeout=STEP_TIMEOUT_MS)
        else:
            pytest.fail(f"unexpected page: {page.inner_text('body')[:300]}")
    page.remove_listener("request", on_request)
    return seen


def test_sign_in_with_real_chromium(tmp_path: Path, chromium_home: Path) -> None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed (pip install -e '.[test]')")
    started = time.monotonic()
    url_file = tmp_path / "urls.txt"
    app_output = tmp_path / "e2e_app.out"
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "e2e-real-browser.png"
    shot.unlink(missing_ok=True)
    with Sandbox(state_dir=tmp_path / "sandbox") as sandbox, xvfb_display() as display:
        info = sandbox.info
        trust_ca(chromium_home, info.ca_file)
        env = display_env(display)
        env["BROWSER"] = f"{sys.executable} {HANDOFF}"
        env["E2E_URL_FILE"] = str(url_file)
        with app_output.open("w") as out, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_FLAGS,
                env={**os.environ, "HOME": str(chromium_home)},
            )
            child = subprocess.Popen(
                [
                    sys.executable,
                    str(APP),
                    str(shot),
                    "--authority",
                    info.authority,
                    "--client-id",
                    info.client_id,
                    "--graph",
                    info.graph_endpoint,
                    "--ca",
                    info.ca_file,
                    "--profile",
                    str(tmp_path / "profile"),
                ],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
            )
            try:
                context = browser.new_context()
                page = context.new_page()
                first = click_through(page, wait_for_line(url_file, 1, 60, child), first=True)
                second = click_through(page, wait_for_line(url_file, 2, 60, child), first=False)
                cookies = {c["name"] for c in context.cookies()}
                code = child.wait(60)
            finally:
                if child.poll() is None:
                    child.kill()
                    child.wait()
                browser.close()
    elapsed = time.monotonic() - started
    steps = [
        json.loads(line) for line in app_output.read_text().splitlines() if line.startswith("{")
    ]
    print(
        f"real-browser end to end: {elapsed:.1f} s; first {first['pages']}, second {second['pages']}"
    )
    assert code == 0, app_output.read_text()[-3000:]

    # form_post: Chromium ran the page's script and POSTed the response to Lanyard's listener,
    # with the fields Entra sends
    form_post = ("POST", ["client_info", "code", "session_state", "state"])
    assert first["pages"] == ["sign-in", "consent"]
    assert first["to_lanyard"] == [form_post]
    assert "You are signed in" in first["landing"]
    # the session cookie: the second sign-in knew the account and needed no password
    assert cookies, "the sandbox set no session cookie"
    assert "consent" not in second["pages"]
    if "sign-in" in second["pages"]:  # select_account still shows the picker
        assert second["signed_in_tag"]
    assert second["to_lanyard"] == [form_post] and "You are signed in" in second["landing"]
    # the window: signed in twice, the right person, and a screenshot of it
    signed = [s for s in steps if s["step"] == "signed-in"]
    assert [s["round"] for s in signed] == [1, 2]
    assert signed[0]["name"] == "Megan Bowen"
    assert {"step": "screenshot", "saved": True} in steps
    image = QImage(str(shot))
    assert not image.isNull() and image.width() >= 800 and image.height() >= 600
