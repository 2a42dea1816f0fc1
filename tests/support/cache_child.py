"""A second Lanyard process for cache tests: real AuthClient, real msal, the sandbox over HTTPS.

    python tests/support/cache_child.py COMMAND SANDBOX_JSON PROFILE_DIR [ARG]

Prints one JSON report on its last line. Used by the keyring tests (run inside a private session
bus, see tests/support/keyring.py) and by the window's cross-process tests.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from desktop_app.auth.client import AuthClient, AuthSettings
from desktop_app.core import net
from desktop_app.core.errors import LanyardError
from tests.support import keyring_control
from tests.support.sandbox_helpers import browser_sign_in


def client_for(info: dict[str, Any], profile: Path, notices: list[LanyardError]) -> AuthClient:
    settings = AuthSettings(
        info["client_id"], info["authority"], ("User.Read",), profile, instance_discovery=False
    )
    return AuthClient(settings, net.make_session(info["ca_file"], proxy=None), notices.append)


def describe(client: AuthClient, notices: list[LanyardError]) -> dict[str, Any]:
    store = client.token_cache.store if client.token_cache else None
    return {
        "protection": client.protection,
        "encrypted": bool(store and store.encrypted),
        "persisted": bool(store and store.persisted),
        "accounts": [a.username for a in client.accounts()],
        "notices": [n.message for n in notices],
        "advice": [n.recommendation for n in notices],
        "moved_to": [n.details.get("moved_to", "") for n in notices],
    }


def sign_in(client: AuthClient, notices: list[LanyardError], hint: str) -> dict[str, Any]:
    """Sign in with the browser (BROWSER is the stand-in), then report."""
    client.open()
    token = browser_sign_in(client, login_hint=hint or None)
    return describe(client, notices) | {
        "signed_in": token.account.username if token.account else ""
    }


def status(client: AuthClient, notices: list[LanyardError], _: str) -> dict[str, Any]:
    """Open the cache and, if an account is there, get a token silently."""
    client.open()
    report = describe(client, notices)
    accounts = client.accounts()
    report["source"] = client.silent(accounts[0]).source if accounts else ""
    return report


def sign_out(client: AuthClient, notices: list[LanyardError], username: str) -> dict[str, Any]:
    client.open()
    for account in client.accounts():
        if account.username == username:
            client.sign_out(account)
    return describe(client, notices)


def refresh_while_locked(client: AuthClient, notices: list[LanyardError], _: str) -> dict[str, Any]:
    """Signed in, the keyring gets locked (screen lock), then a refresh comes due."""
    client.open()
    account = client.accounts()[0]
    before = client.silent(account)
    keyring_control.lock()
    refreshed = client.silent(account, force_refresh=True)
    again = client.silent(account)
    return describe(client, notices) | {
        "refreshed": refreshed.source,
        "new_token": refreshed.access_token != before.access_token,
        "served_from_memory": again.access_token == refreshed.access_token,
    }


def store_raw(client: AuthClient, notices: list[LanyardError], text: str) -> dict[str, Any]:
    """Put ``text`` in the keyring item of this profile's cache, as damage would."""
    from desktop_app.auth.secret_service_store import SecretServiceStore

    profile = client.settings.profile_dir
    profile.mkdir(parents=True, exist_ok=True)
    SecretServiceStore(profile / "token_cache.bin.signal", profile / "token_cache.bin").save(text)
    return {}


def snapshot(client: AuthClient, notices: list[LanyardError], job_title: str) -> dict[str, Any]:
    """Save a profile snapshot holding ``job_title`` for this profile, then read it back as a
    new store would (the window's warm start)."""
    import time

    from desktop_app.graph.client import Photo
    from desktop_app.graph.profile import Profile
    from desktop_app.graph.snapshot import Snapshot
    from desktop_app.session.services import snapshot_store_for

    profile = client.settings.profile_dir
    store = snapshot_store_for(profile)
    fetched = Profile.from_graph({"displayName": "Megan Bowen", "jobTitle": job_title})
    photo = Photo(b"\x89PNG-not-really", "image/png", '"etag-1"')
    store.save(Snapshot("uid.utid", fetched, time.time(), photo, time.time()))
    loaded = snapshot_store_for(profile).load("uid.utid")
    return {
        "protection": store.store.protection,
        "encrypted": store.store.encrypted,
        "job_title": loaded.profile.jobTitle if loaded else None,
        "photo": loaded.photo is not None and loaded.photo.data == photo.data if loaded else False,
    }


def unlock_picks_it_up(client: AuthClient, notices: list[LanyardError], _: str) -> dict[str, Any]:
    """Started with the keyring locked; then the person unlocks it: the same process reads the
    saved sign-in (what the window's watcher does on the keyring's signal), no restart."""
    client.open()
    locked = describe(client, notices)
    keyring_control.unlock()
    client.reload_cache()
    accounts = client.accounts()
    return {
        "locked": locked,
        "unlocked": describe(client, notices),
        "source": client.silent(accounts[0]).source if accounts else "",
    }


def cleared_mid_session(
    client: AuthClient, notices: list[LanyardError], when: str
) -> dict[str, Any]:
    """Signed in; the keyring item is deleted from outside (``secret-tool clear``), ``when``:
    "before" the next refresh, or "during" it (after the refresh token was sent). Reports what
    the session sees; the keyring is read back by the test."""
    import subprocess

    client.open()
    account = client.accounts()[0]
    client.silent(account)
    cache_path = str(client.settings.profile_dir.resolve() / "token_cache.bin")

    def clear() -> None:
        done = subprocess.run(
            ["secret-tool", "clear", "cache", cache_path], capture_output=True, check=False
        )
        assert done.returncode == 0, done.stderr

    if when == "during":
        http = client._http_client
        post = http.post

        def clearing_post(*args: Any, **kwargs: Any) -> Any:
            response = post(*args, **kwargs)
            clear()  # the refresh is answered; the item goes before msal adds the tokens
            return response

        http.post = clearing_post  # type: ignore[method-assign]
    else:
        clear()
    try:
        client.silent(account, force_refresh=True)
        refreshed: str = "refreshed"
    except LanyardError as exc:
        refreshed = exc.message
    return describe(client, notices) | {"refresh": refreshed}


COMMANDS: dict[str, Callable[[AuthClient, list[LanyardError], str], dict[str, Any]]] = {
    "unlock-picks-it-up": unlock_picks_it_up,
    "cleared-mid-session": cleared_mid_session,
    "sign-in": sign_in,
    "status": status,
    "sign-out": sign_out,
    "refresh-while-locked": refresh_while_locked,
    "store-raw": store_raw,
    "snapshot": snapshot,
}


def main() -> int:
    command, info, profile = sys.argv[1], json.loads(sys.argv[2]), Path(sys.argv[3])
    argument = sys.argv[4] if len(sys.argv) > 4 else ""
    notices: list[LanyardError] = []
    report = COMMANDS[command](client_for(info, profile, notices), notices, argument)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
