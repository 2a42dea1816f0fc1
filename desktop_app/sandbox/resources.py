"""The protected resources: Microsoft Graph /me (+ photo, memberOf, group overage) and the
Orders API, a second protected resource for calling several APIs and incremental consent.

    GET /v1.0/me                       the default /me properties (User.Read)
    GET /v1.0/me/photo[/$value]        photo metadata / bytes with an ETag; 404 ImageNotFound
    GET /v1.0/me/memberOf              the user's groups, 100 a page ($top 1..999, then
                                       @odata.nextLink with $skiptoken); with User.Read alone
                                       each group has only @odata.type and id (the rest null),
                                       with GroupMember.Read.All or Directory.Read.All in full
    /v1.0/users/{id}/getMemberObjects  where the ID token's group overage points
    GET /v1.0/organization             the tenant; with User.Read only id, displayName and
                                       verifiedDomains (the rest null), in full with
                                       Organization.Read.All or Directory.Read.All
    other /v1.0/...                    400 BadRequest "Resource not found for the segment 'x'."
    /api/v1/orders[/{id}]              the Orders API (aud api://<API_APP_ID>): more_resources.py
    /me/getMemberObjects, /me/manager  more_resources.py
    other /api/...                     404 NotFound

Each validates the bearer token the way the real resource does (signature, audience, lifetime,
scope) and answers errors in Graph's JSON shape with a `request-id` header. Continuous access
evaluation: after a critical event for a user, a token issued before it (by `iat`, to the second)
gets a 401; with client capability cp1 (`xms_cc`) that 401 is an `insufficient_claims` challenge
whose `claims` demand a token newer than the event.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import time
import uuid
from typing import Any
from urllib.parse import quote

from desktop_app.sandbox.avatar import render_png
from desktop_app.sandbox.claims import cae_challenge
from desktop_app.sandbox.directory import (
    GRAPH_RESOURCE,
    TENANT_DOMAIN,
    TENANT_ID,
    TENANT_NAME,
    Directory,
    User,
)
from desktop_app.sandbox.errors import graph_error_body, graph_headers
from desktop_app.sandbox.jwt import JwtError
from desktop_app.sandbox.state import SandboxState
from desktop_app.sandbox.tokens import TokenIssuer
from desktop_app.sandbox.web import Request, Response, json_response

_ME_CONTEXT = "https://graph.microsoft.com/v1.0/$metadata#users/$entity"
_CLOCK_SKEW = 300  # seconds of leeway, as Microsoft's token validation allows
_PROFILE_SCOPES = {"User.Read", "User.ReadWrite", "User.ReadBasic.All", "Directory.Read.All"}
# memberOf answers in full with these; with User.Read alone only @odata.type and id (the rest
# null), as Graph does for directory objects the app may not read
_GROUP_READ_SCOPES = {"GroupMember.Read.All", "Directory.Read.All"}
# GET /organization, as https://learn.microsoft.com/graph/api/organization-get documents it:
# User.Read is the least privileged delegated permission, and reads only id, displayName and
# verifiedDomains; Organization.Read.All (or a Directory permission) reads everything
_ORGANIZATION_SCOPES = {
    "User.Read",
    "Organization.Read.All",
    "Directory.Read.All",
    "Organization.ReadWrite.All",
    "Directory.ReadWrite.All",
}
_ORGANIZATION_FULL_SCOPES = _ORGANIZATION_SCOPES - {"User.Read"}
MEMBER_OF_PAGE = 100  # Graph's default page size for memberOf; $top takes 1 to 999
MEMBER_OF_MAX_PAGE = 999
_GROUP_NAMES = (
    "All Company",
    "Identity Admins",
    "Lanyard Pilot",
    "Marketing",
    "Product Team",
    "Contoso Travel",
    "Security Champions",
    "Mobile Devices",
)


def group_document(group_id: str, index: int, full: bool) -> dict[str, Any]:
    """One group as /me/memberOf lists it; ``full`` False: only what User.Read may see."""
    name = _GROUP_NAMES[index % len(_GROUP_NAMES)]
    if index >= len(_GROUP_NAMES):
        name = f"{name} {index // len(_GROUP_NAMES) + 1}"
    return {
        "@odata.type": "#microsoft.graph.group",
        "id": group_id,
        "displayName": name if full else None,
        "description": f"Members of {name}" if full else None,
        "mail": None,
        "mailEnabled": False if full else None,
        "securityEnabled": True if full else None,
        "groupTypes": [] if full else None,
    }


def _skiptoken(offset: int) -> str:
    return base64.urlsafe_b64encode(f"memberOf:{offset}".encode()).decode().rstrip("=")


def _offset(token: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    prefix, _, number = text.partition(":")
    return int(number) if prefix == "memberOf" and number.isdigit() else None


class Unauthorized(Exception):
    def __init__(self, status: int, code: str, message: str, claims: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.claims = claims  # base64 claims of a CAE challenge (error="insufficient_claims")


def me_document(user: User) -> dict[str, Any]:
    """The default /me properties, null where the user has none (as Graph does)."""
    return {
        "@odata.context": _ME_CONTEXT,
        "businessPhones": list(user.business_phones),
        "displayName": user.display_name,
        "givenName": user.given_name,
        "jobTitle": user.job_title,
        "mail": user.mail,
        "mobilePhone": user.mobile_phone,
        "officeLocation": user.office_location,
        "preferredLanguage": user.preferred_language,
        "surname": user.surname,
        "userPrincipalName": user.upn,
        "id": user.oid,
    }


def organization_document(full: bool) -> dict[str, Any]:
    """The tenant as /organization lists it; ``full`` False: only what User.Read may read."""
    return {
        "id": TENANT_ID,
        "displayName": TENANT_NAME,
        "verifiedDomains": [
            {"capabilities": "Email", "isDefault": True, "isInitial": True, "name": TENANT_DOMAIN}
        ],
        "city": "Redmond" if full else None,
        "countryLetterCode": "US" if full else None,
        "tenantType": "AAD" if full else None,
        "createdDateTime": "2024-01-15T09:00:00Z" if full else None,
    }


def photo_bytes(user: User) -> bytes | None:
    if user.photo_colors is None:
        return None
    return render_png(*user.photo_colors)


def etag(data: bytes) -> str:
    return f'W/"{hashlib.sha256(data).hexdigest()[:32]}"'


class Resources:
    def __init__(
        self, directory: Directory, tokens: TokenIssuer, state: SandboxState, base_url: str
    ) -> None:
        self.directory = directory
        self.tokens = tokens
        self.state = state
        self.base_url = base_url
        self.authorization_uri = f"{base_url}/{TENANT_ID}/oauth2/v2.0/authorize"

    def _authenticate(
        self, req: Request, audience: str, scopes: set[str]
    ) -> tuple[User, dict[str, Any]]:
        header = req.header("authorization") or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized(401, "InvalidAuthenticationToken", "Access token is empty.")
        try:
            claims = self.tokens.verify_access_token(token.strip())
        except JwtError as exc:
            raise Unauthorized(
                401, "InvalidAuthenticationToken", f"Access token validation failure. {exc}."
            ) from exc
        now = time.time()
        if claims.get("aud") != audience:
            raise Unauthorized(
                401,
                "InvalidAuthenticationToken",
                "Access token validation failure. Invalid audience.",
            )
        if not isinstance(claims.get("exp"), int) or claims["exp"] + _CLOCK_SKEW < now:
            raise Unauthorized(
                401,
                "InvalidAuthenticationToken",
                "Lifetime validation failed, the token is expired.",
            )
        if isinstance(claims.get("nbf"), int) and claims["nbf"] - _CLOCK_SKEW > now:
            raise Unauthorized(
                401,
                "InvalidAuthenticationToken",
                "Lifetime validation failed, the token is not yet valid.",
            )
        user = self.directory.user_by_oid(str(claims.get("oid")))
        if user is None:
            raise Unauthorized(
                401, "InvalidAuthenticationToken", "Access token validation failure."
            )
        self._evaluate_continuous_access(user, claims)
        granted = set(str(claims.get("scp", "")).split())
        if not granted & scopes:
            raise Unauthorized(
                403,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            )
        return user, claims

    def _evaluate_continuous_access(self, user: User, claims: dict[str, Any]) -> None:
        with self.state.lock:
            event = self.state.critical_events.get(user.oid)
        issued = claims.get("iat")
        if event is None or not isinstance(issued, int) or issued >= event:
            return
        capabilities = claims.get("xms_cc")
        if isinstance(capabilities, list) and "cp1" in capabilities:
            raise Unauthorized(
                401,
                "InvalidAuthenticationToken",
                "Continuous access evaluation resulted in challenge with result: "
                "InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp",
                claims=cae_challenge(event),
            )
        raise Unauthorized(
            401,
            "InvalidAuthenticationToken",
            "Access token validation failure. The token was issued before the user's sessions "
            "were revoked.",
        )

    def _error(self, req: Request, err: Unauthorized) -> Response:
        request_id, now = str(uuid.uuid4()), dt.datetime.now(dt.UTC)
        client_request_id = req.header("client-request-id")
        body = graph_error_body(err.code, err.message, request_id, client_request_id, now)
        headers = graph_headers(req, request_id, now)
        if err.status == 401:
            challenge = f'Bearer realm="", authorization_uri="{self.authorization_uri}", '
            if err.claims is not None:
                challenge += f'error="insufficient_claims", claims="{err.claims}"'
            else:
                challenge += 'error="invalid_token"'
            headers.append(("WWW-Authenticate", challenge))
        return json_response(err.status, body, headers)

    @staticmethod
    def _ok(req: Request, payload: Any) -> Response:
        headers = graph_headers(req, str(uuid.uuid4()))
        return json_response(200, payload, headers)

    def me(self, req: Request) -> Response:
        try:
            user, _claims = self._authenticate(req, GRAPH_RESOURCE, _PROFILE_SCOPES)
        except Unauthorized as err:
            return self._error(req, err)
        document = me_document(user)
        with self.state.lock:
            override = self.state.profile_overrides.get(user.oid)
        if override is not None:
            replaced, removed = override
            document.update(replaced)
            for name in removed:
                document.pop(name, None)
        return self._ok(req, document)

    def organization(self, req: Request) -> Response:
        """/organization: a collection of the one tenant the token is for."""
        try:
            _user, claims = self._authenticate(req, GRAPH_RESOURCE, _ORGANIZATION_SCOPES)
        except Unauthorized as err:
            return self._error(req, err)
        full = bool(set(str(claims.get("scp", "")).split()) & _ORGANIZATION_FULL_SCOPES)
        document = organization_document(full)
        wanted = [n.strip() for n in req.query.get("$select", "").split(",") if n.strip()]
        if wanted:  # $select: only those properties (Graph ignores the case of their names)
            lowered = {n.lower() for n in wanted}
            document = {k: v for k, v in document.items() if k.lower() in lowered}
        return self._ok(
            req,
            {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#organization",
                "value": [document],
            },
        )

    def photo(self, req: Request, metadata: bool) -> Response:
        try:
            user, _claims = self._authenticate(req, GRAPH_RESOURCE, _PROFILE_SCOPES)
        except Unauthorized as err:
            return self._error(req, err)
        data = photo_bytes(user)
        if data is None:
            missing = Unauthorized(
                404,
                "ImageNotFound",
                "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.",
            )
            return self._error(req, missing)
        tag = etag(data)
        if metadata:
            return self._ok(
                req,
                {
                    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('"
                    f"{user.oid}')/photo/$entity",
                    "@odata.mediaContentType": "image/png",
                    "@odata.mediaEtag": tag,
                    "id": "default",
                    "height": 120,
                    "width": 120,
                },
            )
        headers = [
            *graph_headers(req, str(uuid.uuid4())),
            ("ETag", tag),
            ("Cache-Control", "private"),
        ]
        matches = {t.strip() for t in (req.header("if-none-match") or "").split(",")}
        if tag in matches or "*" in matches:
            return Response(304, b"", headers)
        return Response(200, data, [("Content-Type", "image/png"), *headers])

    def member_objects(self, req: Request, user_id: str) -> Response:
        """Where the ID token's group overage points: the full list of the user's group ids."""
        try:
            user, _claims = self._authenticate(
                req, GRAPH_RESOURCE, _PROFILE_SCOPES | {"GroupMember.Read.All"}
            )
        except Unauthorized as err:
            return self._error(req, err)
        if user_id.lower() not in (user.oid, user.upn.lower()):
            denied = Unauthorized(
                403,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            )
            return self._error(req, denied)
        return self._ok(
            req,
            {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(Edm.String)",
                "value": list(user.groups),
            },
        )

    def member_of(self, req: Request) -> Response:
        """/me/memberOf: the user's groups, a page at a time (`$top`, `@odata.nextLink`)."""
        try:
            user, claims = self._authenticate(
                req, GRAPH_RESOURCE, _PROFILE_SCOPES | _GROUP_READ_SCOPES
            )
        except Unauthorized as err:
            return self._error(req, err)
        top_text = req.query.get("$top", str(MEMBER_OF_PAGE))
        top = int(top_text) if top_text.isdigit() else 0
        if not 1 <= top <= MEMBER_OF_MAX_PAGE:
            return self._error(
                req,
                Unauthorized(
                    400,
                    "Request_BadRequest",
                    f"Invalid page size specified: '{top_text}'. Must be between 1 and "
                    f"{MEMBER_OF_MAX_PAGE} inclusive.",
                ),
            )
        offset = 0
        if "$skiptoken" in req.query:
            found = _offset(req.query["$skiptoken"])
            if found is None:
                return self._error(
                    req, Unauthorized(400, "Request_BadRequest", "Skip token is malformed.")
                )
            offset = found
        full = bool(set(str(claims.get("scp", "")).split()) & _GROUP_READ_SCOPES)
        groups = user.groups[offset : offset + top]
        payload: dict[str, Any] = {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects",
            "value": [group_document(g, offset + i, full) for i, g in enumerate(groups)],
        }
        if offset + top < len(user.groups):
            payload["@odata.nextLink"] = (
                f"{self.base_url}/v1.0/me/memberOf?$top={top}"
                f"&$skiptoken={quote(_skiptoken(offset + top))}"
            )
        return self._ok(req, payload)

    def unknown(self, req: Request, parts: tuple[str, ...], api: bool) -> Response:
        """A path neither Graph nor the API has: Graph answers 400 naming the first segment it
        does not know; the API a 404, both in Graph's error shape."""
        if api:
            return self._error(req, Unauthorized(404, "NotFound", f"No such resource: {req.path}"))
        known = {("v1.0",), ("v1.0", "me"), ("v1.0", "me", "photo"), ("v1.0", "users")}
        segment = next(
            (parts[i - 1] for i in range(1, len(parts) + 1) if parts[:i] not in known), parts[-1]
        )
        return self._error(
            req,
            Unauthorized(400, "BadRequest", f"Resource not found for the segment '{segment}'."),
        )
