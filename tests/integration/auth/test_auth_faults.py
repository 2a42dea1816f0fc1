"""What msal raises or returns under faults, as Lanyard's AuthClient words it: real msal, real
requests, the sandbox's fault injection."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.auth.client import AuthClient, AuthSettings
from desktop_app.core import net
from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.sandbox import Sandbox, directory
from desktop_app.sandbox.faults import FaultSpec
from tests.support.sandbox_helpers import auth_client, browser_sign_in, idp_requests


@pytest.fixture(autouse=True)
def _no_faults_left(sandbox: Sandbox) -> Iterator[None]:
    yield
    sandbox.clear_faults()


@pytest.fixture
def signed_in(sandbox: Sandbox, tmp_path: Path, standin_browser) -> AuthClient:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.READER_UPN)
    client = auth_client(sandbox, tmp_path)
    browser_sign_in(client, login_hint=directory.READER_UPN)
    return client


@pytest.mark.parametrize(
    ("fault", "kind", "words"),
    [
        ({"status": 500}, ErrorKind.SERVICE, "Refreshing your sign-in failed"),
        ({"status": 503, "retry_after": 30}, ErrorKind.SERVICE, "having problems"),
        ({"status": 429, "retry_after": 30}, ErrorKind.SERVICE, "throttling"),
        ({"body": "malformed"}, ErrorKind.SERVICE, "could not read"),
        ({"reset": True}, ErrorKind.NETWORK, "could not be reached"),
    ],
    ids=["500-json", "503-plain", "429-plain", "malformed", "reset"],
)
def test_refresh_failures_are_worded_for_people(
    sandbox: Sandbox, signed_in: AuthClient, fault: dict[str, object], kind: ErrorKind, words: str
) -> None:
    account = signed_in.accounts()[0]
    sandbox.add_fault(FaultSpec("token", count=1, **fault))  # type: ignore[arg-type]
    with pytest.raises(LanyardError) as caught:
        signed_in.silent(account, force_refresh=True)
    error = caught.value
    assert error.kind is kind
    assert words in error.message
    assert error.details["time"]
    if fault.get("retry_after"):
        assert error.details.get("retry_after") == "30"
    assert signed_in.accounts() == [account]  # the cache is intact


def test_a_slow_identity_provider_times_out(sandbox: Sandbox, tmp_path: Path) -> None:
    info = sandbox.info
    client = AuthClient(
        AuthSettings(info.client_id, info.authority, ("User.Read",), tmp_path, False),
        net.make_session(info.ca_file, timeout=(2.0, 0.5), proxy=None),
    )
    sandbox.add_fault(FaultSpec("openid-configuration", latency_ms=2000, count=1))
    with pytest.raises(LanyardError) as caught:
        client.open()
    assert caught.value.kind is ErrorKind.NETWORK
    assert "did not answer in time" in caught.value.message


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 429, "retry_after": 3600},
        {"status": 429},  # msal's own default throttle: 60 s
        {"status": 503, "retry_after": 120},
        {"status": 400},  # an OAuth 400: msal's "UI required" cache, 60 s
    ],
    ids=["429-an-hour", "429-no-retry-after", "503-retry-after", "400"],
)
def test_a_refresh_after_the_server_recovered_is_sent_not_replayed(
    sandbox: Sandbox, signed_in: AuthClient, fault: dict[str, object]
) -> None:
    """msal keeps a throttled answer in its http_cache and replays it for the Retry-After; the
    server has recovered, so a person's Refresh must reach it (issue 14, item 2)."""
    account = signed_in.accounts()[0]
    sandbox.add_fault(FaultSpec("token", count=1, **fault))  # type: ignore[arg-type]
    with pytest.raises(LanyardError):
        signed_in.silent(account, force_refresh=True)
    before = len(idp_requests(sandbox))
    token = signed_in.silent(account, force_refresh=True)  # at once: the fault is spent
    assert token.source == "identity_provider"
    assert len(idp_requests(sandbox)) > before  # sent, not answered from msal's memory
