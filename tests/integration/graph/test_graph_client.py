"""Graph /me and the photo against the sandbox, with a token from a real sign-in."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core import net
from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.graph.client import GraphClient, NotModifiedError
from desktop_app.sandbox import Sandbox
from tests.support.sandbox_helpers import sign_in


def graph(sandbox: Sandbox) -> GraphClient:
    return GraphClient(
        net.make_session(sandbox.info.ca_file, proxy=None), sandbox.info.graph_endpoint
    )


def test_me_and_photo_with_etag(sandbox: Sandbox, tmp_path: Path, standin_browser) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(sandbox, tmp_path, standin_browser, "megan.bowen@contoso.test")
    client = graph(sandbox)
    profile = client.me(token)
    assert profile.displayName == "Megan Bowen"
    assert profile.userPrincipalName == "megan.bowen@contoso.test"
    assert profile.jobTitle == "Identity Administrator"
    photo = client.photo(token)
    assert photo is not None and photo.data[:8] == b"\x89PNG\r\n\x1a\n" and photo.etag
    with pytest.raises(NotModifiedError):
        client.photo(token, etag=photo.etag)


def test_no_photo_is_none(sandbox: Sandbox, tmp_path: Path, standin_browser) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(sandbox, tmp_path, standin_browser, "grady.archie@contoso.test")
    assert graph(sandbox).photo(token) is None


def test_bad_token_is_a_clear_error(sandbox: Sandbox) -> None:
    with pytest.raises(LanyardError) as caught:
        graph(sandbox).me("not-a-token")
    assert caught.value.kind is ErrorKind.INTERACTION_REQUIRED
    assert caught.value.details["code"] == "InvalidAuthenticationToken"
    assert caught.value.details.get("request_id")


def test_hostile_profile_round_trips_exactly(
    sandbox: Sandbox, tmp_path: Path, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.sandbox import directory

    token = sign_in(sandbox, tmp_path, standin_browser, directory.HOSTILE_UPN)
    profile = graph(sandbox).me(token)
    assert "<script>" in profile.displayName  # kept as text; the window shows it as plain text
