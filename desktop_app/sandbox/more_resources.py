"""What the token inspector and the API console reach beyond the profile (issue 17, part 3):

    POST /v1.0/me/getMemberObjects     every group id of the signed-in user; the body is
                                       {"securityEnabledOnly": bool}, the answer a
                                       Collection(Edm.String), as documented at
                                       https://learn.microsoft.com/graph/api/directoryobject-getmemberobjects
    GET  /v1.0/me/manager              the user's manager as a user; 404 Request_ResourceNotFound
                                       when there is none (as Graph answers)
    POST   /api/v1/orders              a new order (Orders.ReadWrite): 201 with Location
    PATCH  /api/v1/orders/{id}         changes an order's quantity/status (Orders.ReadWrite)
    DELETE /api/v1/orders/{id}         204 (Orders.ReadWrite)

Orders live per sandbox (a restart brings back the three seeded ones), so a POST in one test
never shows in another.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

from desktop_app.sandbox.directory import (
    ADMIN_UPN,
    API_URI,
    GRAPH_RESOURCE,
    HOSTILE_UPN,
    NO_ROLES_UPN,
    OVERAGE_UPN,
    READER_UPN,
)
from desktop_app.sandbox.errors import graph_headers
from desktop_app.sandbox.resources import Resources, Unauthorized, me_document
from desktop_app.sandbox.web import Request, Response, json_response

# Graph's permissions for getMemberObjects of the signed-in user (the page above): User.Read
# reads one's own memberships; the Directory ones read anyone's
_MEMBER_OBJECTS_SCOPES = {
    "User.Read",
    "User.Read.All",
    "Directory.Read.All",
    "User.ReadWrite.All",
    "Directory.ReadWrite.All",
    "GroupMember.Read.All",
}
# GET /me/manager: User.Read.All or a Directory permission in Graph; the sandbox's Lanyard
# registration has User.ReadBasic.All, which Graph also accepts for a basic manager
_MANAGER_SCOPES = {"User.Read", "User.ReadBasic.All", "User.Read.All", "Directory.Read.All"}
READ_ORDERS = {"Orders.Read", "Orders.ReadWrite"}
WRITE_ORDERS = {"Orders.ReadWrite"}
# who reports to whom in the seeded tenant (the admin has no manager: a 404 to show)
MANAGERS = {
    READER_UPN: ADMIN_UPN,
    NO_ROLES_UPN: ADMIN_UPN,
    OVERAGE_UPN: READER_UPN,
    HOSTILE_UPN: ADMIN_UPN,
}
_ORDER_FIELDS = {"item": str, "quantity": int, "status": str}
_STATUSES = ("processing", "shipped", "delivered", "cancelled")
SEEDED_ORDERS: tuple[dict[str, Any], ...] = (
    {"id": "SO-1001", "item": "Lanyard, blue", "quantity": 25, "status": "shipped"},
    {"id": "SO-1002", "item": "Badge holder", "quantity": 40, "status": "processing"},
    {"id": "SO-1003", "item": "Visitor pass", "quantity": 100, "status": "delivered"},
)


class OrderBook:
    """The Orders API's orders, one book per sandbox."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._orders: list[dict[str, Any]] = [dict(o) for o in SEEDED_ORDERS]
        self._next = 1004

    def all(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(o) for o in self._orders]

    def find(self, order_id: str) -> dict[str, Any] | None:
        with self._lock:
            found = next(
                (o for o in self._orders if str(o["id"]).lower() == order_id.lower()), None
            )
            return dict(found) if found is not None else None

    def add(self, fields: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            order = {"id": f"SO-{self._next}", "status": "processing", **fields}
            self._next += 1
            self._orders.append(order)
            return dict(order)

    def change(self, order_id: str, fields: dict[str, Any]) -> dict[str, Any] | None:
        with self._lock:
            for order in self._orders:
                if order["id"].lower() == order_id.lower():
                    order.update(fields)
                    return dict(order)
            return None

    def remove(self, order_id: str) -> bool:
        with self._lock:
            before = len(self._orders)
            self._orders = [o for o in self._orders if str(o["id"]).lower() != order_id.lower()]
            return len(self._orders) != before


def order_fields(body: Any, partial: bool) -> dict[str, Any] | str:
    """The order's fields from a JSON body, or what is wrong with it (in words)."""
    if not isinstance(body, dict):
        return "The request body must be a JSON object."
    unknown = sorted(set(body) - set(_ORDER_FIELDS))
    if unknown:
        return f"Unknown property '{unknown[0]}'."
    missing = [] if partial else [n for n in ("item", "quantity") if n not in body]
    if missing:
        return f"The property '{missing[0]}' is required."
    for name, kind in _ORDER_FIELDS.items():
        value = body.get(name)
        if name in body and (not isinstance(value, kind) or isinstance(value, bool)):
            return f"The property '{name}' must be a {kind.__name__}."
    if "quantity" in body and not 1 <= body["quantity"] <= 10_000:
        return "The property 'quantity' must be between 1 and 10000."
    if "status" in body and body["status"] not in _STATUSES:
        return f"The property 'status' must be one of {', '.join(_STATUSES)}."
    if not partial and "item" in body and not body["item"].strip():
        return "The property 'item' must not be empty."
    return dict(body)


class MoreResources:
    """The endpoints above, over the Resources' token validation and error shapes."""

    def __init__(self, resources: Resources) -> None:
        self.resources = resources
        self.orders = OrderBook()

    def _problem(self, req: Request, status: int, code: str, message: str) -> Response:
        return self.resources._error(req, Unauthorized(status, code, message))

    def member_objects(self, req: Request) -> Response:
        try:
            user, _claims = self.resources._authenticate(
                req, GRAPH_RESOURCE, _MEMBER_OBJECTS_SCOPES
            )
        except Unauthorized as err:
            return self.resources._error(req, err)
        body = req.json()
        only = body.get("securityEnabledOnly") if isinstance(body, dict) else None
        if not isinstance(only, bool):  # the one parameter, and it is required
            return self._problem(
                req,
                400,
                "Request_BadRequest",
                "The request body must be a JSON object with the Boolean 'securityEnabledOnly'.",
            )
        # every sandbox group is a security group, so both answers are the full list
        return self.resources._ok(
            req,
            {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(Edm.String)",
                "value": list(user.groups),
            },
        )

    def manager(self, req: Request) -> Response:
        try:
            user, _claims = self.resources._authenticate(req, GRAPH_RESOURCE, _MANAGER_SCOPES)
        except Unauthorized as err:
            return self.resources._error(req, err)
        boss = self.resources.directory.user(MANAGERS.get(user.upn, ""))
        if boss is None:
            return self._problem(
                req,
                404,
                "Request_ResourceNotFound",
                "Resource 'manager' does not exist or one of its queried reference-property "
                "objects are not present.",
            )
        document = me_document(boss)
        document["@odata.context"] = (
            "https://graph.microsoft.com/v1.0/$metadata#directoryObjects/$entity"
        )
        document["@odata.type"] = "#microsoft.graph.user"
        return self.resources._ok(req, document)

    def orders_read(self, req: Request, order_id: str | None) -> Response:
        try:
            user, _claims = self.resources._authenticate(req, API_URI, READ_ORDERS)
        except Unauthorized as err:
            return self.resources._error(req, err)
        if order_id is None:
            return self.resources._ok(req, {"owner": user.upn, "value": self.orders.all()})
        order = self.orders.find(order_id)
        if order is None:
            return self._problem(req, 404, "NotFound", f"There is no order '{order_id}'.")
        return self.resources._ok(req, {"owner": user.upn, **order})

    def orders_write(self, req: Request, order_id: str | None) -> Response:
        """POST on the collection; PATCH or DELETE on one order. All need Orders.ReadWrite."""
        try:
            user, _claims = self.resources._authenticate(req, API_URI, WRITE_ORDERS)
        except Unauthorized as err:
            return self.resources._error(req, err)
        if req.method == "DELETE" and order_id is not None:
            if not self.orders.remove(order_id):
                return self._problem(req, 404, "NotFound", f"There is no order '{order_id}'.")
            return Response(204, b"", graph_headers(req, str(uuid.uuid4())))
        fields = order_fields(req.json(), partial=req.method == "PATCH")
        if isinstance(fields, str):
            return self._problem(req, 400, "BadRequest", fields)
        if req.method == "POST":
            order = self.orders.add(fields)
            location = f"{self.resources.base_url}/api/v1/orders/{order['id']}"
            headers = [*graph_headers(req, str(uuid.uuid4())), ("Location", location)]
            return json_response(201, {"owner": user.upn, **order}, headers)
        changed = self.orders.change(str(order_id), fields)
        if changed is None:
            return self._problem(req, 404, "NotFound", f"There is no order '{order_id}'.")
        return self.resources._ok(req, {"owner": user.upn, **changed})
