"""The JSON control API under /_sandbox/ (tests and the demo only; never part of a real cloud)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from desktop_app.sandbox.web import Request, Response, json_response

if TYPE_CHECKING:
    from desktop_app.sandbox.server import Sandbox


def _bad_request(message: str) -> Response:
    return json_response(400, {"error": "bad_request", "message": message})


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


def _optional_int(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
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
    if len(parts) == 3 and parts[0] == "users" and parts[2] == "revoke" and method == "POST":
        try:
            sandbox.revoke_refresh_tokens(parts[1])
        except KeyError:
            return json_response(404, {"error": "not_found", "message": f"no user {parts[1]}"})
        return json_response(200, {"revoked": parts[1]})
    return json_response(404, {"error": "not_found"})
