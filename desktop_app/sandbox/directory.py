"""The seeded tenant: users, the Lanyard app registration and a second protected API.

Deterministic on purpose (fixed GUIDs) so tests and the demo can name things. Some values are
hostile on purpose: whatever renders them must treat them as plain text.
"""

from __future__ import annotations

import hmac
import threading
import uuid
from dataclasses import dataclass, field

TENANT_ID = "3f6a9c1e-5b2d-4e8f-9a7c-1d2e3f4a5b6c"
TENANT_DOMAIN = "contoso.test"
TENANT_NAME = "Contoso (sandbox)"
LANYARD_CLIENT_ID = "0c5f8f1a-7e21-4c8e-b3a4-6c1d9e2f7a10"
LANYARD_REDIRECT_URIS = ("http://localhost", "http://127.0.0.1")
API_APP_ID = "6b1e2d4c-8f3a-4a7b-9c5d-2e1f0a9b8c7d"
API_URI = f"api://{API_APP_ID}"
API_SCOPE = f"{API_URI}/Orders.Read"
GRAPH_RESOURCE = "https://graph.microsoft.com"
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"

# The one password of every seeded user; the sign-in page says so.
PASSWORD = "sandbox"

ADMIN_UPN = "megan.bowen@contoso.test"
READER_UPN = "alex.wilber@contoso.test"
NO_ROLES_UPN = "grady.archie@contoso.test"
OVERAGE_UPN = "lynne.robbins@contoso.test"
HOSTILE_UPN = "miriam.graham@contoso.test"

# Entra switches the ID token to the overage form past this many groups.
GROUPS_OVERAGE_LIMIT = 200

_GROUP_NAMESPACE = uuid.UUID("9d7c0b2e-3a41-4f6e-8b5d-c2a1e0f9d8b7")


def group_ids(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(str(uuid.uuid5(_GROUP_NAMESPACE, f"{prefix}-{n}")) for n in range(count))


@dataclass(frozen=True)
class User:
    oid: str
    upn: str
    display_name: str | None
    given_name: str | None = None
    surname: str | None = None
    job_title: str | None = None
    mail: str | None = None
    mobile_phone: str | None = None
    office_location: str | None = None
    preferred_language: str | None = None
    business_phones: tuple[str, ...] = ()
    photo_colors: tuple[tuple[int, int, int], tuple[int, int, int]] | None = None
    groups: tuple[str, ...] = ()

    @property
    def has_photo(self) -> bool:
        return self.photo_colors is not None


@dataclass
class AppRegistration:
    client_id: str
    display_name: str
    redirect_uris: list[str]
    app_roles: list[str] = field(default_factory=list)
    role_assignments: dict[str, list[str]] = field(default_factory=dict)  # upn -> role values
    group_claims: bool = True
    public_client: bool = True
    # optional claims the registration asks for in its ID tokens, e.g. "login_hint"
    # (learn.microsoft.com/entra/identity-platform/optional-claims-reference)
    optional_claims: tuple[str, ...] = ()

    def roles_for(self, upn: str) -> list[str]:
        return [r for r in self.role_assignments.get(upn.lower(), []) if r in self.app_roles]


@dataclass(frozen=True)
class ApiResource:
    """A protected resource: its identifier (the `aud` of its tokens) and delegated scopes."""

    app_id: str
    identifier: str
    display_name: str
    scopes: dict[str, str]  # scope name -> what the consent page says about it


GRAPH = ApiResource(
    app_id=GRAPH_APP_ID,
    identifier=GRAPH_RESOURCE,
    display_name="Microsoft Graph",
    scopes={
        "User.Read": "Sign you in and read your profile",
        "User.ReadBasic.All": "Read all users' basic profiles",
        "Mail.Read": "Read your mail",
        "Calendars.Read": "Read your calendars",
        "GroupMember.Read.All": "Read group memberships",
        "Organization.Read.All": "Read your organization's information",
        ".default": "The permissions the app was configured with",
    },
)
ORDERS_API = ApiResource(
    app_id=API_APP_ID,
    identifier=API_URI,
    display_name="Contoso Orders API",
    scopes={
        "Orders.Read": "Read your orders in the Contoso Orders API",
        "Orders.ReadWrite": "Place, change and cancel your orders in the Contoso Orders API",
        ".default": "The permissions the app was configured with",
    },
)

_USERS = (
    User(
        oid="8a1f3c52-6d4e-4b7a-9e2f-0c1d2b3a4f51",
        upn=ADMIN_UPN,
        display_name="Megan Bowen",
        given_name="Megan",
        surname="Bowen",
        job_title="Identity Administrator",
        mail=ADMIN_UPN,
        mobile_phone="+1 425 555 0110",
        office_location="12/1110",
        preferred_language="en-US",
        business_phones=("+1 425 555 0109",),
        photo_colors=((0x25, 0x63, 0xEB), (0x7C, 0x3A, 0xED)),
        groups=group_ids("megan", 3),
    ),
    User(
        oid="b2c4d6e8-1a3b-4c5d-8e7f-9a0b1c2d3e42",
        upn=READER_UPN,
        display_name="Alex Wilber",
        given_name="Alex",
        surname="Wilber",
        job_title="Marketing Assistant",
        mail=READER_UPN,
        office_location=None,
        preferred_language="en-GB",
        photo_colors=((0x05, 0x96, 0x69), (0x0E, 0xA5, 0xE9)),
        groups=group_ids("alex", 2),
    ),
    User(
        oid="c3d5e7f9-2b4c-4d6e-9f8a-0b1c2d3e4f63",
        upn=NO_ROLES_UPN,
        display_name="Grady Archie",
        given_name="Grady",
        surname="Archie",
    ),
    User(
        oid="d4e6f8a0-3c5d-4e7f-8a9b-1c2d3e4f5a74",
        upn=OVERAGE_UPN,
        display_name="Lynne Robbins",
        given_name="Lynne",
        surname="Robbins",
        job_title="Product Manager",
        mail=OVERAGE_UPN,
        business_phones=("+1 425 555 0105",),
        preferred_language="en-US",
        photo_colors=((0xDB, 0x27, 0x77), (0xF5, 0x9E, 0x0B)),
        groups=group_ids("lynne", 250),
    ),
    User(
        oid="e5f7a9b1-4d6e-4f8a-9b0c-2d3e4f5a6b85",
        upn=HOSTILE_UPN,
        display_name="<b>Miriam</b> <script>alert(1)</script> مريم מרים 🦄👩🏽‍💻",
        given_name="Miriam &amp; <i>co</i>",
        surname="Graham\u202egnp.exe",
        job_title="<img src=x onerror=alert(1)> \"Director\" & 'Lead'",
        mail=HOSTILE_UPN,
        office_location="</td></tr><tr><td>injected",
        preferred_language="ar-SA",
        business_phones=("+1 425 555 0199", "<a href='javascript:alert(1)'>call</a>"),
        groups=group_ids("miriam", 1),
    ),
)


def staff_upn(n: int) -> str:
    """The n-th of the extra users (``--extra-users``; from 1)."""
    return f"staff{n:02d}@{TENANT_DOMAIN}"


def extra_users(count: int) -> tuple[User, ...]:
    """Ordinary users beyond the seeded five, for figures that need many accounts (issue 19,
    item 6: 10 accounts in one cache): staff01, staff02 … with fixed object IDs."""
    return tuple(
        User(
            oid=str(uuid.uuid5(_GROUP_NAMESPACE, f"staff-{n}")),
            upn=staff_upn(n),
            display_name=f"Staff Member {n:02d}",
            given_name="Staff",
            surname=f"Member {n:02d}",
            job_title="Analyst",
            mail=staff_upn(n),
            preferred_language="en-US",
        )
        for n in range(1, count + 1)
    )


class Directory:
    """Users and app registrations. Apps can be added at run time; users are fixed (the seeded
    five, and ``extra`` ordinary ones)."""

    def __init__(self, extra: int = 0) -> None:
        self._lock = threading.Lock()
        users = (*_USERS, *extra_users(extra))
        self.users: dict[str, User] = {u.upn.lower(): u for u in users}
        self._by_oid = {u.oid: u for u in users}
        self.resources = (GRAPH, ORDERS_API)
        self._apps: dict[str, AppRegistration] = {}
        self.add_app(
            AppRegistration(
                client_id=LANYARD_CLIENT_ID,
                display_name="Lanyard",
                redirect_uris=list(LANYARD_REDIRECT_URIS),
                app_roles=["Admin", "Reader"],
                role_assignments={ADMIN_UPN: ["Admin", "Reader"], READER_UPN: ["Reader"]},
                optional_claims=("login_hint",),  # so "Sign out in the browser" needs no picker
            )
        )

    def add_app(self, app: AppRegistration) -> None:
        app.role_assignments = {k.lower(): list(v) for k, v in app.role_assignments.items()}
        with self._lock:
            self._apps[app.client_id.lower()] = app

    def app(self, client_id: str) -> AppRegistration | None:
        with self._lock:
            return self._apps.get(client_id.lower())

    def apps(self) -> list[AppRegistration]:
        with self._lock:
            return list(self._apps.values())

    def user(self, upn: str) -> User | None:
        return self.users.get(upn.strip().lower())

    def assign_roles(self, client_id: str, upn: str, roles: list[str]) -> list[str]:
        """Replace the user's app roles in one app; returns the roles the app defines among them."""
        with self._lock:
            app = self._apps.get(client_id.lower())
            if app is None:
                raise KeyError(client_id)
            app.role_assignments[upn.strip().lower()] = list(roles)
        return app.roles_for(upn)

    def user_by_oid(self, oid: str) -> User | None:
        return self._by_oid.get(oid)

    def check_password(self, upn: str, password: str) -> User | None:
        user = self.user(upn)
        if user is None or not hmac.compare_digest(password.encode(), PASSWORD.encode()):
            return None
        return user

    def known_tenant(self, tenant: str) -> bool:
        return tenant.lower() in (TENANT_ID, TENANT_DOMAIN, "organizations", "common")
