"""What requests raised (or the last HTTP answer that made a parse fail), worded for people.

Shared by auth/ (msal's requests) and graph/ (Graph's): both reach the network through core/net.py.
"""

from __future__ import annotations

import requests

from desktop_app.core.errors import ErrorKind, LanyardError, ResponseSummary, support_details


def from_http_exception(
    exc: Exception, action: str, service: str, last: ResponseSummary | None = None
) -> LanyardError | None:
    """``exc`` as a LanyardError if requests raised it, or if ``last`` (the HTTP answer that made
    a parse fail: msal raises ValueError on a plain-text 429 without telling the status) says
    the service is throttling or failing; None for anything else."""
    name = exc.__class__.__name__
    if isinstance(exc, requests.exceptions.SSLError):
        return LanyardError(
            f"{action} failed: the certificate of {service} is not trusted.",
            "If your network inspects TLS, set ca_bundle in Lanyard's settings to your "
            "organisation's CA certificate.",
            ErrorKind.NETWORK,
            support_details(error=name),
        )
    if isinstance(exc, requests.exceptions.ProxyError):
        return LanyardError(
            f"{action} failed: Lanyard could not reach the proxy, or the proxy refused to "
            f"connect to {service}.",
            "Check the proxy in File → Settings… (or the --proxy / LANYARD_PROXY / HTTPS_PROXY "
            "you set): its address, that it is running, and any user name and password it needs.",
            ErrorKind.NETWORK,
            support_details(error=name),
        )
    if isinstance(exc, requests.exceptions.Timeout):
        return LanyardError(
            f"{action} failed: {service} did not answer in time.",
            "Check your connection. Lanyard tries again shortly.",
            ErrorKind.NETWORK,
            support_details(error=name),
        )
    if isinstance(exc, requests.exceptions.RequestException):
        return LanyardError(
            f"{action} failed: {service} could not be reached.",
            "Check your network connection. Lanyard tries again shortly.",
            ErrorKind.NETWORK,
            support_details(error=name),
        )
    if last is not None and last.status == 429:
        return LanyardError(
            f"{action} failed: {service} is throttling requests.",
            "Lanyard waits as asked and tries again.",
            ErrorKind.SERVICE,
            support_details(status="429", retry_after=last.retry_after, request_id=last.request_id),
        )
    if last is not None and last.status >= 500:
        return LanyardError(
            f"{action} failed: {service} is having problems (HTTP {last.status}).",
            "Lanyard tries again shortly.",
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
        f"{action} failed: {service} sent an answer Lanyard could not read.",
        "Lanyard tries again shortly; the service may be busy.",
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
