"""Save diagnostics: a zip a person can send to support, with nothing secret in it.

What goes in: the recent log files (secrets masked again, personal data masked unless verbose
diagnostics is on), the versions of Lanyard and what it runs on, the settings (no secrets exist
in them, and paths under the home directory are shortened to ~), how the token cache is
protected and how many accounts it holds. Never a token, never a UPN unless verbose.

No Qt: the window gathers the inputs on its thread (attributes only) and builds the bundle on a
worker thread.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import desktop_app
from desktop_app.core.config import Config
from desktop_app.core.logs import redact, redact_personal

MAX_LOG_BYTES = 2_000_000  # per file: the newest part of it
LOG_BACKUPS_IN_BUNDLE = 3


@dataclass(frozen=True)
class DiagnosticsInput:
    config: Config | None
    log_file: Path | None
    cache_protection: str
    account_count: int
    verbose: bool
    state: str = ""
    extra_versions: Mapping[str, str] = field(default_factory=dict)  # Qt, PySide6 from the UI


def _package_version(name: str) -> str:
    # importlib.metadata costs ~20 ms: read when a bundle is written, not when the menu is built
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def versions(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    found = {
        "Lanyard": desktop_app.__version__,
        "msal": _package_version("msal"),
        "msal-extensions": _package_version("msal-extensions"),
        # the sign-in broker's runtime (the 'broker' extra); "unknown" when not installed
        "pymsalruntime": _package_version("pymsalruntime"),
        "requests": _package_version("requests"),
        "Python": platform.python_version(),
        "OS": platform.platform(),
        "frozen": str(bool(getattr(sys, "frozen", False))),
    }
    found.update(extra or {})
    return found


def _shorten(value: str) -> str:
    home = str(Path.home())
    return "~" + value[len(home) :] if home and home != "/" and value.startswith(home) else value


def settings_without_secrets(config: Config | None) -> dict[str, Any]:
    """Every setting, as text. Lanyard's settings hold no secret (a public client has none);
    home paths are shortened so the bundle does not name the local account."""
    if config is None:
        return {"configured": False}
    result: dict[str, Any] = {}
    for item in fields(config):
        value = getattr(config, item.name)
        if item.name == "origins":  # where each came from: flag, variable, file or policy
            result["sources"] = {key: _shorten(source) for key, source in value}
            continue
        if item.name == "policy_problems":
            result[item.name] = list(value)
            continue
        if item.name == "cloud":
            value = getattr(value, "name", str(value))
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, Path):
            value = _shorten(str(value))
        result[item.name] = value if isinstance(value, bool | list | type(None)) else str(value)
    return result


def _log_files(log_file: Path | None) -> list[Path]:
    if log_file is None:
        return []
    candidates = [log_file] + [
        log_file.with_name(f"{log_file.name}.{n}") for n in range(1, LOG_BACKUPS_IN_BUNDLE + 1)
    ]
    return [path for path in candidates if path.is_file()]


def _clean_log(path: Path, verbose: bool) -> str:
    with path.open("rb") as handle:
        size = path.stat().st_size
        if size > MAX_LOG_BYTES:
            handle.seek(size - MAX_LOG_BYTES)
        text = handle.read().decode("utf-8", "replace")
    # Logs were filtered when written; filter again in case a file predates a fix.
    text = redact(text)
    return text if verbose else redact_personal(text)


def bundle_entries(inputs: DiagnosticsInput) -> dict[str, str]:
    """The files of the bundle, by name (pure; the tests read it)."""
    summary = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "state": inputs.state,
        "token_cache": {
            "protection": inputs.cache_protection,
            "accounts": inputs.account_count,
        },
        "verbose_diagnostics": inputs.verbose,
    }
    entries = {
        "README.txt": (
            "Lanyard diagnostics. No tokens are included. "
            + (
                "Verbose diagnostics was on: the logs may name the signed-in person.\n"
                if inputs.verbose
                else "Names, e-mail addresses and object ids are masked as [personal].\n"
            )
        ),
        "versions.json": json.dumps(versions(inputs.extra_versions), indent=2),
        "settings.json": json.dumps(settings_without_secrets(inputs.config), indent=2),
        "summary.json": json.dumps(summary, indent=2),
    }
    for path in _log_files(inputs.log_file):
        entries[f"logs/{path.name}"] = _clean_log(path, inputs.verbose)
    return entries


def write_bundle(inputs: DiagnosticsInput, target: Path) -> Path:
    """Write the zip atomically (a temp file renamed into place), mode 0600. Returns ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, text in bundle_entries(inputs).items():
                zf.writestr(name, text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def default_name(now: float | None = None) -> str:
    return time.strftime("lanyard-diagnostics-%Y%m%d-%H%M%S.zip", time.localtime(now))


def entry_names(path: Path) -> Sequence[str]:
    with zipfile.ZipFile(path) as zf:
        return zf.namelist()
