"""Logs carry no personal data unless verbose diagnostics is on: a real sign-in and /me feed the
values Lanyard learns (UPN, display name, object id) to the log filter, which masks them."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core import net
from desktop_app.core.logs import configure_logging
from desktop_app.graph.client import GraphClient
from desktop_app.sandbox import Sandbox
from tests.support.sandbox_helpers import auth_client, browser_sign_in

USER = "megan.bowen@contoso.test"


@pytest.fixture
def lanyard_log(tmp_path: Path) -> Iterator[tuple[Path, object]]:
    root = logging.getLogger()
    level = root.level

    def configure(verbose: bool) -> Path:
        log_file = tmp_path / f"lanyard-{'verbose' if verbose else 'quiet'}.log"
        configure_logging(str(log_file), verbose=verbose)
        return log_file

    yield tmp_path, configure
    for handler in [h for h in root.handlers if getattr(h, "lanyard", False)]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)
    for name in ("msal", "msal_extensions", "urllib3"):
        logging.getLogger(name).setLevel(logging.NOTSET)


@pytest.mark.parametrize("verbose", [False, True], ids=["quiet", "verbose"])
def test_personal_data_reaches_the_log_only_when_verbose(
    sandbox: Sandbox, tmp_path: Path, standin_browser, lanyard_log, verbose: bool
) -> None:  # type: ignore[no-untyped-def]
    _dir, configure = lanyard_log
    log_file = configure(verbose)
    standin_browser(sandbox.info.ca_file, USER)
    client = auth_client(sandbox, tmp_path / "profile")
    token = browser_sign_in(client, login_hint=USER)
    profile = GraphClient(
        net.make_session(sandbox.info.ca_file, proxy=None), sandbox.info.graph_endpoint
    ).me(token.access_token)
    account = client.accounts()[0]
    personal = [profile.displayName, profile.userPrincipalName, profile.id]
    assert all(personal)
    log = logging.getLogger("desktop_app.test_log_privacy")
    # what a careless message might quote: the server's answer, the account, an exception
    log.warning("Graph answered %s", json.dumps(profile.to_json()))
    log.info("account %s (%s)", account.username, account.home_account_id)
    try:
        raise RuntimeError(f"no mailbox for {profile.displayName} <{profile.mail}>")
    except RuntimeError:
        log.exception("profile step failed")
    text = log_file.read_text("utf-8")
    found = [value for value in personal if value in text]
    if verbose:
        assert found == personal  # the same messages do carry them when asked to
    else:
        assert found == [], text
        assert "[personal]" in text and "Graph answered" in text
