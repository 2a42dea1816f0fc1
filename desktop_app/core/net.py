"""The one HTTP session factory that auth/ and graph/ share: explicit CA trust, timeouts, retries.

requests replaces ``verify=True`` with ``REQUESTS_CA_BUNDLE`` from the environment
(``Session.merge_environment_settings``), so a session here passes an explicit CA *path* on every
request: neither the environment nor a sandbox can silently change which servers are trusted.
msal ignores its own ``timeout``/``verify``/``proxies`` once given an ``http_client``; this session
supplies them.

Proxies: a configured proxy (the ``proxy`` setting) is passed on every request too, for the same
reason: requests fills a request's proxies from HTTP_PROXY/HTTPS_PROXY/ALL_PROXY *before* it
looks at ``Session.proxies``, so the environment would win over a session-level setting. The
environment is never read (``trust_env`` off): with a configured proxy every request goes through
it, without one every request goes direct, whatever HTTPS_PROXY/NO_PROXY/.netrc say (issue 14,
item 7). Every session Lanyard builds comes from ``make_session``, so all of them agree.

Deadlines: requests' timeouts are per socket read, so a body that trickles in a byte at a time
would never time out. Every request here also has a whole-response deadline (``deadline``,
counted from the request's start): the body is read in a loop against it, each read's socket
timeout cut to what is left, and ResponseDeadlineError (a Timeout) names the host when it passes.

A session can be aborted: every socket it opened is shut down, which wakes a thread blocked in a
read on a server that never answers (a timeout alone would hold Quit for up to 20 s).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import certifi
import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    DecodeError,
    MaxRetryError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.exceptions import SSLError as Urllib3SSLError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from desktop_app.core.config import CA_BUNDLE_LIMIT, config_error
from desktop_app.core.errors import ResponseSummary
from desktop_app.core.files import UnreadableFile, read_bounded
from desktop_app.core.i18n import _

# (connect, read) seconds; a hung server is given up on after the read timeout
DEFAULT_TIMEOUT = (5.0, 20.0)
# a whole response (connect, headers and body) takes at most this long: past it, the server is
# too slow to be worth waiting for, however steadily it trickles
DEFAULT_DEADLINE_S = 30.0
# what a response read whole (not streamed) may hold: more than any token, /me or photo answer
MAX_RESPONSE_BYTES = 16 << 20
USER_AGENT = "Lanyard"
# Graph retries 429/5xx itself, but waits at most this long for a Retry-After; a longer wait is
# the caller's to schedule (a sleeping urllib3 retry cannot be cancelled)
MAX_RETRY_AFTER_S = 4.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class SessionAbortedError(requests.ConnectionError):
    """The session was aborted (Lanyard is quitting); no request goes out any more."""


class ResponseDeadlineError(requests.exceptions.Timeout):
    """The whole response took longer than the session's deadline (a trickling body)."""

    def __init__(self, host: str, deadline_s: float, **kwargs: Any) -> None:
        self.host = host
        self.deadline_s = deadline_s
        super().__init__(
            _("{host} took more than {deadline_s:g} s to answer").format(
                host=host, deadline_s=deadline_s
            ),
            **kwargs,
        )


class ResponseTooLargeError(requests.exceptions.RequestException):
    """A response read whole was larger than MAX_RESPONSE_BYTES."""


class CrossHostRedirectError(requests.exceptions.RequestException):
    """A redirect would carry a request body (a refresh token, an authorization code and PKCE
    verifier) to another host: refused. requests drops the Authorization header on such a
    redirect, but a 307/308 keeps the method and body."""


class _Sockets:
    """A duplicate of every socket a session opened, so ``abort`` can wake whoever is blocked on
    one. A duplicate, because TLS wrapping detaches the original socket object; shutting down the
    duplicate shuts down the shared socket, even in the middle of a TLS handshake."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self.aborted = False

    def add(self, sock: socket.socket) -> socket.socket:
        duplicate = sock.dup()
        with self._lock:
            self._open.add(duplicate)
            aborted = self.aborted
        if aborted:
            _shutdown(duplicate)
        return duplicate

    def discard(self, duplicate: socket.socket) -> None:
        with self._lock:
            self._open.discard(duplicate)
        duplicate.close()

    def abort(self) -> None:
        with self._lock:
            self.aborted = True
            sockets = list(self._open)
        for sock in sockets:
            _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


def _tracking_pools(sockets: _Sockets) -> dict[str, type[HTTPConnectionPool]]:
    class Tracked:
        """Mixed into urllib3's connections: register each new socket, forget it on close."""

        _duplicate: socket.socket | None = None

        def _new_conn(self) -> socket.socket:
            sock: socket.socket = super()._new_conn()  # type: ignore[misc]
            self._duplicate = sockets.add(sock)
            return sock

        def close(self) -> None:
            try:
                super().close()  # type: ignore[misc]
            finally:
                duplicate, self._duplicate = self._duplicate, None
                if duplicate is not None:
                    sockets.discard(duplicate)

    class TrackedHTTPConnection(Tracked, HTTPConnection):
        pass

    class TrackedHTTPSConnection(Tracked, HTTPSConnection):
        pass

    class TrackedHTTPPool(HTTPConnectionPool):
        ConnectionCls = TrackedHTTPConnection

    class TrackedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = TrackedHTTPSConnection

    return {"http": TrackedHTTPPool, "https": TrackedHTTPSPool}


class _TrackingAdapter(HTTPAdapter):
    def __init__(self, sockets: _Sockets, max_retries: Retry) -> None:
        self._sockets = sockets
        super().__init__(max_retries=max_retries)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _tracking_pools(self._sockets)


class CappedRetry(Retry):
    """urllib3's Retry that gives up (returning the response) rather than sleep on a long
    Retry-After: the session schedules that wait on a timer it can cancel."""

    def increment(  # type: ignore[override]
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Retry:
        if response is not None:
            wait = self.get_retry_after(response)
            if wait is not None and wait > MAX_RETRY_AFTER_S:
                raise MaxRetryError(kwargs.get("_pool"), url or "", None)  # type: ignore[arg-type]
        return super().increment(method, url, response, *args, **kwargs)


def connect_only_retry() -> Retry:
    """Retry only failed connections, quickly: for the identity provider, whose throttling msal
    tracks itself (its http_cache), and whose token requests are POSTs."""
    return Retry(
        total=2,
        connect=2,
        read=False,  # a read timeout surfaces as ReadTimeout, not a ConnectionError
        status=0,
        backoff_factor=0.2,
        respect_retry_after_header=False,
        allowed_methods=None,
    )


def status_retry() -> Retry:
    """For Graph GETs: also retry 429 and 5xx, with backoff, honouring a short Retry-After."""
    return CappedRetry(
        total=3,
        connect=2,
        read=False,  # a read timeout surfaces as ReadTimeout, not a ConnectionError
        status=2,
        status_forcelist=RETRY_STATUSES,
        backoff_factor=0.5,
        respect_retry_after_header=True,
        allowed_methods=frozenset({"GET", "HEAD"}),
        raise_on_status=False,
    )


class TrustedSession(requests.Session):
    """A requests session that always verifies against ``ca_path`` and always has a timeout."""

    def __init__(
        self,
        ca_path: str,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retry: Retry | None = None,
        proxy: str | None = None,
        deadline_s: float = DEFAULT_DEADLINE_S,
    ) -> None:
        super().__init__()
        self.trust_env = False  # no proxy, CA or .netrc from the environment: module docstring
        self.ca_path = ca_path
        self.deadline_s = deadline_s
        # both schemes: the identity provider and Graph are https, but a redirect may not be
        self._proxies = {"http": proxy, "https": proxy} if proxy else None
        self.default_timeout = timeout
        self.headers["User-Agent"] = USER_AGENT
        self._sockets = _Sockets()
        self._last = threading.local()
        adapter = _TrackingAdapter(self._sockets, retry or connect_only_retry())
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def rebuild_auth(
        self, prepared_request: requests.PreparedRequest, response: requests.Response
    ) -> None:
        """Called for every redirect hop; requests drops Authorization when the host changes.
        With allow_redirects=False requests still prepares the next hop (``response.next``) and
        calls this, sending nothing: a caller that follows redirects itself (graph/api_call.py)
        must get the 3xx, not this refusal."""
        following = getattr(self._last, "following", True)
        if (
            following
            and prepared_request.body
            and self.should_strip_auth(  # type: ignore[no-untyped-call]
                response.request.url or "", prepared_request.url or ""
            )
        ):
            raise CrossHostRedirectError(
                _("refused to re-send a request body to another host"), response=response
            )
        super().rebuild_auth(prepared_request, response)  # type: ignore[no-untyped-call]

    @property
    def proxied(self) -> bool:
        """True when every request goes through a configured proxy (nothing direct)."""
        return self._proxies is not None

    def abort(self) -> None:
        """Fail every request in flight at once and refuse new ones (used when quitting)."""
        self._sockets.abort()

    @property
    def aborted(self) -> bool:
        return self._sockets.aborted

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        if self._sockets.aborted:
            raise SessionAbortedError(_("Lanyard is shutting down"))
        kwargs["verify"] = self.ca_path  # never True/False: see the module docstring
        if self._proxies is not None:
            kwargs["proxies"] = self._proxies  # per request: see the module docstring
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        streamed = bool(kwargs.get("stream"))
        kwargs["stream"] = True  # read here, against the deadline (unless the caller streams)
        started = time.monotonic()
        self._last.summary = None
        self._last.following = kwargs.get("allow_redirects", True)
        response = super().request(method, url, *args, **kwargs)
        response.lanyard_deadline = (started + self.deadline_s, self.deadline_s)  # type: ignore[attr-defined]
        if not streamed:  # read it whole now, against the deadline
            try:
                body, too_large = read_body(response, MAX_RESPONSE_BYTES)
            except BaseException:  # the deadline, a reset, Ctrl+C: all re-raised, as they came
                response.close()  # (a half-read connection must not go back to the pool)
                raise
            if too_large:
                response.close()
                raise ResponseTooLargeError(
                    _("{host} sent more than {MAX_RESPONSE_BYTES} bytes").format(
                        host=_host(response), MAX_RESPONSE_BYTES=MAX_RESPONSE_BYTES
                    ),
                    request=response.request,
                    response=response,
                )
            response._content = body
            response._content_consumed = True  # type: ignore[attr-defined]
            response.raw.release_conn()
        self._last.summary = ResponseSummary(
            response.status_code,
            response.headers.get("Retry-After", ""),
            response.headers.get("request-id", "") or response.headers.get("x-ms-request-id", ""),
        )
        return response

    def last_response(self) -> ResponseSummary | None:
        """The answer to this thread's last request: msal raises on a plain-text 429 without
        saying what the status was."""
        summary: ResponseSummary | None = getattr(self._last, "summary", None)
        return summary


def _host(response: requests.Response) -> str:
    from urllib.parse import urlsplit

    return urlsplit(response.url or "").netloc or _("the server")


def _cut_socket_timeout(response: requests.Response, left: float) -> None:
    """The next read on this response's socket waits at most ``left`` seconds (urllib3 keeps
    the connection on the response while its body is being read)."""
    connection = getattr(response.raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.settimeout(max(0.01, left))


def read_body(response: requests.Response, limit: int) -> tuple[bytes, bool]:
    """The body of a streamed response, read against the session's deadline: (at most
    ``limit`` + 1 bytes, True when there was more). Raises ResponseDeadlineError (a Timeout)
    once the deadline passes, and the exceptions requests' own reading raises otherwise."""
    deadline, deadline_s = getattr(response, "lanyard_deadline", (None, DEFAULT_DEADLINE_S))
    read_timeout = DEFAULT_TIMEOUT[1]
    data = bytearray()
    raw = response.raw

    def too_slow() -> ResponseDeadlineError:
        return ResponseDeadlineError(
            _host(response), deadline_s, request=response.request, response=response
        )

    try:
        while True:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise too_slow()
                _cut_socket_timeout(response, min(read_timeout, left))
            try:
                chunk = raw.read1(64 * 1024, decode_content=True)
            except ReadTimeoutError as exc:
                if deadline is not None and time.monotonic() >= deadline - 0.01:
                    raise too_slow() from None
                raise requests.exceptions.ReadTimeout(exc, request=response.request) from None
            if not chunk:
                return bytes(data), False
            data += chunk
            if len(data) > limit:
                return bytes(data[: limit + 1]), True
    except ProtocolError as exc:
        raise requests.exceptions.ChunkedEncodingError(exc, request=response.request) from None
    except DecodeError as exc:
        raise requests.exceptions.ContentDecodingError(exc, request=response.request) from None
    except Urllib3SSLError as exc:
        raise requests.exceptions.SSLError(exc, request=response.request) from None
    except OSError as exc:  # the socket, e.g. shut down by abort()
        if isinstance(exc, requests.RequestException):
            raise
        raise requests.exceptions.ConnectionError(exc, request=response.request) from None


def trust_bundle(extra_ca: Path | None, work_dir: Path) -> str:
    """The CA file to verify against: certifi's roots, plus ``extra_ca`` when configured.

    The combined file is content-addressed, so it is written once and reused.
    """
    if extra_ca is None:
        return str(certifi.where())
    try:  # read again: it may have changed since the settings were checked
        extra = read_bounded(extra_ca, CA_BUNDLE_LIMIT)
    except OSError as exc:
        reason = exc.reason if isinstance(exc, UnreadableFile) else _("no longer exists")
        raise config_error(
            "ca_bundle",
            str(extra_ca),
            _("cannot be used: '{extra_ca}' {reason}.").format(extra_ca=extra_ca, reason=reason),
        ) from None
    roots = Path(certifi.where()).read_bytes()
    digest = hashlib.sha256(roots + b"\0" + extra).hexdigest()[:16]
    target = work_dir / f"ca-bundle-{digest}.pem"
    if not target.exists():
        work_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=work_dir, prefix=".ca-", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(roots.rstrip(b"\n") + b"\n" + extra)
        os.replace(tmp, target)
    return str(target)


def make_session(
    ca_path: str,
    *,
    proxy: str | None,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    retry_statuses: bool = False,
    deadline_s: float = DEFAULT_DEADLINE_S,
) -> TrustedSession:
    """A session for the identity provider (default) or, with ``retry_statuses``, for Graph;
    through ``proxy`` when one is configured, else direct (None). The only way Lanyard builds
    one. ``proxy`` has no default: a session that silently went direct past a configured
    proxy was the bug (Call an API's did), so every caller says which it wants."""
    return TrustedSession(
        ca_path, timeout, status_retry() if retry_statuses else None, proxy, deadline_s
    )
