"""One HTTP/1.x request read from a loopback connection, strictly and within bounds.

The sign-in receiver (loopback.py) listens where any local program can connect, so nothing
the client sends is trusted: the request line and headers together are capped, the body is
capped before it is read (a Content-Length must be plain digits: "-1", "+5", "1e3", "0x10"
and unicode digits are refused, as are two different lengths), chunked bodies are refused,
and every receive waits only for what is left of one deadline for the whole request, so a
client sending a byte a second is cut off on time like a silent one.
"""

from __future__ import annotations

import re
import socket
import time
from dataclasses import dataclass

MAX_HEAD = 32 * 1024  # request line + headers; a browser's form post sends about 1 KB
MAX_HEADERS = 100
MAX_BODY = 64 * 1024  # the form_post body is a few KB (code, state, client_info)
_CHUNK = 8192
_LOOK_BACK = 3  # a blank line may straddle two receives

_REQUEST_LINE = re.compile(r"([A-Z]{1,16}) ([\x21-\x7e]{1,8192}) HTTP/1\.([01])")
_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,256}")
_DIGITS = re.compile(r"[0-9]{1,12}")
_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


class RequestRejected(Exception):
    """The request cannot be served: answer ``status`` (a short reason, never echoing input)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class ConnectionEnded(Exception):
    """The client went away, or the deadline passed: close without an answer."""


@dataclass(frozen=True)
class Request:
    method: str
    target: str
    minor_version: int  # HTTP/1.0 or HTTP/1.1
    headers: dict[str, str]  # names in lower case
    body: bytes


def _receive(sock: socket.socket, deadline: float, most: int) -> bytes:
    left = deadline - time.monotonic()
    if left <= 0:
        raise ConnectionEnded("deadline")
    sock.settimeout(left)  # per receive: what is left of the whole request's time
    try:
        data = sock.recv(min(most, _CHUNK))
    except (TimeoutError, OSError) as exc:
        raise ConnectionEnded(type(exc).__name__) from None
    if not data:
        raise ConnectionEnded("closed")
    return data


def _split_head(buffer: bytearray, start: int) -> tuple[bytes, bytes] | None:
    """The head and what followed it, once the blank line has arrived (searched from
    ``start``, so a client sending a byte at a time is not re-scanned from the beginning)."""
    ends = [
        (at, len(end)) for end in (b"\r\n\r\n", b"\n\n") if (at := buffer.find(end, start)) >= 0
    ]
    if not ends:
        return None
    at, size = min(ends)
    return bytes(buffer[:at]), bytes(buffer[at + size :])


def _parse_head(head: bytes) -> tuple[str, str, int, dict[str, str]]:
    lines = head.decode("latin-1").split("\n")
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    while lines and not lines[0]:
        lines.pop(0)  # RFC 9112: a server may ignore empty lines before the request line
    if not lines:
        raise RequestRejected(400, "Bad request")
    start = _REQUEST_LINE.fullmatch(lines[0])
    if start is None:
        raise RequestRejected(400, "Bad request")
    method, target, minor = start.group(1), start.group(2), int(start.group(3))
    if len(lines) - 1 > MAX_HEADERS:
        raise RequestRejected(431, "Too many headers")
    headers: dict[str, str] = {}
    lengths: set[str] = set()
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        value = value.strip(" \t")
        if not colon or _NAME.fullmatch(name) is None or _BAD_VALUE.search(value):
            raise RequestRejected(400, "Bad request")  # obs-fold, a bare CR, a NUL...
        name = name.lower()
        if name == "content-length":
            lengths.add(value)
        headers[name] = value
    if "transfer-encoding" in headers:
        raise RequestRejected(501, "Chunked bodies are not accepted")
    if len(lengths) > 1 or any(_DIGITS.fullmatch(v) is None for v in lengths):
        raise RequestRejected(400, "Bad Content-Length")
    return method, target, minor, headers


def read_request(sock: socket.socket, deadline: float) -> Request:
    """Read one request from ``sock`` by ``deadline`` (time.monotonic()). Raises RequestRejected
    (answer it) or ConnectionEnded (just close)."""
    buffer = bytearray()
    scanned = 0
    while (parts := _split_head(buffer, max(0, scanned - _LOOK_BACK))) is None:
        if len(buffer) > MAX_HEAD:
            raise RequestRejected(431, "Request header too large")
        scanned = len(buffer)
        buffer += _receive(sock, deadline, MAX_HEAD + 4 - len(buffer))
    head, rest = parts
    if len(head) > MAX_HEAD:
        raise RequestRejected(431, "Request header too large")
    method, target, minor, headers = _parse_head(head)
    length = int(headers.get("content-length", "0"))
    if length > MAX_BODY:
        raise RequestRejected(413, "Too large")
    if method == "POST" and "content-length" not in headers:
        raise RequestRejected(411, "Length required")
    if minor == 1 and headers.get("expect", "").lower() == "100-continue" and len(rest) < length:
        try:
            sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        except OSError as exc:
            raise ConnectionEnded(type(exc).__name__) from None
    body = bytearray(rest[:length])
    while len(body) < length:
        body += _receive(sock, deadline, length - len(body))
    return Request(method, target, minor, headers, bytes(body))
