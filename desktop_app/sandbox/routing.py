"""Which endpoint answers a request, what an injected fault does instead, and the request log."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from desktop_app.sandbox import fault_responses
from desktop_app.sandbox.claims import parse_claims
from desktop_app.sandbox.errors import AadError
from desktop_app.sandbox.faults import PAGES, Fault, FaultSet, endpoint_of
from desktop_app.sandbox.idp import BROWSER_PATHS, IdentityProvider
from desktop_app.sandbox.more_resources import MoreResources
from desktop_app.sandbox.resources import Resources
from desktop_app.sandbox.state import SandboxState
from desktop_app.sandbox.web import Request, Response, json_response

ControlHandler = Callable[[Request, tuple[str, ...]], Response]


class Router:
    def __init__(
        self,
        idp: IdentityProvider,
        resources: Resources,
        state: SandboxState,
        faults: FaultSet,
        base_url: str,
        control: ControlHandler,
    ) -> None:
        self.idp = idp
        self.resources = resources
        self.more = MoreResources(resources)  # issue 17's endpoints and the orders
        self.state = state
        self.faults = faults
        self.base_url = base_url
        self.control = control

    def dispatch(self, req: Request, started: float, browser_only: bool) -> Response:
        """Route (or fault) one request and log it; browser_only: the plain-HTTP listener."""
        parts = tuple(p for p in req.path.split("/") if p)
        endpoint = endpoint_of(parts)
        if browser_only and endpoint not in PAGES:
            endpoint = None  # the plain-HTTP listener serves only the pages
        fault = self.faults.take(endpoint)
        if fault is None:
            response = self._route(req, parts, browser_only)
        else:
            response = self._faulted(req, parts, browser_only, fault)
        self._log(req, started, response, "http" if browser_only else "https")
        return response

    def _faulted(
        self, req: Request, parts: tuple[str, ...], browser_only: bool, fault: Fault
    ) -> Response:
        if fault.latency_ms:
            self.faults.pause(fault.latency_ms / 1000)
        if fault.hang:
            response = Response(0, action="hang", release=self.faults.hang_release())
        elif fault.reset:
            response = Response(0, action="reset")
        elif fault.body == "malformed":
            real = None if fault.replaces_response else self._route(req, parts, browser_only)
            response = fault_responses.malformed(fault, real)
        elif fault.status is not None:
            response = fault_responses.fault_response(fault, req, self.base_url)
        elif fault.answer:
            real = self._route(req, parts, browser_only)
            response = fault_responses.unusual(fault, real, self.idp.ctx.tokens.resign)
        else:  # latency only: then the real answer
            response = self._route(req, parts, browser_only)
        response.slow_body_s = fault.slow_body_ms / 1000
        response.kind = _kind_of(parts)
        if fault.trickle_ms:
            response.trickle_s = fault.trickle_ms / 1000
            response.release = self.faults.hang_release()
        if fault.replaces_response and req.form.get("grant_type"):
            response.grant_type = req.form.get("grant_type")
        response.log["fault"] = fault.kind
        return response

    def _log(self, req: Request, started: float, response: Response, listener: str) -> None:
        entry: dict[str, Any] = {
            "method": req.method,
            "path": req.path,  # never the query: it can carry codes and hints
            "kind": response.kind,
            "grant_type": response.grant_type,
            "status": response.status or None,  # None: no response (hang, reset)
            "duration_ms": round((time.perf_counter() - started) * 1000, 3),
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "listener": listener,
            "peer_port": req.peer_port,
        }
        if "claims" in req.query and "claims" not in response.log:
            # The authorize request: whether it asked for claims (msal passes claims_challenge).
            try:
                parsed = parse_claims(req.query["claims"])
            except AadError:
                parsed = None
            entry["claims"] = True
            if parsed is not None:
                entry.update(parsed.log_fields())
        entry.update(response.log)
        self.state.log_request(entry)

    def _route(self, req: Request, parts: tuple[str, ...], browser_only: bool) -> Response:
        idp, resources = self.idp, self.resources
        method = req.method
        if parts == ("devicelogin",):
            response = idp.device_login_page(req)
            response.kind = "page"
            return response
        if browser_only:
            if len(parts) >= 2 and parts[1:] in BROWSER_PATHS:
                return idp.route_tenant(req, parts[0], parts[1:])
            return _not_found("page")
        if parts[:1] == ("_sandbox",):
            response = self.control(req, parts[1:])
            response.kind = "control"
            return response
        if parts[:1] == ("v1.0",):
            if parts == ("v1.0", "me") and method == "GET":
                response = resources.me(req)
            elif parts == ("v1.0", "me", "photo", "$value") and method == "GET":
                response = resources.photo(req, metadata=False)
            elif parts == ("v1.0", "me", "photo") and method == "GET":
                response = resources.photo(req, metadata=True)
            elif parts == ("v1.0", "organization") and method == "GET":
                response = resources.organization(req)
            elif parts == ("v1.0", "me", "memberOf") and method == "GET":
                response = resources.member_of(req)
            elif parts == ("v1.0", "me", "getMemberObjects") and method == "POST":
                response = self.more.member_objects(req)
            elif parts == ("v1.0", "me", "manager") and method == "GET":
                response = self.more.manager(req)
            elif len(parts) == 4 and parts[1] == "users" and parts[3] == "getMemberObjects":
                response = resources.member_objects(req, parts[2])
            else:
                response = resources.unknown(req, parts, api=False)
            response.kind = "graph"
            return response
        if parts[:1] == ("api",):
            one = parts[3] if len(parts) == 4 else None
            if parts[:3] != ("api", "v1", "orders") or len(parts) > 4:
                response = resources.unknown(req, parts, api=True)
            elif method == "GET":
                response = self.more.orders_read(req, one)
            elif (method == "POST" and one is None) or (method in ("PATCH", "DELETE") and one):
                response = self.more.orders_write(req, one)
            else:
                response = resources.unknown(req, parts, api=True)
            response.kind = "api"
            return response
        if parts == ("common", "discovery", "instance"):
            response = idp.instance_discovery()
            response.kind = "idp"
            return response
        if len(parts) < 2:
            return _not_found("page")
        return idp.route_tenant(req, parts[0], parts[1:])


def _kind_of(parts: tuple[str, ...]) -> str:
    """The log kind of a faulted request (faults never apply to the control API)."""
    if parts[:1] == ("v1.0",):
        return "graph"
    if parts[:1] == ("api",):
        return "api"
    if parts == ("devicelogin",) or (len(parts) >= 2 and parts[1:] in BROWSER_PATHS):
        return "page"
    return "idp"


def _not_found(kind: str) -> Response:
    response = json_response(404, {"error": "not_found"})
    response.kind = kind
    return response
