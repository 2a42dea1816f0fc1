"""What requests raised (or the last HTTP answer that made a parse fail), worded for people.

Shared by auth/ (msal's requests) and graph/ (Graph's): both reach the network through core/net.py.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import requests

from desktop_app.core.errors import ErrorKind, LanyardError, ResponseSummary, support_details
from desktop_app.core.i18n import _
from desktop_app.core.text import shown


def _host(exc: Exception) -> str:
    """The host (and port) the failed request was for: every network failure names it, so a
    person can tell which server of several is the one not answering. "" when unknown."""
    request = getattr(exc, "request", None)
    url = getattr(request, "url", None) or ""
    if not url:  # urllib3's errors carry the URL in their arguments
        url = next((a for a in getattr(exc, "args", ()) if isinstance(a, str) and "://" in a), "")
    try:
        return shown(urlsplit(str(url)).netloc.rpartition("@")[2])
    except ValueError:
        return ""


_PROXY_VARIABLES = (
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
)


def _environment_proxy_note() -> str:
    """Lanyard never reads the environment's proxy variables (core/net.py): when one is set, a
    person behind that proxy needs to be told where Lanyard's own setting is."""
    import os

    if any(os.environ.get(name) for name in _PROXY_VARIABLES):
        return _(
            " HTTPS_PROXY from the environment is not used: to go through a proxy, set proxy "
            "in Lanyard's settings (or LANYARD_PROXY, or --proxy)."
        )
    return ""


def _named(service: str, host: str) -> str:
    return f"{service} ({host})" if host and host not in service else service


def from_http_exception(
    exc: Exception, action: str, service: str, last: ResponseSummary | None = None
) -> LanyardError | None:
    """``exc`` as a LanyardError if requests raised it, or if ``last`` (the HTTP answer that made
    a parse fail: msal raises ValueError on a plain-text 429 without telling the status) says
    the service is throttling or failing; None for anything else."""
    name = exc.__class__.__name__
    host = _host(exc)
    named = _named(service, host)
    if isinstance(exc, requests.exceptions.SSLError):
        return LanyardError(
            _("{action} failed: the certificate of {named} is not trusted.").format(
                action=action, named=named
            ),
            _(
                "If your network inspects TLS, set ca_bundle in Lanyard's settings to your "
                "organisation's CA certificate."
            ),
            ErrorKind.NETWORK,
            support_details(error=name),
        )
    if isinstance(exc, requests.exceptions.ProxyError):
        return LanyardError(
            _(
                "{action} failed: Lanyard could not reach the proxy, or the proxy refused to connect to {named}."
            ).format(action=action, named=named),
            _(
                "Check the proxy in File → Settings… (or the --proxy / LANYARD_PROXY you set): its "
                "address, that it is running, and any user name and password it needs."
            ),
            ErrorKind.NETWORK,
            support_details(error=name),
        )
    deadline_s = getattr(exc, "deadline_s", None)
    if isinstance(exc, requests.exceptions.Timeout) and deadline_s is not None:
        return LanyardError(  # net.ResponseDeadlineError: a body that trickled in too slowly
            _(
                "{action} failed: {named} took too long to answer (more than {deadline_s:g} s)."
            ).format(action=action, named=named, deadline_s=deadline_s),
            _("The server or the network is very slow. Lanyard tries again shortly."),
            ErrorKind.NETWORK,
            support_details(error=name),
        )
    if isinstance(exc, requests.exceptions.Timeout):
        return LanyardError(
            _("{action} failed: {named} did not answer in time.").format(
                action=action, named=named
            ),
            _("Check your connection. Lanyard tries again shortly."),
            ErrorKind.NETWORK,
            support_details(error=name),
        )
    if exc.__class__.__name__ == "ResponseTooLargeError":
        return LanyardError(
            _("{action} failed: {named} sent a far larger answer than Lanyard accepts.").format(
                action=action, named=named
            ),
            _("The server is misbehaving or is not the one Lanyard expects; check its address."),
            ErrorKind.SERVICE,
            support_details(error=name),
        )
    if isinstance(exc, requests.exceptions.RequestException):
        proxy_note = (
            "" if isinstance(exc, requests.exceptions.ProxyError) else _environment_proxy_note()
        )
        return LanyardError(
            _("{action} failed: {named} could not be reached.").format(action=action, named=named),
            _("Check your network connection. Lanyard tries again shortly.") + proxy_note,
            ErrorKind.NETWORK,
            support_details(error=name),
        )
    if last is not None and last.status == 429:
        return LanyardError(
            _("{action} failed: {service} is throttling requests.").format(
                action=action, service=service
            ),
            _("Lanyard waits as asked and tries again."),
            ErrorKind.SERVICE,
            support_details(status="429", retry_after=last.retry_after, request_id=last.request_id),
        )
    if last is not None and last.status >= 500:
        return LanyardError(
            _("{action} failed: {service} is having problems (HTTP {status}).").format(
                action=action, service=service, status=last.status
            ),
            _("Lanyard tries again shortly."),
            ErrorKind.SERVICE,
            support_details(
                status=str(last.status), retry_after=last.retry_after, request_id=last.request_id
            ),
        )
    return None


def unreadable_answer(
    exc: Exception, action: str, service: str, last: ResponseSummary | None = None
) -> LanyardError:
    """An answer that could not be parsed, from a service that is perhaps busy."""
    name = exc.__class__.__name__
    return LanyardError(
        _("{action} failed: {service} sent an answer Lanyard could not read.").format(
            action=action, service=service
        ),
        _("Lanyard tries again shortly; the service may be busy."),
        ErrorKind.SERVICE,
        support_details(error=name, status=str(last.status) if last else ""),
    )


def from_exception(
    exc: Exception, action: str, service: str, last: ResponseSummary | None = None
) -> LanyardError:
    """Anything a request raised, worded for people."""
    return from_http_exception(exc, action, service, last) or unreadable_answer(
        exc, action, service, last
    )
