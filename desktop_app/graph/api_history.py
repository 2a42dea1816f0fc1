"""The API console's history: the requests a person made, newest first, to make again.

Kept in the window's settings as JSON (``to_json``/``from_json``); a damaged list loses only the
entries that are damaged. A URL on a base that changes (the sandbox's port) is kept as a template
(api_call.to_template). Header values that look like secrets (an API key, a signature) are not
kept: the settings file is not the token cache.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import asdict, dataclass

from desktop_app.graph.api_request import METHODS

MAX_ENTRIES = 100
MAX_KEPT_BODY = 64 * 1024  # a longer body is not kept (the request is, without it)
_SECRET_NAME = re.compile(r"key|secret|token|auth|cookie|signature|password|credential", re.I)
SECRET_KEPT_AS = "[not kept]"  # noqa: S105 - what replaces a secret


def keepable_headers(text: str) -> str:
    """``Name: value`` lines with the value of a header that looks secret replaced."""
    kept = []
    for line in text.splitlines():
        name, colon, _value = line.partition(":")
        if colon and _SECRET_NAME.search(name):
            line = f"{name.strip()}: {SECRET_KEPT_AS}"
        kept.append(line)
    return "\n".join(kept).strip()


@dataclass(frozen=True)
class HistoryEntry:
    method: str
    url: str  # a template where the base is known ("{graph}/me")
    scopes: str
    headers: str = ""
    body: str = ""
    status: int = 0  # 0: no answer (unreachable, no token)
    when: float = 0.0  # seconds since the epoch

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.method, self.url, self.scopes, self.headers, self.body)

    def label(self, url: str | None = None) -> str:
        """E.g. "GET {graph}/me/memberOf · 200 · 10:42"."""
        moment = time.strftime("%H:%M", time.localtime(self.when)) if self.when else ""
        parts = [
            f"{self.method} {url or self.url}",
            str(self.status) if self.status else "no answer",
        ]
        return " · ".join([*parts, moment] if moment else parts)


def entry(
    method: str,
    url: str,
    scopes: str,
    headers: str = "",
    body: str = "",
    status: int = 0,
    when: float | None = None,
) -> HistoryEntry:
    """An entry fit to keep: secret header values and long bodies left out."""
    return HistoryEntry(
        method,
        url,
        scopes,
        keepable_headers(headers),
        body if len(body) <= MAX_KEPT_BODY else "",
        status,
        time.time() if when is None else when,
    )


def add(entries: list[HistoryEntry], new: HistoryEntry) -> list[HistoryEntry]:
    """``new`` first, an earlier copy of the same request dropped, at most MAX_ENTRIES."""
    rest = [old for old in entries if old.key != new.key]
    return [new, *rest][:MAX_ENTRIES]


def to_json(entries: list[HistoryEntry]) -> str:
    return json.dumps([asdict(e) for e in entries[:MAX_ENTRIES]], ensure_ascii=False)


def _read(item: object) -> HistoryEntry | None:
    if not isinstance(item, dict):
        return None
    texts = {k: item.get(k, "") for k in ("method", "url", "scopes", "headers", "body")}
    if not all(isinstance(v, str) for v in texts.values()):
        return None
    status, when = item.get("status", 0), item.get("when", 0.0)
    if isinstance(status, bool) or not isinstance(status, int) or not 0 <= status < 1000:
        status = 0
    if isinstance(when, bool) or not isinstance(when, int | float) or not 0 <= when < 1e11:
        when = 0.0
    method = str(texts["method"]).upper()
    if method not in METHODS or not texts["url"]:
        return None
    return entry(
        method,
        str(texts["url"]),
        str(texts["scopes"]),
        str(texts["headers"]),
        str(texts["body"]),
        status,
        float(when),
    )


def from_json(text: object) -> list[HistoryEntry]:
    """The entries in ``text``; what cannot be read is skipped, never an exception."""
    if not isinstance(text, str) or not text:
        return []
    try:
        items = json.loads(text)
    except (ValueError, RecursionError):
        return []
    if not isinstance(items, list):
        return []
    found: list[HistoryEntry] = []
    for item in items[: MAX_ENTRIES * 2]:
        read = _read(item)
        if read is not None and all(read.key != e.key for e in found):
            found.append(read)
    return found[:MAX_ENTRIES]
