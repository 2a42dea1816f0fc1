"""The Save diagnostics bundle: what is in it, and what never is."""

from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path

from desktop_app.core.config import Config
from desktop_app.core.diagnostics import (
    DiagnosticsInput,
    bundle_entries,
    settings_without_secrets,
    write_bundle,
)
from desktop_app.core.logs import remember_personal

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLWJ5dGVzLWhlcmU"
UPN = "adele.vance@contoso.test"


def inputs(tmp_path: Path, verbose: bool = False, log_text: str | None = None) -> DiagnosticsInput:
    log = tmp_path / "logs" / "lanyard.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(
        log_text
        or f"INFO signed in as {UPN} (Adele Diag Vance)\nDEBUG token response access_token={JWT}\n"
    )
    (log.parent / "lanyard.log.1").write_text("older entry\n")
    remember_personal(["Adele Diag Vance"])
    return DiagnosticsInput(
        config=Config(client_id="11111111-2222-3333-4444-555555555555", profile_dir=tmp_path),
        log_file=log,
        cache_protection="plaintext file, readable only by you",
        account_count=2,
        verbose=verbose,
        state="SIGNED_IN",
        extra_versions={"Qt": "6.x", "PySide6": "6.y"},
    )


def test_bundle_has_logs_versions_settings_and_the_cache_summary(tmp_path: Path) -> None:
    target = write_bundle(inputs(tmp_path), tmp_path / "out" / "diag.zip")
    assert target.stat().st_mode & 0o777 == 0o600
    with zipfile.ZipFile(target) as zf:
        names = set(zf.namelist())
        assert names == {
            "README.txt",
            "versions.json",
            "settings.json",
            "summary.json",
            "logs/lanyard.log",
            "logs/lanyard.log.1",
        }
        versions = json.loads(zf.read("versions.json"))
        summary = json.loads(zf.read("summary.json"))
        settings = json.loads(zf.read("settings.json"))
        log = zf.read("logs/lanyard.log").decode()
    for name in ("Lanyard", "msal", "msal-extensions", "Python", "OS", "Qt", "PySide6"):
        assert versions[name], name
    assert summary["token_cache"] == {
        "protection": "plaintext file, readable only by you",
        "accounts": 2,
    }
    assert settings["client_id"] == "11111111-2222-3333-4444-555555555555"
    assert JWT not in log and "[redacted]" in log
    assert UPN not in log and "Adele Diag Vance" not in log and "[personal]" in log
    assert list(tmp_path.joinpath("out").iterdir()) == [target]  # no temp file left


def test_verbose_keeps_personal_data_but_never_tokens(tmp_path: Path) -> None:
    log = bundle_entries(inputs(tmp_path, verbose=True))["logs/lanyard.log"]
    assert UPN in log and "Adele Diag Vance" in log
    assert JWT not in log


def test_home_paths_are_shortened_in_settings() -> None:
    settings = settings_without_secrets(Config(profile_dir=Path.home() / "some" / "where"))
    assert settings["profile_dir"] == "~/some/where"
    assert settings_without_secrets(None) == {"configured": False}


def test_building_a_bundle_of_full_logs_is_quick_enough_to_report(tmp_path: Path) -> None:
    """Figures, not a bound: the window builds it off the GUI thread anyway."""
    line = f"2026-01-01 INFO desktop_app.session.controller: Session state: SIGNED_IN -> REFRESHING {UPN}\n"
    data = inputs(tmp_path, log_text=line * (1_000_000 // len(line)))
    started = time.perf_counter()
    write_bundle(data, tmp_path / "big.zip")
    elapsed = time.perf_counter() - started
    print(f"diagnostics bundle with a 1 MB log: {elapsed * 1000:.0f} ms")
    assert (tmp_path / "big.zip").stat().st_size > 0
