"""Graph's failures through the real client: retries with urllib3's Retry, the error envelope,
the claims challenge. Against the sandbox's fault injection."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core import net
from desktop_app.core.errors import ErrorKind, InteractionReason, LanyardError
from desktop_app.graph.client import GraphClient
from desktop_app.sandbox import Sandbox, directory
from desktop_app.sandbox.faults import FaultSpec
from tests.support.sandbox_helpers import sign_in


@pytest.fixture(autouse=True)
def _no_faults_left(sandbox: Sandbox) -> Iterator[None]:
    yield
    sandbox.clear_faults()


@pytest.fixture
def token(sandbox: Sandbox, tmp_path: Path, standin_browser) -> str:  # type: ignore[no-untyped-def]
    return sign_in(sandbox, tmp_path, standin_browser, directory.READER_UPN)


def graph(sandbox: Sandbox) -> GraphClient:
    return GraphClient(
        net.make_session(sandbox.info.ca_file, retry_statuses=True, proxy=None),
        sandbox.info.graph_endpoint,
    )


def me_statuses(sandbox: Sandbox) -> list[object]:
    return [r["status"] for r in sandbox.requests() if r.get("path") == "/v1.0/me"]


@pytest.mark.parametrize(
    "fault",
    [{"status": 429, "retry_after": 1}, {"status": 503}, {"status": 500}],
    ids=["429", "503", "500"],
)
def test_transient_graph_errors_are_retried(
    sandbox: Sandbox, token: str, fault: dict[str, int]
) -> None:
    sandbox.clear_requests()
    sandbox.add_fault(FaultSpec("me", count=1, **fault))  # type: ignore[arg-type]
    started = time.monotonic()
    assert graph(sandbox).me(token).userPrincipalName == directory.READER_UPN
    assert me_statuses(sandbox) == [fault["status"], 200]
    if fault.get("retry_after"):
        assert time.monotonic() - started >= 0.9  # Retry-After honoured


def test_a_long_retry_after_comes_back_to_the_caller(sandbox: Sandbox, token: str) -> None:
    sandbox.clear_requests()
    sandbox.add_fault(FaultSpec("me", status=429, retry_after=120, count=1))
    started = time.monotonic()
    with pytest.raises(LanyardError) as caught:
        graph(sandbox).me(token)
    assert time.monotonic() - started < 5
    assert caught.value.details["retry_after"] == "120"
    assert "throttling" in caught.value.message
    assert me_statuses(sandbox) == [429]


def test_persistent_failure_gives_a_message_with_the_request_id(
    sandbox: Sandbox, token: str
) -> None:
    sandbox.add_fault(FaultSpec("me", status=500, count=None))
    with pytest.raises(LanyardError) as caught:
        graph(sandbox).me(token)
    error = caught.value
    assert error.kind is ErrorKind.SERVICE
    assert "500" in error.message
    assert error.details["request_id"]
    assert error.details["code"]


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        ({"status": 403}, ErrorKind.SERVICE),
        ({"status": 401}, ErrorKind.INTERACTION_REQUIRED),
        ({"body": "malformed"}, ErrorKind.SERVICE),
        ({"reset": True}, ErrorKind.NETWORK),
    ],
    ids=["403", "401", "malformed", "reset"],
)
def test_graph_failures_become_messages(
    sandbox: Sandbox, token: str, fault: dict[str, object], kind: ErrorKind
) -> None:
    sandbox.add_fault(FaultSpec("me", count=None, **fault))  # type: ignore[arg-type]
    with pytest.raises(LanyardError) as caught:
        graph(sandbox).me(token)
    assert caught.value.kind is kind
    assert "Traceback" not in caught.value.support_text()


def test_claims_challenge_comes_back_decoded(sandbox: Sandbox, token: str) -> None:
    time.sleep(1.1)  # the critical event is a later second than the token's iat
    event = sandbox.claims_challenge(directory.READER_UPN)
    with pytest.raises(LanyardError) as caught:
        graph(sandbox).me(token)
    error = caught.value
    assert error.reason is InteractionReason.CLAIMS
    assert f'"value":"{event}"' in error.claims_challenge.replace(" ", "")
