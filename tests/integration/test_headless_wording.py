"""Issue 14, item 9: what `lanyard token` says when the identity provider is failing is true of
a command that runs once: no "Lanyard tries again shortly", the server's Retry-After stated,
and `--json` carries it. Real msal, real requests, the sandbox in this process."""

from __future__ import annotations

import json
from pathlib import Path

from desktop_app.headless import EXIT_FAILED, EXIT_OK
from desktop_app.sandbox import Sandbox, directory
from desktop_app.sandbox.faults import FaultSpec
from tests.integration.test_headless import lanyard
from tests.support.sandbox_helpers import headless_profile


def test_token_when_throttled_says_when_to_run_it_again(tmp_path: Path) -> None:
    with Sandbox() as sandbox:
        # tokens under msal's 5 minutes: every call refreshes
        flags = headless_profile(sandbox, tmp_path, directory.READER_UPN, 60)
        sandbox.add_fault(FaultSpec("token", status=503, retry_after=30, count=None))
        result = lanyard("token", "--json", *flags)
        assert result.returncode == EXIT_FAILED, result.stderr
        assert "tries again shortly" not in result.stderr  # this command never retries
        assert "Run the command again in 30 s" in result.stderr
        document = json.loads(result.stdout)
        assert document["retryAfter"] == 30 and document["error"]
        assert "accessToken" not in document
        plain = lanyard("token", *flags)
        assert plain.returncode == EXIT_FAILED and plain.stdout == ""  # no token, no JSON
        sandbox.clear_faults()
        # msal replays the 503 from its http_cache only within this process: a new one works
        ok = lanyard("token", "--json", *flags)
        assert ok.returncode == EXIT_OK, ok.stderr
        assert json.loads(ok.stdout)["accessToken"]
