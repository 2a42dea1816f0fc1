"""ProfileLoader with a stand-in Graph: what it shows, stores, retries and hands back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.graph.client import Photo
from desktop_app.graph.organization import Organization
from desktop_app.graph.profile import Profile
from desktop_app.graph.snapshot import Snapshot
from desktop_app.session.policy import Backoff
from desktop_app.session.profile import ProfileLoader
from desktop_app.session.workers import Jobs
from tests.unit.session.stubs import ALEX, Outcomes, StubServices, View, failure

ME = Profile(displayName="Alex Wilber", userPrincipalName="alex@contoso.test")
PHOTO = Photo(b"\x89PNG", "image/png", '"v1"')
ORG = Organization("3f6a9c1e-5b2d-4e8f-9a7c-1d2e3f4a5b6c", "Contoso")
CLAIMS = '{"access_token":{"nbf":{"essential":true,"value":"1"}}}'


class StubGraph:
    def __init__(
        self, me: Outcomes, photo: Outcomes | None = None, organization: Outcomes | None = None
    ) -> None:
        self._me, self._photo = me, photo or Outcomes(PHOTO)
        self.organizations = organization or Outcomes(ORG)

    def organization(self, token: str) -> Organization | None:
        return self.organizations(token=token)  # type: ignore[no-any-return]

    def me(self, token: str) -> Profile:
        return self._me(token=token)  # type: ignore[no-any-return]

    def photo(self, token: str, etag: str | None = None) -> Photo | None:
        return self._photo(token=token, etag=etag)  # type: ignore[no-any-return]


class Store:
    def __init__(self) -> None:
        self.saved: list[Snapshot] = []

    def save(self, snapshot: Snapshot) -> None:
        self.saved.append(snapshot)


Loader = Callable[..., tuple[ProfileLoader, dict[str, list[Any]]]]


@pytest.fixture
def loader(jobs: Jobs, owner: QObject) -> Loader:
    """A ProfileLoader on a stand-in Graph, and what it emitted, by signal."""

    def make(
        graph: StubGraph, backoff: Backoff | None = None
    ) -> tuple[ProfileLoader, dict[str, list[Any]]]:
        part = ProfileLoader(View(StubServices(graph=graph)), jobs, owner, backoff=backoff)
        seen: dict[str, list[Any]] = {}
        for name in (
            "profile_changed",
            "photo_changed",
            "organization_changed",
            "error",
            "challenged",
            "needs_sign_in",
        ):
            seen[name] = []
            getattr(part, name).connect(seen[name].append)
        seen["freshness"] = []
        part.profile_freshness.connect(lambda at, stored: seen["freshness"].append(stored))
        return part, seen

    return make


def test_a_fresh_profile_is_shown_then_stored(qtbot: QtBot, loader: Loader) -> None:
    part, seen = loader(StubGraph(Outcomes(ME)))
    part.store = Store()  # type: ignore[assignment]
    assert not part.loaded
    part.load()
    qtbot.waitUntil(lambda: bool(seen["photo_changed"]))
    assert seen["profile_changed"] == [ME]
    assert seen["freshness"] == [False]  # from Graph, not from the snapshot
    assert seen["photo_changed"] == [PHOTO]
    assert part.loaded
    # stored when /me came, then again with the photo (a job of its own, after /me)
    qtbot.waitUntil(lambda: bool(part.store.saved and part.store.saved[-1].photo))  # type: ignore[union-attr]
    stored = part.store.saved[-1]  # type: ignore[union-attr]
    assert (stored.home_account_id, stored.profile, stored.photo) == (
        ALEX.home_account_id,
        ME,
        PHOTO,
    )


def test_a_warm_start_shows_the_snapshot_and_keeps_its_photo_when_the_photo_fails(
    qtbot: QtBot, loader: Loader
) -> None:
    graph = StubGraph(Outcomes(ME), Outcomes(failure(ErrorKind.SERVICE)))
    part, seen = loader(graph)
    part.show_snapshot(Snapshot(ALEX.home_account_id, ME, 1.0, PHOTO, photo_checked_at=0.0))
    assert seen["freshness"] == [True]
    part.load()
    qtbot.waitUntil(lambda: len(seen["photo_changed"]) == 2)
    assert seen["photo_changed"] == [PHOTO, PHOTO]  # the photo failed: the stored one stays
    assert seen["error"] == []  # a photo costs only the photo


def test_a_failure_that_may_pass_is_shown_and_retried_on_its_own_timer(
    qtbot: QtBot, loader: Loader
) -> None:
    me = Outcomes(failure(ErrorKind.NETWORK), ME)
    part, seen = loader(StubGraph(me), Backoff(first=0.05, jitter=0.0))
    part.load()
    qtbot.waitUntil(lambda: seen["profile_changed"] == [ME], timeout=3000)
    assert [e.kind for e in seen["error"]] == [ErrorKind.NETWORK]
    assert len(me.calls) == 2


def test_a_failure_a_retry_cannot_fix_is_not_retried(qtbot: QtBot, loader: Loader) -> None:
    me = Outcomes(failure(ErrorKind.INTERNAL), ME)
    part, seen = loader(StubGraph(me), Backoff(first=0.05, jitter=0.0))
    part.load()
    qtbot.waitUntil(lambda: bool(seen["error"]))
    qtbot.wait(300)
    assert len(me.calls) == 1 and seen["profile_changed"] == []


def test_a_claims_challenge_is_handed_back_then_a_second_one_needs_a_person(
    qtbot: QtBot, loader: Loader
) -> None:
    challenge = LanyardError(
        "Revoked.", "", ErrorKind.INTERACTION_REQUIRED, claims_challenge=CLAIMS
    )
    part, seen = loader(StubGraph(Outcomes(challenge)))
    part.load()
    qtbot.waitUntil(lambda: bool(seen["challenged"]))
    assert seen["challenged"][0].claims_challenge == CLAIMS
    part.load(after_challenge=True)  # the controller got a new token: Graph refuses it again
    qtbot.waitUntil(lambda: bool(seen["needs_sign_in"]))
    assert seen["error"] == []  # neither is shown as a failure of the profile


@pytest.mark.parametrize("leave", ["advance", "clear"])
def test_a_profile_for_an_account_that_left_is_dropped(
    qtbot: QtBot, loader: Loader, jobs: Jobs, leave: str
) -> None:
    part, seen = loader(StubGraph(Outcomes(ME)))
    part.load()
    if leave == "advance":
        jobs.generation.advance()  # the controller: another account signed in
    else:
        jobs.generation.advance()
        part.clear()  # signed out
        assert seen["profile_changed"] == [None] and seen["photo_changed"] == [None]
    done: list[int] = []
    jobs.net.submit(lambda _: 1, done.append)  # behind the load on the pool, or after it
    jobs.net.submit(lambda _: 1, done.append)
    qtbot.waitUntil(lambda: len(done) == 2)
    qtbot.wait(50)
    assert ME not in seen["profile_changed"]
    assert not part.loaded


@pytest.mark.parametrize(
    "outcome",
    [
        failure(ErrorKind.SERVICE, status="403"),  # no permission that reads /organization
        failure(ErrorKind.SERVICE, status="503"),
        failure(ErrorKind.NETWORK),
        failure(ErrorKind.INTERNAL),
        None,  # an answer that names no organization
    ],
)
def test_an_unreadable_organization_costs_only_its_name(
    qtbot: QtBot, loader: Loader, outcome: object
) -> None:
    part, seen = loader(StubGraph(Outcomes(ME), organization=Outcomes(outcome)))
    part.load()
    qtbot.waitUntil(lambda: bool(seen["organization_changed"]))
    assert seen["organization_changed"] == [None]
    assert seen["profile_changed"] == [ME] and seen["photo_changed"] == [PHOTO]
    assert seen["error"] == []  # no banner for a name
    assert part.loaded


def test_the_organization_is_asked_for_at_most_daily(qtbot: QtBot, loader: Loader) -> None:
    graph = StubGraph(Outcomes(ME))
    part, seen = loader(graph)
    part.store = Store()  # type: ignore[assignment]
    part.load()
    qtbot.waitUntil(lambda: len(seen["organization_changed"]) == 1)
    part.load()  # the same account again: the name from the snapshot in memory
    qtbot.waitUntil(lambda: len(seen["organization_changed"]) == 2)
    assert seen["organization_changed"] == [ORG, ORG]
    assert len(graph.organizations.calls) == 1
    stored = part.store.saved[-1]  # type: ignore[union-attr]
    assert stored.organization == ORG and stored.organization_checked_at > 0
