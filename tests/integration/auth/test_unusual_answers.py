"""Legal-but-unusual token and Graph answers (issue 14, item 4), end to end: real msal and
real requests against the sandbox, whose token endpoint rewrites its real answer (FaultSpec
``answer``): numbers as strings, the scope echoed in another case, lifetimes of 0 or less."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.auth.client import AuthClient
from desktop_app.core import net
from desktop_app.graph.client import GraphClient
from desktop_app.sandbox import Sandbox, directory
from desktop_app.sandbox.faults import FaultSpec
from desktop_app.session.policy import next_refresh_delay
from tests.conftest import STANDIN_BROWSER
from tests.support.sandbox_helpers import auth_client, browser_sign_in, idp_requests


@pytest.fixture(autouse=True)
def _no_faults_left(sandbox: Sandbox) -> Iterator[None]:
    yield
    sandbox.clear_faults()


@pytest.fixture(scope="module")
def signed_in(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> AuthClient:
    """One sign-in (the stand-in browser, as tests/conftest.py sets it up) for the module."""
    profile = tmp_path_factory.mktemp("unusual")
    client = auth_client(sandbox, profile)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BROWSER", f"{sys.executable} {STANDIN_BROWSER} --detach")
        patch.setenv("STANDIN_CA", sandbox.info.ca_file)
        patch.setenv("STANDIN_LOG", str(profile / "standin.log"))
        patch.setenv("STANDIN_CONSENT", "accept")
        patch.setenv("STANDIN_USER", directory.READER_UPN)
        browser_sign_in(client, login_hint=directory.READER_UPN)
    return client


def _token_requests(sandbox: Sandbox) -> int:
    return sum(1 for r in idp_requests(sandbox) if str(r.get("path", "")).endswith("/token"))


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    strings=st.booleans(),
    case=st.sampled_from(["upper", "lower", "swap"]),
    lifetime=st.sampled_from([None, 0, -60, 1, 3599]),
)
def test_unusual_token_answers_are_read_truly_and_recover(
    sandbox: Sandbox, signed_in: AuthClient, strings: bool, case: str, lifetime: int | None
) -> None:
    account = signed_in.accounts()[0]
    answer: dict[str, object] = {"numbers_as_strings": strings, "scope_case": case}
    if lifetime is not None:
        answer["set"] = {"expires_in": str(lifetime) if strings else lifetime}
    sandbox.add_fault(FaultSpec("token", answer=answer, count=1))
    now = time.time()
    token = signed_in.silent(account, force_refresh=True)
    expected = 3600 if lifetime is None else lifetime  # the sandbox's default lifetime
    left = token.expires_on - now
    problem = token.lifetime_problem(now)
    if expected <= 0:
        assert left <= 1 and problem is not None and "expired" in problem
    elif expected < 300:
        assert problem is not None and "short-lived" in problem
    else:
        assert left > 3000 and problem is None  # a fresh token is never read as expired
    # never a refresh every second (the scheduler's back-off: tests/session/test_short_lived.py)
    assert next_refresh_delay(token.expires_on, token.refresh_on, now) >= 1
    if expected >= 300:
        # the scope came back in another case: the next call is still answered from the cache
        before = _token_requests(sandbox)
        again = signed_in.silent(account)
        assert again.source == "cache"
        # the new token, not an older one (compared without printing either)
        assert hash(again.access_token) == hash(token.access_token)
        assert _token_requests(sandbox) == before
    # recovery: once the server answers normally, so does Lanyard
    sandbox.clear_faults()
    assert signed_in.silent(account, force_refresh=True).lifetime_problem() is None


def test_a_profile_field_of_the_wrong_type_reads_as_absent(
    sandbox: Sandbox, signed_in: AuthClient
) -> None:
    account = signed_in.accounts()[0]
    token = signed_in.silent(account)
    graph = GraphClient(
        net.make_session(sandbox.info.ca_file, proxy=None), sandbox.info.graph_endpoint
    )
    sandbox.add_fault(
        FaultSpec("me", answer={"set": {"displayName": 5, "jobTitle": ["x"]}}, count=1)
    )
    profile = graph.me(token.access_token)
    assert profile.displayName == "" and profile.jobTitle == ""
    assert profile.userPrincipalName == directory.READER_UPN


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    refresh_in=st.sampled_from(["1800", "1800.0", 1800.5, " 1800 "]),
    ext=st.sampled_from(["3599", "3599.0", 3599.0]),
)
def test_refresh_in_and_ext_expires_in_as_strings_reach_msal_as_numbers(
    sandbox: Sandbox, signed_in: AuthClient, refresh_in: object, ext: object
) -> None:
    """msal's cache does now + refresh_in (a string raises TypeError inside msal) and int()s
    ext_expires_in ("3599.0" raises ValueError): Lanyard's http_client hands msal numbers."""
    account = signed_in.accounts()[0]
    sandbox.add_fault(
        FaultSpec(
            "token",
            answer={"set": {"refresh_in": refresh_in, "ext_expires_in": ext, "expires_in": "3599"}},
            count=1,
        )
    )
    now = time.time()
    token = signed_in.silent(account, force_refresh=True)
    assert token.refresh_on is not None and abs(token.refresh_on - (now + 1800)) < 30
    assert abs(token.expires_on - (now + 3599)) < 30 and token.lifetime_problem() is None
    again = signed_in.silent(account)  # and msal's cache entry is whole: a cache hit
    assert again.source == "cache" and again.refresh_on is not None
