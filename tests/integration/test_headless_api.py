"""`lanyard api` in child processes against the sandbox over HTTPS: real msal, real requests, the
profile signed in as the window does (the stand-in browser). Graph /me, --all over the overage
user's 250 groups, the Orders API's POST/PATCH/DELETE after granting Orders.ReadWrite with the
command the consent message names, the photo to a pipe, a terminal and --output, a 404's exit
status and body, a claims challenge retried silently; no Qt, no traceback, no token printed."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop_app.headless import EXIT_OK, EXIT_SIGN_IN, EXIT_USAGE
from desktop_app.headless_api_args import EXIT_HTTP
from desktop_app.sandbox import Sandbox, directory
from tests.conftest import REPO
from tests.integration.test_headless import CHILD, lanyard
from tests.integration.test_headless_login import browser_env
from tests.support import figures
from tests.support.sandbox_helpers import headless_profile

ORDERS_READ_WRITE = f"{directory.API_URI}/Orders.ReadWrite"


@pytest.fixture(scope="module")
def lynne(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Flags for a profile signed in as the overage user (250 groups), with User.Read only."""
    return headless_profile(sandbox, tmp_path_factory.mktemp("lynne"), directory.OVERAGE_UPN)


@pytest.fixture(scope="module")
def megan(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Flags for a profile signed in as the admin (a photo, no manager)."""
    return headless_profile(sandbox, tmp_path_factory.mktemp("megan"), directory.ADMIN_UPN)


def raw_lanyard(*args: str, stdout: int | None = None) -> subprocess.CompletedProcess[bytes]:
    """``lanyard ARGS`` with stdout as bytes (or onto ``stdout``, a terminal's descriptor)."""
    result = subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        cwd=REPO,
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        timeout=120,
        check=False,
    )
    assert result.stderr.endswith(b"NO-QT"), result.stderr[-2000:]
    assert b"Traceback" not in result.stderr
    return result


def graph_requests(sandbox: Sandbox, path: str) -> int:
    return sum(1 for r in sandbox.requests() if r.get("path") == path)


def test_me_prints_the_profile_as_json_and_nothing_else(lynne: list[str]) -> None:
    started = time.perf_counter()
    result = lanyard("api", "/me", *lynne)
    took = time.perf_counter() - started
    assert result.returncode == EXIT_OK, result.stderr
    document = json.loads(result.stdout)
    assert document["userPrincipalName"] == directory.OVERAGE_UPN
    assert result.stdout.startswith('{\n  "@odata.context"')  # pretty-printed
    assert result.stderr == "NO-QT"
    figures.record("lanyard api /me", f"{took:.2f} s wall (a child process, Python start included)")


def test_all_follows_next_links_into_one_document_of_250_groups(
    sandbox: Sandbox, lynne: list[str]
) -> None:
    before = graph_requests(sandbox, "/v1.0/me/memberOf")
    one_page = json.loads(lanyard("api", "/me/memberOf", *lynne).stdout)
    assert len(one_page["value"]) == 100 and "@odata.nextLink" in one_page
    started = time.perf_counter()
    result = lanyard("api", "GET", "/me/memberOf", "--all", *lynne)
    took = time.perf_counter() - started
    assert result.returncode == EXIT_OK, result.stderr
    merged = json.loads(result.stdout)
    ids = [group["id"] for group in merged["value"]]
    assert len(ids) == len(set(ids)) == 250
    assert "@odata.nextLink" not in merged
    assert graph_requests(sandbox, "/v1.0/me/memberOf") - before == 1 + 3
    assert "lanyard: page 2 (100 items so far)…" in result.stderr
    assert "lanyard: page 3 (200 items so far)…" in result.stderr
    assert "lanyard: 250 items in 3 pages." in result.stderr
    figures.record("lanyard api --all", f"250 groups in 3 pages, {took:.2f} s wall (child process)")


def test_orders_need_consent_then_post_patch_delete_with_the_granted_scope(
    sandbox: Sandbox, lynne: list[str], tmp_path: Path
) -> None:
    orders = f"{sandbox.info.api_endpoint}/orders"
    # the demo's Orders API without --scopes: its own scope (Orders.Read), never consented here
    read = lanyard("api", orders, *lynne)
    assert read.returncode == EXIT_SIGN_IN, read.stderr
    assert read.stdout == ""
    assert f"This API needs your consent first: {sandbox.info.api_scope}." in read.stderr
    body = '{"item": "Lanyard, green", "quantity": 12}'
    post = ("api", "POST", orders, "--scopes", ORDERS_READ_WRITE, "--body", body, "-i")
    refused = lanyard(*post, *lynne)
    assert refused.returncode == EXIT_SIGN_IN, refused.stderr
    grant = [w for w in refused.stderr.split("`") if " login --scopes " in w]
    assert grant == [f"lanyard {' '.join(lynne)} login --scopes {ORDERS_READ_WRITE}"], (
        refused.stderr
    )
    assert "65001" in refused.stderr
    # what the message says to run, with the stand-in browser accepting the consent page
    login = lanyard(
        *grant[0].split()[1:], env=browser_env(sandbox, tmp_path, directory.OVERAGE_UPN)
    )
    assert login.returncode == EXIT_OK, login.stderr

    created = lanyard(*post, *lynne)
    assert created.returncode == EXIT_OK, created.stderr
    order = json.loads(created.stdout)
    assert (order["item"], order["quantity"], order["status"]) == (
        "Lanyard, green",
        12,
        "processing",
    )
    location = f"{orders}/{order['id']}"
    assert "HTTP 201 Created\n" in created.stderr
    assert f"location: {location}\n" in created.stderr
    assert f"location: {location}" not in created.stdout  # stdout is the body alone

    change = tmp_path / "change.json"
    change.write_text('{"quantity": 3, "status": "shipped"}', encoding="utf-8")
    patched = lanyard(
        "api", "patch", location, "--scopes", ORDERS_READ_WRITE, "--body", f"@{change}", *lynne
    )
    assert patched.returncode == EXIT_OK, patched.stderr
    assert json.loads(patched.stdout)["quantity"] == 3
    got = json.loads(lanyard("api", location, "--scopes", ORDERS_READ_WRITE, *lynne).stdout)
    assert (got["quantity"], got["status"]) == (3, "shipped")

    deleted = lanyard("api", "DELETE", location, "--scopes", ORDERS_READ_WRITE, "-i", *lynne)
    assert deleted.returncode == EXIT_OK, deleted.stderr
    assert deleted.stdout == ""
    assert "HTTP 204 No Content" in deleted.stderr
    gone = lanyard("api", location, "--scopes", ORDERS_READ_WRITE, *lynne)
    assert gone.returncode == EXIT_HTTP, gone.stderr
    assert json.loads(gone.stdout)["error"]["code"] == "NotFound"  # the error body, on stdout
    assert f"HTTP 404 Not Found: Calling the API failed: There is no order '{order['id']}'." in (
        gone.stderr
    )


def test_a_404_has_the_http_exit_status_with_its_body_on_stdout(megan: list[str]) -> None:
    result = lanyard("api", "/me/manager", *megan)
    assert result.returncode == EXIT_HTTP, result.stderr
    assert json.loads(result.stdout)["error"]["code"] == "Request_ResourceNotFound"
    assert "lanyard: HTTP 404 Not Found: " in result.stderr
    assert "request_id: " in result.stderr  # what support asks for


def test_the_photo_goes_to_a_pipe_or_a_file_but_not_to_a_terminal(
    megan: list[str], tmp_path: Path
) -> None:
    piped = raw_lanyard("api", "/me/photo/$value", *megan)
    assert piped.returncode == EXIT_OK, piped.stderr
    assert piped.stdout.startswith(b"\x89PNG\r\n\x1a\n")
    saved = tmp_path / "megan.png"
    to_file = raw_lanyard("api", "/me/photo/$value", "--output", str(saved), *megan)
    assert to_file.returncode == EXIT_OK, to_file.stderr
    assert to_file.stdout == b""
    assert saved.read_bytes() == piped.stdout
    size = len(piped.stdout) / 1024
    assert f"lanyard: saved {size:.1f} KB to {saved}.".encode() in to_file.stderr
    leader, follower = pty.openpty()
    try:
        on_terminal = raw_lanyard("api", "/me/photo/$value", *megan, stdout=follower)
        os.set_blocking(leader, False)
        try:
            shown = os.read(leader, 65536)
        except BlockingIOError:
            shown = b""
    finally:
        os.close(follower)
        os.close(leader)
    assert on_terminal.returncode == EXIT_OK
    assert shown == b""  # not a byte of the PNG on the terminal
    said = f"lanyard: {size:.1f} KB of image/png, not printed; use --output FILE."
    assert said.encode() in on_terminal.stderr


def test_a_claims_challenge_gets_one_silent_retry_with_the_claims(
    sandbox: Sandbox, megan: list[str]
) -> None:
    assert lanyard("api", "/me", *megan).returncode == EXIT_OK  # a cached token, from before
    time.sleep(1.1)  # the critical event is a later second than that token's iat
    sandbox.claims_challenge(directory.ADMIN_UPN)
    seen = len(sandbox.requests())
    result = lanyard("api", "/me", "-i", *megan)
    assert result.returncode == EXIT_OK, result.stderr
    assert json.loads(result.stdout)["userPrincipalName"] == directory.ADMIN_UPN
    after = sandbox.requests()[seen:]
    me = [r["status"] for r in after if r.get("path") == "/v1.0/me"]
    assert me == [401, 200]
    assert [r for r in after if r.get("grant_type") and r.get("claims_challenge")]
    assert result.stderr.count("HTTP 200 OK") == 1  # the answer shown is the retried one


def test_another_api_without_scopes_and_a_bad_body_are_usage_errors(megan: list[str]) -> None:
    other = lanyard("api", "https://orders.contoso.example/orders", *megan)
    assert other.returncode == EXIT_USAGE
    assert "lanyard api: --scopes: orders.contoso.example is not Microsoft Graph" in other.stderr
    bad = lanyard(
        "api", "POST", "/me/getMemberObjects", "--body", '{"securityEnabledOnly": ', *megan
    )
    assert bad.returncode == EXIT_USAGE
    assert "lanyard api: --body: not valid JSON at line 1, column 25" in bad.stderr
    assert bad.stdout == ""


def test_the_token_is_never_printed_even_verbose(megan: list[str]) -> None:
    token = lanyard("token", *megan).stdout.strip()
    assert token.count(".") == 2
    result = lanyard(
        "api", "POST", "/me/getMemberObjects", "--body", '{"securityEnabledOnly": true}',
        "-i", "--verbose", *megan,
    )  # fmt: skip
    assert result.returncode == EXIT_OK, result.stderr
    assert json.loads(result.stdout)["value"]
    assert "> POST https://localhost:" in result.stderr  # --verbose: the request line
    assert token not in result.stdout and token not in result.stderr
    assert token.split(".")[2] not in result.stderr  # not even its signature


def test_a_page_that_fails_is_the_answer_printed_with_the_http_status(
    sandbox: Sandbox, lynne: list[str]
) -> None:
    from desktop_app.sandbox.faults import FaultSpec

    sandbox.add_fault(FaultSpec("member-of", latency_ms=1))  # page 1: the real answer
    sandbox.add_fault(FaultSpec("member-of", status=503, retry_after=7))  # page 2
    result = lanyard("api", "/me/memberOf", "--all", *lynne)
    assert result.returncode == EXIT_HTTP, result.stderr
    assert json.loads(result.stdout)["error"]["code"]  # page 2's error body, not a part-list
    assert "page 2 failed; the 100 items of the pages before it are not printed." in (result.stderr)
    assert "HTTP 503 Service Unavailable" in result.stderr
    assert "Wait 7 s and call it again." in result.stderr


def test_a_reader_that_leaves_early_is_said_in_one_line(lynne: list[str]) -> None:
    read, write = os.pipe()
    os.close(read)  # like `| head` gone before the answer comes: every write is EPIPE
    try:
        result = raw_lanyard("api", "/me/memberOf", "--all", *lynne, stdout=write)
    finally:
        os.close(write)
    assert result.returncode == 1
    said = result.stderr.decode().removesuffix("NO-QT").splitlines()
    assert said[-1] == "lanyard: stdout was closed before everything was written."
    assert "Exception ignored" not in result.stderr.decode()
