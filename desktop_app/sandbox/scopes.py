"""Scope strings as Entra reads them: one resource per request, OIDC scopes beside it."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.sandbox.directory import GRAPH, TENANT_DOMAIN, ApiResource
from desktop_app.sandbox.errors import AadError

OIDC_SCOPES = ("openid", "profile", "email", "offline_access")

# What `.default` stands for: the permissions the app registration was configured with.
_DEFAULT_EXPANSION = {"User.Read", "Orders.Read"}


@dataclass(frozen=True)
class ScopeRequest:
    resource: ApiResource
    resource_scopes: tuple[str, ...]  # exactly as sent, e.g. "User.Read" or "api://…/Orders.Read"
    names: tuple[str, ...]  # the permission names, `.default` expanded
    oidc: tuple[str, ...]  # openid/profile/email/offline_access as sent

    def has(self, oidc_scope: str) -> bool:
        return oidc_scope in self.oidc

    def echo(self) -> str:
        """The `scope` of a token response: what was asked for, in the order it was asked."""
        return " ".join(self.resource_scopes + self.oidc)

    def consent_keys(self) -> tuple[str, ...]:
        return tuple(f"{self.resource.identifier}/{n}" for n in self.names) + self.oidc


def _split(token: str, resources: tuple[ApiResource, ...]) -> tuple[ApiResource | None, str]:
    """(resource, permission) for one scope; resource None when the prefix names no known API."""
    lowered = token.lower()
    for resource in resources:
        for prefix in (resource.identifier, resource.app_id):
            if lowered.startswith(prefix.lower() + "/"):
                return resource, token[len(prefix) + 1 :]
    if "/" in token or ":" in token:
        return None, token
    return GRAPH, token  # a bare permission name means Microsoft Graph


def parse(raw: str, resources: tuple[ApiResource, ...]) -> ScopeRequest:
    tokens = raw.split()
    oidc = tuple(t.lower() for t in tokens if t.lower() in OIDC_SCOPES)
    wanted = [t for t in tokens if t.lower() not in OIDC_SCOPES]
    found: dict[str, ApiResource] = {}
    names: list[str] = []
    for token in wanted:
        resource, name = _split(token, resources)
        if resource is None:
            target = token.rsplit("/", 1)[0]
            raise AadError(
                "invalid_resource",
                500011,
                f"The resource principal named {target} was not found in the tenant named "
                f"{TENANT_DOMAIN}. This can happen if the application has not been installed by "
                "the administrator of the tenant or consented to by any user in the tenant. You "
                "might have sent your authentication request to the wrong tenant.",
            )
        canonical = next((s for s in resource.scopes if s.lower() == name.lower()), None)
        if canonical is None:
            raise AadError(
                "invalid_scope",
                70011,
                "The provided value for the input parameter 'scope' is not valid. "
                f"The scope '{token}' does not exist.",
            )
        found[resource.identifier] = resource
        if canonical == ".default":
            names.extend(sorted(n for n in resource.scopes if n in _DEFAULT_EXPANSION))
        else:
            names.append(canonical)
    if len(found) > 1:
        raise AadError(
            "invalid_scope",
            28000,
            "Provided value for the input parameter scope is not valid because it contains more "
            f"than one resource. Scope {raw} is not valid.",
        )
    resource = next(iter(found.values()), GRAPH)
    return ScopeRequest(resource, tuple(wanted), tuple(dict.fromkeys(names)), oidc)
