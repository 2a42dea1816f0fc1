from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

import pytest

from desktop_app.core.logs import MASK, RedactingFilter, configure_logging, redact

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLWJ5dGVz"


@pytest.mark.parametrize(
    "text",
    [
        f"token {JWT} here",
        "POST body code=0.AXoAabcdefghijkl&state=s1",
        '{"refresh_token": "1.AbCdEf-opaque"}',
        "Authorization: Bearer abc.def.ghi",
        "client_info=eyJ1aWQiOiAiMSJ9",
    ],
)
def test_secrets_are_masked(text: str) -> None:
    cleaned = redact(text)
    assert MASK in cleaned
    for secret in (JWT, "0.AXoAabcdefghijkl", "1.AbCdEf-opaque", "abc.def.ghi", "eyJ1aWQiOiAiMSJ9"):
        assert secret not in cleaned


def test_plain_text_is_untouched() -> None:
    assert (
        redact("Session state: SIGNED_OUT -> SIGNING_IN")
        == "Session state: SIGNED_OUT -> SIGNING_IN"
    )


def test_filter_rewrites_records_and_tracebacks() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "got %s", (JWT,), None)
    try:
        raise ValueError(f"bad response {JWT}")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    assert RedactingFilter().filter(record)
    assert JWT not in record.getMessage()
    assert record.exc_text is not None and JWT not in record.exc_text


def test_logging_without_stderr_writes_the_file_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A windowed bundle on Windows starts with sys.stderr None: log to the file, never fail."""
    monkeypatch.setattr(sys, "stderr", None)
    log_file = tmp_path / "lanyard.log"
    root = logging.getLogger()
    level = root.level
    configure_logging(str(log_file), verbose=False)
    ours = [h for h in root.handlers if getattr(h, "lanyard", False)]
    try:
        assert len(ours) == 1 and isinstance(ours[0], logging.handlers.RotatingFileHandler)
        logging.getLogger("desktop_app.test").info("started without a console")
        assert "started without a console" in log_file.read_text()
    finally:
        for handler in ours:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level)
        for name in ("msal", "msal_extensions", "urllib3"):
            logging.getLogger(name).setLevel(logging.NOTSET)


def _record(message: str) -> logging.LogRecord:
    return logging.LogRecord("desktop_app.x", logging.INFO, __file__, 1, message, None, None)


def test_personal_data_is_masked_unless_verbose() -> None:
    from desktop_app.core.logs import PERSONAL_MASK, remember_personal

    remember_personal(["Adele Vance-Unit", "0c1d2e3f-unit-oid"])
    text = "signed in as Adele Vance-Unit <adele@contoso.test> oid 0c1d2e3f-unit-oid; state ok"
    quiet = _record(text)
    RedactingFilter(personal=True).filter(quiet)
    assert quiet.getMessage() == (
        f"signed in as {PERSONAL_MASK} <{PERSONAL_MASK}> oid {PERSONAL_MASK}; state ok"
    )
    verbose = _record(text)
    RedactingFilter(personal=False).filter(verbose)
    assert verbose.getMessage() == text


def test_remembered_values_are_bounded() -> None:
    from desktop_app.core import logs as redact

    redact.remember_personal([f"person-{n:04d}" for n in range(500)] + ["x" * 10_000])
    assert len(redact._personal) <= 64
    assert "person-0499" in redact._personal and "person-0000" not in redact._personal
    assert "x" * 10_000 not in redact._personal


def test_log_file_is_private_rotating_and_known(tmp_path: Path) -> None:
    from logging.handlers import RotatingFileHandler

    from desktop_app.core.logs import current_log_file

    log_file = tmp_path / "lanyard.log"
    root = logging.getLogger()
    level = root.level
    configure_logging(str(log_file), verbose=False)
    ours = [h for h in root.handlers if getattr(h, "lanyard", False)]
    try:
        assert any(isinstance(h, RotatingFileHandler) for h in ours)
        assert current_log_file() == str(log_file)
        assert log_file.stat().st_mode & 0o777 == 0o600
    finally:
        for handler in ours:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level)
        for name in ("msal", "msal_extensions", "urllib3"):
            logging.getLogger(name).setLevel(logging.NOTSET)
