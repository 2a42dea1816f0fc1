"""The offline demo's home and whether a person chose it.

The demo keeps its sandbox's keys and its own token cache in one folder, kept across starts, so
that the demo shows what Lanyard promises: a person who signed in stays signed in after a restart.
That folder is the profile directory when one is given (``--profile-dir``,
``LANYARD_PROFILE_DIR``), else ``demo/`` in Lanyard's data folder: never the folder the real
tenant's cache is in.

Choosing *Try the offline sandbox* in the window leaves a marker there, so the next start (from
the desktop entry, which passes no flags) opens the demo again. Only *Leave the demo* removes it:
saving settings inside the demo is that choice, made explicitly (ui/settings_dialog.py). A
client id given by flag or environment wins over the marker, for that start only.

The demo reads nothing of config.toml, so a file that cannot load does not keep a person out of
it (``start_config``), nor send its files to another profile than the flags name
(``flags_only``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from desktop_app.core import paths
from desktop_app.core.config import Config, ConfigError, load_config
from desktop_app.core.files import atomic_write

log = logging.getLogger(__name__)

CHOSEN_FILE = "demo-chosen"
_CHOSEN_TEXT = "The offline demo was chosen in the window; Leave the demo removes this file.\n"
SANDBOX_STATE_DIR = "sandbox-idp"  # the sandbox's keys and port (session/services.py)


def explicit_profile(profile_flag: object | None, environ: Mapping[str, str] | None = None) -> bool:
    """Whether the profile directory was given for this start rather than defaulted."""
    env = os.environ if environ is None else environ
    return bool(profile_flag or env.get("LANYARD_PROFILE_DIR"))


def demo_home(config: Config, explicit: bool) -> Path:
    return config.profile_dir if explicit else paths.data_dir() / "demo"


def _looked_at(path: Path, kind: str) -> bool:
    """Whether ``path`` is there as a ``kind`` ("file" or "folder"). A folder this user may not
    look into (another user's, or mode 000: left by a `sudo lanyard`) holds no choice of
    theirs: False, said in the log, never a PermissionError out of every start."""
    try:
        return path.is_file() if kind == "file" else path.is_dir()
    except OSError as exc:
        log.warning("The demo's %s %s cannot be looked at: %s", kind, path, exc.strerror or exc)
        return False


def is_chosen(home: Path) -> bool:
    return _looked_at(home / CHOSEN_FILE, "file")


def has_been_used(home: Path) -> bool:
    """A demo profile is there to come back to (its sandbox's keys were kept)."""
    return _looked_at(home / SANDBOX_STATE_DIR, "folder")


def remember_choice(home: Path) -> str | None:
    """Mark the demo as chosen; what went wrong, in a sentence, when it cannot be kept."""
    try:
        paths.ensure_private_dir(home)
        # replaced, never written through: the folder may be another user's (--profile-dir),
        # and a link they planted here must not make this write land in one of this user's files
        atomic_write(home / CHOSEN_FILE, _CHOSEN_TEXT.encode("utf-8"), 0o600)
    except OSError as exc:
        log.warning("The choice of the demo is not remembered: %s", exc.strerror or exc)
        return f"The demo will not open by itself next time: {exc.strerror or exc} ({home})."
    return None


def forget_choice(home: Path) -> None:
    try:
        (home / CHOSEN_FILE).unlink(missing_ok=True)
    except OSError as exc:  # the next start opens the demo again; said in the log
        log.warning("The demo could not be left for good: %s", exc.strerror or exc)


def apply_choice(
    config: Config, flags: Mapping[str, object | None], environ: Mapping[str, str] | None = None
) -> Config:
    """``config`` with the demo in force when a person chose it and this start names no client
    id of its own (by flag or environment)."""
    if config.sandbox:
        return config
    env = os.environ if environ is None else environ
    if flags.get("client_id") or env.get("LANYARD_CLIENT_ID"):
        return config
    explicit = explicit_profile(flags.get("profile_dir"), env)
    if is_chosen(demo_home(config, explicit)):
        return replace(config, sandbox=True)
    return config


def flags_only(
    flags: Mapping[str, object | None], environ: Mapping[str, str] | None = None
) -> Config | ConfigError:
    """The settings the flags and environment give without the config file: what the demo runs
    on when the file cannot load (its profile folder is still the one given), or why not."""
    try:
        return load_config(flags, environ, file_values={})
    except ConfigError as exc:
        return exc


def start_config(
    flags: Mapping[str, object | None],
    sandbox_flag: bool,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """The settings a start runs with: the configuration, with the demo in force when it is
    asked for (``--sandbox``) or was chosen; the demo also when the configuration cannot load.
    Raises the configuration's ConfigError otherwise."""
    try:
        config = load_config(flags, environ)
    except ConfigError as problem:
        bare = flags_only(flags, environ)
        if isinstance(bare, ConfigError):
            raise problem from None
        config = apply_choice(replace(bare, sandbox=sandbox_flag), flags, environ)
        if not config.sandbox:
            raise
        # the field only: a message may quote a value (a proxy URL's password)
        field = problem.details.get("field", "?")
        log.warning("The configuration cannot load ('%s'); the demo runs without it", field)
        return config
    if sandbox_flag:
        config = replace(config, sandbox=True)
    return apply_choice(config, flags, environ)
