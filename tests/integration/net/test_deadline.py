"""A whole-response deadline on every request (issue 14, item 3): a body that trickles in a byte
at a time (each byte well within the per-read timeout) is given up on once the deadline passes,
with a message that names the host and says it took too long; `lanyard token` against a
trickling token endpoint exits. Real msal, real requests, the sandbox's trickle fault."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from desktop_app.core import net
from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.graph.api_call import ApiCaller, ApiRequest
from desktop_app.graph.client import GraphClient
from desktop_app.headless import EXIT_FAILED, EXIT_OK
from desktop_app.sandbox import Sandbox, directory
from desktop_app.sandbox.faults import FaultSpec
from tests.integration.test_headless import lanyard
from tests.support import figures
from tests.support.sandbox_helpers import auth_client, browser_sign_in, headless_profile

TRICKLE_MS = 250  # a byte every 0.25 s: far inside the 20 s read timeout


@pytest.fixture
def token(sandbox: Sandbox, tmp_path: Path, standin_browser) -> str:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file)
    return browser_sign_in(auth_client(sandbox, tmp_path / "profile")).access_token


def _host(sandbox: Sandbox) -> str:
    return urlsplit(sandbox.info.graph_endpoint).netloc


def test_a_trickling_graph_answer_is_given_up_on_at_the_deadline(
    sandbox: Sandbox, token: str
) -> None:
    session = net.make_session(sandbox.info.ca_file, retry_statuses=True, proxy=None)
    graph = GraphClient(session, sandbox.info.graph_endpoint)
    sandbox.add_fault(FaultSpec("me", trickle_ms=TRICKLE_MS))
    started = time.monotonic()
    try:
        with pytest.raises(LanyardError) as caught:
            graph.me(token)
    finally:
        session.close()
        sandbox.clear_faults()
    gave_up_after = time.monotonic() - started
    figures.record("trickling body given up on", f"after {gave_up_after:.1f} s (Graph /me)")
    print(f"time to give up on a trickling body: {gave_up_after:.2f} s")
    assert caught.value.kind is ErrorKind.NETWORK
    assert _host(sandbox) in caught.value.message
    assert "took too long" in caught.value.message
    # the deadline, not the body's length (it would take minutes at this pace) ended it
    assert net.DEFAULT_DEADLINE_S <= gave_up_after < net.DEFAULT_DEADLINE_S + 5


def test_call_an_api_has_the_deadline_too(sandbox: Sandbox, token: str) -> None:
    session = net.make_session(sandbox.info.ca_file, deadline_s=3, proxy=None)
    sandbox.add_fault(FaultSpec("me", trickle_ms=TRICKLE_MS))
    started = time.monotonic()
    try:
        with pytest.raises(LanyardError) as caught:
            ApiCaller(session).call(
                ApiRequest(f"{sandbox.info.graph_endpoint}/me", ("User.Read",)), token
            )
    finally:
        session.close()
        sandbox.clear_faults()
    elapsed = time.monotonic() - started
    print(f"Call an API gave up on a trickling body after {elapsed:.2f} s (deadline 3 s)")
    assert _host(sandbox) in caught.value.message
    assert "took too long" in caught.value.message
    assert 3 <= elapsed < 8


def test_token_with_a_trickling_token_endpoint_exits(tmp_path: Path) -> None:
    with Sandbox() as sandbox:
        # tokens under msal's 5 minutes: every call refreshes
        flags = headless_profile(sandbox, tmp_path, directory.READER_UPN, 60)
        sandbox.add_fault(FaultSpec("token", trickle_ms=TRICKLE_MS, count=None))
        started = time.monotonic()
        result = lanyard("token", *flags)
        elapsed = time.monotonic() - started
        print(f"`lanyard token` with a trickling token endpoint exited after {elapsed:.2f} s")
        figures.record("lanyard token, trickling token endpoint", f"exited after {elapsed:.1f} s")
        assert result.returncode == EXIT_FAILED, result.stderr
        assert result.stdout == ""
        assert "took too long" in result.stderr
        assert urlsplit(sandbox.info.authority).netloc in result.stderr
        assert elapsed < net.DEFAULT_DEADLINE_S + 15  # the child's start-up included
        sandbox.clear_faults()
        ok = lanyard("token", "--json", *flags)
        assert ok.returncode == EXIT_OK, ok.stderr
