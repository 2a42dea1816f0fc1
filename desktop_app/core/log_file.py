"""The rotating log file handler (core/logs.py sets it up when there is a log file)."""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import sys
from typing import Any

from desktop_app.core import logs  # its limits read when a handler is made (tests lower them)
from desktop_app.core.logs import LogFileUnusable, _open_log_file, _say_once


class LogFileHandler(logging.handlers.RotatingFileHandler):
    """The rotating log file, opened safely each time (rotation reopens it), that stops at the
    first failure (a full disk, a folder made read-only, a rotation that cannot rename) with
    one line on stderr, instead of logging's traceback on every record."""

    def __init__(self, path: str) -> None:
        super().__init__(
            path,
            maxBytes=logs.LOG_MAX_BYTES,
            backupCount=logs.LOG_BACKUPS,
            encoding="utf-8",
            delay=True,
        )
        self.broken = False
        # the terminal's handler, quiet while this file keeps the log: it is the log once broken
        self.terminal: logging.Handler | None = None
        self.stream = self._open()  # now: an unusable file is refused at start, not later

    def _open(self) -> Any:
        return os.fdopen(_open_log_file(self.baseFilename), "a", encoding="utf-8")

    def emit(self, record: logging.LogRecord) -> None:
        if not self.broken:
            super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        if self.broken:
            return
        self.broken = True
        if self.terminal is not None:
            self.terminal.setLevel(logging.NOTSET)
        exc = sys.exc_info()[1]
        reason = exc.reason if isinstance(exc, LogFileUnusable) else exc
        _say_once(
            f"the log file {self.baseFilename} stopped working ({reason}); logging to stderr only."
        )
        with contextlib.suppress(Exception):
            if self.stream is not None:
                self.stream.close()
        self.stream = None
