"""The JSON control API under /_sandbox/ (tests and the demo only; never part of a real cloud).

Every path is under `https://localhost:PORT/_sandbox` (SandboxInfo.control_url). Bodies are JSON;
bad input answers 400 `{"error": "bad_request", "message": ...}`, an unknown user 404.
control.SandboxControl is the typed client; Sandbox has the same methods in-process.

    GET    /                              SandboxInfo as JSON
    GET    /requests                      the request log (below)
    DELETE /requests                      empty the request log
    GET    /tokens                        every token and code issued: [{"kind", "value"}];
                                           kind: access, refresh, id, code (authorization
                                           codes), device_code, session (the browser's
                                           sign-in cookie). With $SANDBOX_ISSUED_TOKENS_FILE
                                           set, each is also appended there as a JSON line
                                           (tests' token-leak scan; never set otherwise)
    POST   /apps                          {client_id?, display_name?, redirect_uris?, app_roles?,
                                           role_assignments?} -> 201 {"client_id"}
    POST   /lifetimes                     {access_token: s, refresh_in: s|null,
                                           refresh_token: s|null}
    POST   /device-code                   {interval?: s >= 1, expires_in?: s >= 1} for device
                                           codes issued from now on (Entra: 5 and 900)
    POST   /users/{upn}/revoke            refresh tokens issued so far fail:
                                           invalid_grant [50173] suberror bad_token
    POST   /users/{upn}/require-mfa       refresh tokens issued so far fail: invalid_grant
                                           [50076] suberror basic_action + claims
                                           ({"access_token":{"capolids":...}}); the next
                                           interactive sign-in (authorize or device code) shows
                                           an "Approve sign-in request" step that satisfies it;
                                           prompt=none answers interaction_required meanwhile
    POST   /users/{upn}/revoke-consent    {client_id?: str, scopes?: [str]} (absent: all);
                                           a refresh for a withdrawn scope fails: invalid_grant
                                           [65001] suberror consent_required; the consent page
                                           asks again -> {"removed": [consent keys]}
    POST   /users/{upn}/roles             {roles: [str], client_id?: str (default Lanyard's)}
                                           replace the user's app roles; tokens issued from
                                           now on carry them -> {"roles": the app's roles among
                                           them}; unknown client 400
    POST   /users/{upn}/claims-challenge  a critical event now -> {"event_time": epoch second};
                                           Graph and the API answer tokens with iat < event_time
                                           401: with xms_cc cp1 an insufficient_claims challenge
                                           (WWW-Authenticate claims = base64 of
                                           {"access_token":{"nbf":{"essential":true,"value":"<t>"}}}),
                                           without it a plain InvalidAuthenticationToken
    POST   /users/{upn}/profile           {properties?: {name: any JSON}, remove?: [name]}: Graph
                                           /me answers these over the seeded profile (wrong
                                           types, HTML, megabyte strings: for hostile-data
                                           tests), without the removed names; replaces an
                                           earlier override
    DELETE /users/{upn}/profile           the seeded profile again
    POST   /faults                        add a fault (below) -> 201 the fault with its "id"
    GET    /faults                        the active faults, with "count" left and "hits"
    DELETE /faults                        clear all faults, release hung connections
                                           -> {"cleared": n}

Faults: {"endpoint": name, "status": int|null, "retry_after": s|text|null, "body": null|"json"|
"text"|"malformed"|"empty", "latency_ms": int, "slow_body_ms": int, "trickle_ms": int,
"hang": bool, "reset": bool, "count": int|null, "message": text|null, "answer": object|null}.
Endpoint names: openid-configuration, instance-discovery, keys, authorize, sign-in (the login,
mfa and consent posts), token, devicecode, devicelogin, logout, me, photo, member-objects,
member-of (GET /v1.0/me/memberOf), api (everything under /api/v1: the orders list and one order).
- status: answered instead of the endpoint, in its error shape: Entra JSON (`error`, AADSTS code,
  trace ids) for openid-configuration/instance-discovery/keys/token/devicecode; an HTML error
  page for the browser pages; Graph's envelope {"error": {"code", "message", "innerError":
  {"date", "request-id", "client-request-id"}}} + `request-id` header for me/photo/
  member-objects/member-of/api. A 429 of an identity endpoint or page answers plain text ("429 Too Many
  Requests") unless body is "json"; Graph's 429 is its JSON TooManyRequests envelope.
  body "text" / "empty" force a plain-text / empty body.
- retry_after: a `Retry-After` header: seconds, or any printable text (an HTTP-date, "soon",
  "-5"), as servers send it. Without it there is none (msal then throttles for 60 s).
- body "malformed": a 200 (or `status`) whose JSON is cut off halfway; for token/devicecode a
  secret-free stand-in, elsewhere the real answer.
- latency_ms: delay before answering (alone: then the real answer).
- slow_body_ms: the body sent in eight pieces over this long (a slow body that still arrives
  in time).
- trickle_ms: the body (the real answer's, or the status fault's) sent one byte every trickle_ms
  ms (at most 10000), until the client hangs up, DELETE /faults or the sandbox stops (a body
  that only a whole-response deadline ends).
- answer: the "unusual upstream" mode: the real successful answer, rewritten as Entra and the
  protocol allow (faults.FaultSpec.answer): numbers_as_strings, singletons, scope_case,
  guid_case, set (replaced or unknown extra fields), and id_token (the same for the ID
  token's claims, signed again).
- hang: read the request, never answer, until DELETE /faults or the sandbox stops; then close.
- reset: read the request, then close with SO_LINGER 0 (the client sees ECONNRESET).
- count: how many requests it takes (default 1; null: every request until cleared). Faults for
  one endpoint apply in the order added.

Request log entries: {"method", "path" (never the query), "kind" (idp|page|graph|api|control),
"grant_type", "status" (null when no response: hang/reset), "duration_ms", "time", "listener"
(https|http), "peer_port" (the client's)}, plus "fault" (e.g. "status", "reset", "hang", "malformed", "latency",
"latency+status") when a fault applied, and "claims": true, "client_capabilities": [..],
"claims_challenge": bool when the token, devicecode or authorize request carried `claims`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from desktop_app.sandbox.errors import AadError
from desktop_app.sandbox.faults import FaultSpec, FaultSpecError
from desktop_app.sandbox.web import Request, Response, json_response

if TYPE_CHECKING:
    from desktop_app.sandbox.server import Sandbox


def _bad_request(message: str) -> Response:
    return json_response(400, {"error": "bad_request", "message": message})


def _no_user(upn: str) -> Response:
    return json_response(404, {"error": "not_found", "message": f"no user {upn}"})


def _str_list(value: Any) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def _add_app(sandbox: Sandbox, body: Any) -> Response:
    if not isinstance(body, dict):
        return _bad_request("expected a JSON object")
    redirect_uris = _str_list(body.get("redirect_uris", ["http://localhost"]))
    app_roles = _str_list(body.get("app_roles", []))
    assignments = body.get("role_assignments", {})
    if redirect_uris is None or app_roles is None or not isinstance(assignments, dict):
        return _bad_request("redirect_uris and app_roles are lists of strings")
    checked: dict[str, list[str]] = {}
    for upn, roles in assignments.items():
        role_list = _str_list(roles)
        if role_list is None:
            return _bad_request("role_assignments maps a UPN to a list of role values")
        checked[str(upn)] = role_list
    client_id = body.get("client_id")
    display_name = body.get("display_name", "Sandbox test app")
    client_id = sandbox.add_app(
        client_id=str(client_id) if client_id else None,
        display_name=str(display_name),
        redirect_uris=redirect_uris,
        app_roles=app_roles,
        role_assignments=checked,
    )
    return json_response(201, {"client_id": client_id})


def _optional_int(value: Any, minimum: int = 0) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(value)
    return value


def _lifetimes(sandbox: Sandbox, body: Any) -> Response:
    if not isinstance(body, dict):
        return _bad_request("expected a JSON object")
    try:
        access = _optional_int(body.get("access_token", 3600))
        refresh_in = _optional_int(body.get("refresh_in"))
        refresh_token = _optional_int(body.get("refresh_token"))
    except ValueError:
        return _bad_request("lifetimes are non-negative integers (seconds) or null")
    sandbox.set_token_lifetime(3600 if access is None else access, refresh_in, refresh_token)
    return json_response(200, {"access_token": access, "refresh_in": refresh_in})


def _device_code(sandbox: Sandbox, body: Any) -> Response:
    if not isinstance(body, dict):
        return _bad_request("expected a JSON object")
    try:
        interval = _optional_int(body.get("interval"), minimum=1)
        expires_in = _optional_int(body.get("expires_in"), minimum=1)
    except ValueError:
        return _bad_request("interval and expires_in are integers (seconds) of at least 1")
    if interval is not None:
        sandbox.set_device_code_interval(interval)
    if expires_in is not None:
        sandbox.set_device_code_lifetime(expires_in)
    return json_response(200, {"interval": interval, "expires_in": expires_in})


def _add_fault(sandbox: Sandbox, body: Any) -> Response:
    try:
        fault = sandbox.add_fault(FaultSpec.from_json(body))
    except FaultSpecError as exc:
        return _bad_request(str(exc))
    return json_response(201, fault)


def _revoke_consent(sandbox: Sandbox, upn: str, body: Any) -> Response:
    if body is None:
        body = {}
    if not isinstance(body, dict):
        return _bad_request("expected a JSON object")
    client_id = body.get("client_id")
    scopes = body.get("scopes")
    if client_id is not None and not isinstance(client_id, str):
        return _bad_request("client_id is a string")
    if scopes is not None and _str_list(scopes) is None:
        return _bad_request("scopes is a list of strings")
    try:
        removed = sandbox.revoke_consent(upn, client_id, scopes)
    except AadError as err:
        return _bad_request(err.message)
    return json_response(200, {"removed": removed})


def _assign_roles(sandbox: Sandbox, upn: str, body: Any) -> Response:
    if not isinstance(body, dict) or _str_list(body.get("roles")) is None:
        return _bad_request("expected {roles: [str], client_id?: str}")
    client_id = body.get("client_id")
    if client_id is not None and not isinstance(client_id, str):
        return _bad_request("client_id is a string")
    roles = _str_list(body.get("roles")) or []
    if client_id is None:
        assigned = sandbox.assign_roles(upn, roles)
    elif sandbox.directory.app(client_id) is None:
        return _bad_request(f"no app with client_id {client_id}")
    else:
        assigned = sandbox.assign_roles(upn, roles, client_id)
    return json_response(200, {"roles": assigned})


def _set_profile(sandbox: Sandbox, upn: str, body: Any) -> Response:
    if not isinstance(body, dict):
        return _bad_request("expected a JSON object")
    unknown = sorted(set(body) - {"properties", "remove"})
    properties = body.get("properties", {})
    remove = body.get("remove", [])
    if unknown or not isinstance(properties, dict) or _str_list(remove) is None:
        return _bad_request("expected {properties?: {name: value}, remove?: [name]}")
    sandbox.set_profile(upn, properties, remove)
    return json_response(200, {"profile": upn})


def _user_action(sandbox: Sandbox, req: Request, upn: str, action: str) -> Response:
    try:
        if action == "revoke":
            sandbox.revoke_refresh_tokens(upn)
            return json_response(200, {"revoked": upn})
        if action == "require-mfa":
            sandbox.require_mfa(upn)
            return json_response(200, {"mfa_required": upn})
        if action == "revoke-consent":
            return _revoke_consent(sandbox, upn, req.json())
        if action == "roles":
            return _assign_roles(sandbox, upn, req.json())
        if action == "claims-challenge":
            return json_response(200, {"event_time": sandbox.claims_challenge(upn)})
        if action == "profile" and req.method == "POST":
            return _set_profile(sandbox, upn, req.json())
        if action == "profile" and req.method == "DELETE":
            sandbox.reset_profile(upn)
            return json_response(200, {"profile": upn})
    except KeyError:
        return _no_user(upn)
    return json_response(404, {"error": "not_found"})


def handle(sandbox: Sandbox, req: Request, parts: tuple[str, ...]) -> Response:
    method = req.method
    if parts == () and method == "GET":
        return json_response(200, sandbox.info.as_json())
    if parts == ("requests",) and method == "GET":
        return json_response(200, sandbox.requests())
    if parts == ("requests",) and method == "DELETE":
        sandbox.clear_requests()
        return Response(204)
    if parts == ("tokens",) and method == "GET":
        return json_response(200, sandbox.issued_tokens())
    if parts == ("apps",) and method == "POST":
        return _add_app(sandbox, req.json())
    if parts == ("lifetimes",) and method == "POST":
        return _lifetimes(sandbox, req.json())
    if parts == ("device-code",) and method == "POST":
        return _device_code(sandbox, req.json())
    if parts == ("faults",):
        if method == "GET":
            return json_response(200, sandbox.faults())
        if method == "POST":
            return _add_fault(sandbox, req.json())
        if method == "DELETE":
            return json_response(200, {"cleared": sandbox.clear_faults()})
    if (
        len(parts) == 3
        and parts[0] == "users"
        and (method == "POST" or (method == "DELETE" and parts[2] == "profile"))
    ):
        return _user_action(sandbox, req, parts[1], parts[2])
    return json_response(404, {"error": "not_found"})
