"""Persisted discovery is not trusted past an endpoint that stopped answering (issue 14, item 8).

msal's discovery answer (the OpenID configuration: the authorize and token endpoints) is kept on
disk (http_cache.py) so a warm start sends nothing. If an endpoint it names refuses connections
(the sandbox demo's sign-in pages came back on another port; an identity provider moved), the
saved answer is stale: the auth client drops it and discovers once more, instead of sending a
browser to a dead page and waiting minutes for it. Only a refusal counts: a timeout or a DNS
failure says nothing about whether the address is still the right one.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

PROBE_TIMEOUT_S = 2.0
_DEPTH = 8  # requests -> urllib3 MaxRetryError -> NewConnectionError -> ConnectionRefusedError


def refused(exc: BaseException) -> bool:
    """Whether ``exc`` (what requests, through msal, raised) is, at its root, a refused
    connection: requests wraps urllib3's MaxRetryError (``.reason``), which wraps a
    NewConnectionError caused by ConnectionRefusedError."""
    seen: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo and len(seen) < _DEPTH * 4:
        current = todo.pop()
        if any(current is s for s in seen):
            continue
        seen.append(current)
        if isinstance(current, ConnectionRefusedError):
            return True
        linked = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        linked += [a for a in getattr(current, "args", ()) if isinstance(a, BaseException)]
        todo.extend(e for e in linked if isinstance(e, BaseException))
    return False


def endpoint_refuses(url: str, timeout: float = PROBE_TIMEOUT_S) -> bool:
    """True when nothing listens at ``url``'s host and port (the connection is refused). Used
    before a browser is sent to an authorize endpoint that came from persisted discovery: the
    browser's failure would never reach Lanyard."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return False
    if not host:
        return False
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return False
    except ConnectionRefusedError:
        return True
    except OSError:  # a timeout, no route, no such name: not evidence of a stale address
        return False
