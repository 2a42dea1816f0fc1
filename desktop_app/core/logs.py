"""Keeps secrets and personal data out of logs.

Secrets (anything shaped like a token or code) are masked always. Personal data (user principal
names and other e-mail addresses, and the display names and object ids Lanyard has seen, which
the auth and Graph layers hand to ``remember_personal``) are masked unless the person turned on
verbose diagnostics (``--verbose``). The log file rotates, in a 0700 directory.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
import threading
from collections.abc import Iterable

# JWTs (access and ID tokens), opaque refresh tokens and authorization codes in key=value or JSON form
_PATTERNS = (
    re.compile(r"eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*"),
    re.compile(
        r"(?i)((?:access_token|refresh_token|id_token|code|client_info|device_code|assertion|"
        r"password|authorization)[\"']?\s*[:=]\s*[\"']?(?:Bearer\s+)?)[^\s\"'&,}]+"
    ),
)
MASK = "[redacted]"
PERSONAL_MASK = "[personal]"
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 3

_personal_lock = threading.Lock()
_personal: dict[str, None] = {}  # insertion-ordered: the oldest go first past the cap
_PERSONAL_CAP = 64  # a few accounts' worth; parsers may see many (tests, hostile input)
_PERSONAL_MAX_LEN = 256
_current_log_file: str | None = None
_verbose = False


def remember_personal(values: Iterable[str]) -> None:
    """Values that identify a person (display name, object id, UPN) to mask in logs."""
    keep = [v.strip() for v in values if v and 3 <= len(v.strip()) <= _PERSONAL_MAX_LEN]
    with _personal_lock:
        for value in keep:
            _personal.pop(value, None)
            _personal[value] = None
        while len(_personal) > _PERSONAL_CAP:
            del _personal[next(iter(_personal))]


def redact_personal(text: str) -> str:
    with _personal_lock:
        known = sorted(_personal, key=len, reverse=True)  # longest first: "Megan Bowen" vs "Megan"
    for value in known:
        if value in text:
            text = text.replace(value, PERSONAL_MASK)
    return _EMAIL.sub(PERSONAL_MASK, text)


def current_log_file() -> str | None:
    """The log file configure_logging set up, if any (for Save diagnostics)."""
    return _current_log_file


def verbose_diagnostics() -> bool:
    """Whether the person asked for verbose diagnostics (personal data then stays in logs)."""
    return _verbose


def redact(text: str) -> str:
    text = _PATTERNS[0].sub(MASK, text)
    return _PATTERNS[1].sub(lambda m: m.group(1) + MASK, text)


class RedactingFilter(logging.Filter):
    """Masks secrets, and with ``personal`` also personal data, in messages and tracebacks."""

    def __init__(self, personal: bool = False) -> None:
        super().__init__()
        self.personal = personal

    def _clean(self, text: str) -> str:
        text = redact(text)
        return redact_personal(text) if self.personal else text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self._clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            # formatted tracebacks may quote a response body: redact the rendered text
            record.exc_text = self._clean(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        return True


def _private_log_file(path: str) -> logging.Handler:
    if os.name == "posix":  # created 0600 (the directory is 0700 too)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
    return logging.handlers.RotatingFileHandler(
        path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
    )


def configure_logging(log_file: str | None, verbose: bool) -> None:
    """Lanyard's handlers: stderr and a rotating log file. Without ``verbose``, personal data
    is masked too."""
    global _current_log_file, _verbose
    _verbose = verbose
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for old in [h for h in root.handlers if getattr(h, "lanyard", False)]:
        root.removeHandler(old)  # configuring twice (tests, a restarted window) must not duplicate
        old.close()
    handlers: list[logging.Handler] = []
    if sys.stderr is not None:  # a windowed (console=False) bundle on Windows has no stderr
        handlers.append(logging.StreamHandler())
    _current_log_file = None
    if log_file:
        handlers.append(_private_log_file(log_file))
        _current_log_file = log_file
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(RedactingFilter(personal=not verbose))
        handler.lanyard = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    # msal logs the authorization response at DEBUG and raw token responses at ERROR
    for name in ("msal", "msal_extensions", "urllib3"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
