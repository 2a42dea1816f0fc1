"""`lanyard token` and `lanyard whoami` against an "unusual upstream" (issue 14): the sandbox's
answers drawn (hypothesis, tests/support/unusual_upstream.py) from what the protocol and Entra
allow; each command in a child process (no Qt, no traceback: tests/integration/test_headless.py)
with a bounded run time, an exit code that is the truth, words that are true (a dead or
short-lived token said, a profile field of the wrong type said), and recovery once lifted."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from desktop_app.headless import EXIT_FAILED, EXIT_OK
from desktop_app.sandbox import Sandbox, directory
from tests.integration.test_headless import lanyard
from tests.support import figures
from tests.support.sandbox_helpers import headless_profile
from tests.support.unusual_upstream import NAME, Upstream, upstreams

EXAMPLES = 12  # two child processes each
LIFETIME_S = 60  # under msal's 5 minutes: every command asks the token endpoint


@pytest.fixture(scope="module")
def signed_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, list[str]]]:
    tmp = tmp_path_factory.mktemp("unusual-headless")
    with Sandbox() as sandbox:
        yield sandbox, headless_profile(sandbox, tmp, directory.READER_UPN, LIFETIME_S)


def _lifetime(up: Upstream) -> float | None:
    answer = up.faults[0].answer or {}
    return up.lifetime if "expires_in" in answer.get("set", {}) else LIFETIME_S


def test_the_commands_tell_the_truth_whatever_the_upstream_sends(
    signed_in: tuple[Sandbox, list[str]],
) -> None:
    sandbox, flags = signed_in
    runs: list[float] = []
    codes: dict[str, int] = {}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=(Phase.generate,),
        suppress_health_check=list(HealthCheck),
    )
    @given(upstreams())
    def example(up: Upstream) -> None:
        sandbox.clear_faults()
        for fault in up.faults:
            sandbox.add_fault(fault)
        started = time.monotonic()
        token = lanyard("token", "--json", *flags)
        runs.append(time.monotonic() - started)
        document = json.loads(token.stdout)
        lifetime = _lifetime(up)
        if up.token_error:
            assert token.returncode == EXIT_FAILED, token.stderr
            assert document["error"] and "accessToken" not in document
            assert "tries again" not in token.stderr  # this command never retries
        else:
            assert token.returncode == EXIT_OK, token.stderr
            assert document["accessToken"]
            warning = document.get("warning", "")
            if lifetime is None or lifetime <= 0:
                assert "already expired" in warning
            elif lifetime < 300:
                assert "short-lived" in warning
            else:
                assert not warning
        codes[f"token {token.returncode}"] = codes.get(f"token {token.returncode}", 0) + 1
        started = time.monotonic()
        whoami = lanyard("whoami", "--json", *flags)
        runs.append(time.monotonic() - started)
        assert whoami.returncode in (EXIT_OK, EXIT_FAILED), whoami.stderr
        key = f"whoami {whoami.returncode}"
        codes[key] = codes.get(key, 0) + 1
        if whoami.returncode == EXIT_OK:
            assert not up.token_error
            shown = json.loads(whoami.stdout)
            name = shown["profile"]["displayName"]
            if up.name_wrong_type:
                assert name == "" and "displayName" in shown["notShown"]
            else:
                assert name == (up.name or NAME)
        else:
            assert json.loads(whoami.stdout)["error"]  # --json: the failure as JSON too
            assert "tries again" not in whoami.stderr  # this command never retries
        # lifted: both work again
        sandbox.clear_faults()
        again = lanyard("whoami", "--json", *flags)
        assert again.returncode == EXIT_OK, again.stderr
        assert json.loads(again.stdout)["profile"]["displayName"] == NAME

    example()
    worst = max(runs)
    print(
        f"unusual upstream (headless): {EXAMPLES} examples tried, {len(runs)} commands, "
        f"worst {worst:.2f} s; " + ", ".join(f"{k}: {n}" for k, n in sorted(codes.items()))
    )
    figures.record("unusual upstream (headless)", f"{len(runs)} commands, worst {worst:.2f} s")


def test_plain_token_warns_on_stderr_of_a_dead_or_short_token(
    signed_in: tuple[Sandbox, list[str]],
) -> None:
    from desktop_app.sandbox.faults import FaultSpec

    sandbox, flags = signed_in
    for expires_in, words in ((0, "already expired"), ("30", "short-lived")):
        sandbox.add_fault(FaultSpec("token", answer={"set": {"expires_in": expires_in}}))
        plain = lanyard("token", *flags)
        assert plain.returncode == EXIT_OK, plain.stderr
        assert plain.stdout.count("\n") == 1 and plain.stdout.strip()  # the token alone
        assert "lanyard: warning: the identity provider issued a" in plain.stderr
        assert words in plain.stderr
    sandbox.clear_faults()


def test_whoami_says_which_profile_field_graph_sent_as_no_text(
    signed_in: tuple[Sandbox, list[str]],
) -> None:
    from desktop_app.sandbox.faults import FaultSpec

    sandbox, flags = signed_in
    sandbox.add_fault(FaultSpec("me", answer={"set": {"jobTitle": 7}}, count=1))
    plain = lanyard("whoami", *flags)
    assert plain.returncode == EXIT_OK, plain.stderr
    assert "(not shown: Microsoft Graph sent a number, not text)" in plain.stdout
    assert NAME in plain.stdout
    sandbox.clear_faults()


@pytest.fixture(autouse=True)
def _lifted(signed_in: tuple[Sandbox, list[str]]) -> Iterator[None]:
    yield
    signed_in[0].clear_faults()
