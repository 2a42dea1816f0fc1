"""What a start finds (bootstrap.open_session), with stand-in services: no Qt, no msal."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from desktop_app.auth.broker import SignInPath
from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.graph.profile import Profile
from desktop_app.graph.snapshot import Snapshot
from desktop_app.session.bootstrap import open_session
from desktop_app.session.services import DemoApi
from tests.unit.session.stubs import ALEX, MEGAN, Outcomes, failure, token_for

SNAPSHOT = Snapshot(MEGAN.home_account_id, Profile(displayName="Megan Bowen"), 1.0)


class Snapshots:
    def load(self, home_account_id: str) -> Snapshot | None:
        return SNAPSHOT if home_account_id == SNAPSHOT.home_account_id else None


class Auth:
    settings = SimpleNamespace(
        client_id="client", authority="https://login.test/t", scopes=("User.Read",)
    )
    protection = "not yet opened"
    token_cache: Any = None
    sign_in_path = SignInPath()  # the system browser (auth/client.py sets it in open())

    def __init__(self, accounts: list[Any], tokens: Outcomes, opened: Outcomes) -> None:
        self._accounts, self.tokens, self.opened = accounts, tokens, opened
        self.claims_read: list[Any] = []

    def open(self) -> None:
        self.opened()
        self.protection = "encrypted by the stand-in keyring"
        self.token_cache = SimpleNamespace(store=SimpleNamespace(encrypted=True))

    def accounts(self) -> list[Any]:
        return list(self._accounts)

    def silent(self, account: Any) -> Any:
        return self.tokens(account=account)

    def cached_id_claims(self, account: Any) -> Any:
        self.claims_read.append(account)
        return {"name": account.username}

    def identity(self, claims: Any) -> Any:
        return ("identity", claims["name"])


class Services:
    def __init__(self, accounts: list[Any], *tokens: object, opened: object = None) -> None:
        self.auth = Auth(accounts, Outcomes(*tokens or (None,)), Outcomes(opened))
        self.closed = False
        self.config = SimpleNamespace(
            graph_endpoint="https://graph.test/v1.0", scopes=("User.Read",)
        )
        self.sandbox: Any = None
        self.demo_api: Any = None

    def open_snapshots(self) -> Snapshots:
        return Snapshots()

    def close(self) -> None:
        self.closed = True


def test_no_saved_account_starts_signed_out_with_the_snapshot_store() -> None:
    services = Services([])
    started = open_session(services, "")  # type: ignore[arg-type]
    assert started.account is None and started.token is None and started.problem is None
    assert isinstance(started.snapshots, Snapshots)
    assert services.auth.tokens.calls == []


def test_the_account_shown_last_is_signed_in_silently_with_its_snapshot() -> None:
    token = token_for(MEGAN)
    services = Services([ALEX, MEGAN], token)
    started = open_session(services, MEGAN.home_account_id)  # type: ignore[arg-type]
    assert started.account == MEGAN and started.token == token
    assert services.auth.tokens.calls == [{"account": MEGAN}]
    assert started.snapshot == SNAPSHOT
    # nobody preferred (or gone): the first saved account
    assert open_session(Services([ALEX, MEGAN], token), "gone").account == ALEX  # type: ignore[arg-type]


def test_offline_at_start_shows_who_it_is_from_the_cached_id_token() -> None:
    offline = failure(ErrorKind.NETWORK)
    services = Services([MEGAN], offline)
    started = open_session(services, "")  # type: ignore[arg-type]
    assert started.problem is offline and started.token is None
    assert started.identity == ("identity", MEGAN.username)
    assert started.snapshot == SNAPSHOT


def test_a_sign_in_that_needs_a_person_shows_neither_identity_nor_snapshot() -> None:
    expired = failure(ErrorKind.INTERACTION_REQUIRED)
    services = Services([MEGAN], expired)
    started = open_session(services, "")  # type: ignore[arg-type]
    assert started.problem is expired
    assert started.identity is None and started.snapshot is None
    assert services.auth.claims_read == []


def test_a_cache_that_cannot_be_opened_closes_the_services_for_a_fresh_retry() -> None:
    broken = LanyardError("The token cache could not be opened.", "", ErrorKind.CACHE)
    services = Services([MEGAN], opened=broken)
    with pytest.raises(LanyardError) as raised:
        open_session(services, "")  # type: ignore[arg-type]
    assert raised.value is broken
    assert services.closed


def test_what_the_window_may_show_is_read_once_the_cache_is_open() -> None:
    services = Services([])
    setup = open_session(services, "").setup  # type: ignore[arg-type]
    assert (setup.client_id, setup.authority, setup.scopes) == (
        "client",
        "https://login.test/t",
        ("User.Read",),
    )
    assert setup.config is services.config
    assert (setup.protection, setup.encrypted) == ("encrypted by the stand-in keyring", True)


def test_what_the_api_panel_offers_is_fixed_at_start_with_the_sandboxs_api_when_there() -> None:
    services = Services([])
    setup = open_session(services, "").setup  # type: ignore[arg-type]
    assert [p.url for p in setup.api_presets] == [
        "https://graph.test/v1.0/me",
        "https://graph.test/v1.0/me/memberOf",
        "https://graph.test/v1.0/me/getMemberObjects",
        "https://graph.test/v1.0/organization",
        "https://graph.test/v1.0/me/manager",
        "https://graph.test/v1.0/me/photo/$value",
    ]
    assert dict(setup.api_bases) == {"graph": "https://graph.test/v1.0"}
    services = Services([])
    # what build_services found: the sandbox in process, or the one --sandbox-info describes
    services.demo_api = DemoApi("https://orders.test", "api://orders/Read")
    setup = open_session(services, "").setup  # type: ignore[arg-type]
    assert setup.api_presets[-1].url == "https://orders.test/orders"
    assert setup.api_presets[-1].scopes == ("api://orders/Read",)
    assert dict(setup.api_bases) == {
        "graph": "https://graph.test/v1.0",
        "api": "https://orders.test",
    }
