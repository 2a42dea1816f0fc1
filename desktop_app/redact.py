"""Keeps secrets out of logs: a logging filter that masks anything shaped like a token or code."""

from __future__ import annotations

import logging
import re
import sys

# JWTs (access and ID tokens), opaque refresh tokens and authorization codes in key=value or JSON form
_PATTERNS = (
    re.compile(r"eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*"),
    re.compile(
        r"(?i)((?:access_token|refresh_token|id_token|code|client_info|device_code|assertion|"
        r"password|authorization)[\"']?\s*[:=]\s*[\"']?(?:Bearer\s+)?)[^\s\"'&,}]+"
    ),
)
MASK = "[redacted]"


def redact(text: str) -> str:
    text = _PATTERNS[0].sub(MASK, text)
    return _PATTERNS[1].sub(lambda m: m.group(1) + MASK, text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            # formatted tracebacks may quote a response body: redact the rendered text
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def configure_logging(log_file: str | None, verbose: bool) -> None:
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for old in [h for h in root.handlers if getattr(h, "lanyard", False)]:
        root.removeHandler(old)  # configuring twice (tests, a restarted window) must not duplicate
        old.close()
    handlers: list[logging.Handler] = []
    if sys.stderr is not None:  # a windowed (console=False) bundle on Windows has no stderr
        handlers.append(logging.StreamHandler())
    if log_file:
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(RedactingFilter())
        handler.lanyard = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    # msal logs the authorization response at DEBUG and raw token responses at ERROR
    for name in ("msal", "msal_extensions", "urllib3"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
