"""The signed-in account's tenant as Graph names it (GET /organization). No Qt, no msal.

Microsoft documents User.Read as the least privileged delegated permission for it, and with
User.Read only ``id``, ``displayName`` and ``verifiedDomains`` are readable (the rest is null):
https://learn.microsoft.com/graph/api/organization-get (Permissions, and the note below it).
So the configured User.Read is enough; without it the call fails and the tenant is shown by
its ID, as before, with no banner: the name is a courtesy, never a reason to complain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from desktop_app.core.text import shown

MAX_NAME_CHARS = 256  # Graph limits an organization's displayName to 256 characters


@dataclass(frozen=True)
class Organization:
    id: str  # the tenant id (tid)
    display_name: str

    @classmethod
    def from_graph(cls, data: object) -> Organization | None:
        """The first organization of a /organization answer; None when it names none usable."""
        values = data.get("value") if isinstance(data, Mapping) else None
        if not isinstance(values, list):
            return None
        for item in values:
            if not isinstance(item, Mapping):
                continue
            tenant, name = item.get("id"), item.get("displayName")
            if isinstance(tenant, str) and isinstance(name, str) and tenant and name.strip():
                # untrusted directory text: invisible characters made visible, one line
                return cls(tenant, shown(name.strip(), one_line=True, limit=MAX_NAME_CHARS))
        return None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "displayName": self.display_name}

    @classmethod
    def from_json(cls, data: object) -> Organization | None:
        """What to_json wrote; None for anything else (a snapshot without it is still good)."""
        if not isinstance(data, Mapping):
            return None
        tenant, name = data.get("id"), data.get("displayName")
        if isinstance(tenant, str) and isinstance(name, str) and tenant and name:
            return cls(tenant, shown(name, one_line=True, limit=MAX_NAME_CHARS))
        return None

    def name_for(self, tenant_id: str) -> str:
        """The name, only for the tenant it belongs to (else "", and the GUID is shown)."""
        return self.display_name if self.id.lower() == tenant_id.lower() else ""
