"""Keeps secrets and personal data out of logs.

Secrets (anything shaped like a token or code) are masked always. Personal data (user principal
names and other e-mail addresses, and the display names and object ids Lanyard has seen, which
the auth and Graph layers hand to ``remember_personal``) are masked unless the person turned on
verbose diagnostics (``--verbose``). The log file rotates, in a 0700 directory; a log file that
cannot be used (a folder in its place, read-only, another user's) leaves logging to stderr.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import stat
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


# What makes a copied text a secret (ui/clipboard.py): a JWT, a bearer token, or a value of a
# token-bearing key. Narrower than redaction's key list: "postalCode": "98052" is no secret.
_SECRET_VALUE = re.compile(
    r"(?i)\b(?:access_token|refresh_token|id_token|client_secret|code|device_code|assertion|"
    r"password)[\"']?\s*[:=]\s*[\"']?[^\s\"'&,}]{8,}"
)
_BEARER = re.compile(r"(?i)\bBearer\s+[A-Za-z0-9\-._~+/]{16,}=*")


def contains_secret(text: str) -> bool:
    """Whether ``text`` holds something shaped like a token or a code (to keep it off the
    clipboard for long: ui/clipboard.py)."""
    return bool(_PATTERNS[0].search(text) or _SECRET_VALUE.search(text) or _BEARER.search(text))


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


class LogFileUnusable(OSError):
    """The log file cannot or must not be written; ``reason`` continues "The log file X ..."."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path} {reason}")
        self.path = path
        self.reason = reason


def _open_log_file(path: str) -> int:
    """An fd to append to ``path``, created 0600. Refused: a folder, pipe or anything else that
    is not a regular file (a pipe without a reader would block the open), a symbolic link (it
    would be followed, as root too), a file of another user (a ``sudo lanyard`` left root's log
    behind; as root, another user's file is theirs), a read-only file (its owner made it so:
    root would write it anyway)."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        before = os.lstat(path)
    except FileNotFoundError:
        before = None
    except OSError as exc:
        raise LogFileUnusable(path, f"cannot be opened ({exc.strerror or exc})") from None
    if before is not None:
        _check_log_file(path, before, link_ok=False)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LogFileUnusable(path, "is a symbolic link, not a file") from None
        if exc.errno in (errno.EISDIR, errno.ENXIO):
            raise LogFileUnusable(path, "is not a file") from None
        raise LogFileUnusable(path, f"cannot be opened ({exc.strerror or exc})") from None
    try:
        _check_log_file(path, os.fstat(fd), link_ok=True)  # what was opened, not what was seen
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _check_log_file(path: str, status: os.stat_result, link_ok: bool) -> None:
    mode = status.st_mode
    if stat.S_ISLNK(mode) and not link_ok:
        raise LogFileUnusable(path, "is a symbolic link, not a file")
    if stat.S_ISDIR(mode):
        raise LogFileUnusable(path, "is a folder, not a file")
    if not stat.S_ISREG(mode):
        raise LogFileUnusable(path, "is not a file (a pipe, socket or device)")
    if os.name == "posix":
        if status.st_uid != os.geteuid():
            raise LogFileUnusable(path, f"belongs to another user (uid {status.st_uid})")
        if not mode & stat.S_IWUSR:
            raise LogFileUnusable(path, "is read-only")


def _say_once(line: str) -> None:
    """One line on stderr, outside logging (logging is what failed); nothing without stderr."""
    stream = sys.stderr
    if stream is not None:
        with contextlib.suppress(Exception):
            stream.write(f"lanyard: {line}\n")
            stream.flush()


TERMINAL_LEVEL = logging.ERROR  # what reaches stderr beside a log file, without --verbose


def configure_logging(log_file: str | None, verbose: bool) -> str | None:
    """Lanyard's handlers: stderr and a rotating log file. Without ``verbose``, personal data
    is masked too.

    A log file that cannot be used never stops Lanyard: it logs to stderr only and says so once,
    in one line without a traceback. Returns that line's text (for the window to show), or None.
    """
    global _current_log_file, _verbose
    _verbose = verbose
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for old in [h for h in root.handlers if getattr(h, "lanyard", False)]:
        root.removeHandler(old)  # configuring twice (tests, a restarted window) must not duplicate
        old.close()
    handlers: list[logging.Handler] = []
    terminal = logging.StreamHandler() if sys.stderr is not None else None
    if terminal is not None:  # a windowed (console=False) bundle on Windows has no stderr
        handlers.append(terminal)
    _current_log_file = None
    problem = None
    if log_file:
        try:
            # logging.handlers (and pickle with it) only when there is a file: not for the
            # terminal commands, which log to stderr alone
            from desktop_app.core.log_file import LogFileHandler

            handlers.append(file_handler := LogFileHandler(log_file))
            file_handler.terminal = terminal
            _current_log_file = log_file
        except LogFileUnusable as exc:
            problem = f"The log file {log_file} {exc.reason}: Lanyard logs to stderr only."
        except OSError as exc:  # anything else opening it raised
            problem = (
                f"The log file {log_file} cannot be opened ({exc}): Lanyard logs to stderr only."
            )
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    if terminal is not None and _current_log_file is not None and not verbose:
        # a person's terminal is not the log: the file keeps everything, the window shows
        # what matters in itself, so start-up notes (Qt work-arounds, no D-Bus) stay off the
        # terminal unless --verbose. With no usable file, stderr is the log and keeps it all.
        terminal.setLevel(TERMINAL_LEVEL)
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(RedactingFilter(personal=not verbose))
        handler.lanyard = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    # msal logs the authorization response at DEBUG and raw token responses at ERROR
    for name in ("msal", "msal_extensions", "urllib3"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    if problem is not None:
        logging.getLogger(__name__).warning("%s", problem)  # the stderr handler: one line
    return problem
