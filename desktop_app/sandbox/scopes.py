"""Scope strings as Entra reads them: one resource per request, OIDC scopes beside it.

What a token response's `scope` says is the *granted* set, not an echo of the request: "scope:
The scopes that the access_token is valid for" (learn.microsoft.com/entra/identity-platform/
v2-oauth2-auth-code-flow#successful-response-2). Entra's access tokens carry every permission
the user consented to for that resource, so the set can be larger than what was asked for; it
is spelled in Entra's own case (the permission as the resource defines it) and order, without
`offline_access` (it grants the refresh token, not the access token), with `openid`, `profile`
and `email` (Graph's own delegated permissions, learn.microsoft.com/entra/identity-platform/
scopes-oidc#openid-connect-scopes) when they were granted and the resource is Graph.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.sandbox.directory import GRAPH, TENANT_DOMAIN, ApiResource
from desktop_app.sandbox.errors import AadError

OIDC_SCOPES = ("openid", "profile", "email", "offline_access")
# the order Entra lists the OpenID Connect scopes it granted in a token response
_GRANTED_OIDC_ORDER = ("profile", "openid", "email")

# What `.default` stands for: the permissions the app registration was configured with.
_DEFAULT_EXPANSION = {"User.Read", "Orders.Read"}


@dataclass(frozen=True)
class ScopeRequest:
    resource: ApiResource
    resource_scopes: tuple[str, ...]  # exactly as sent, e.g. "User.Read" or "api://…/Orders.Read"
    names: tuple[str, ...]  # the permission names, `.default` expanded
    oidc: tuple[str, ...]  # openid/profile/email/offline_access as sent
    # the resource as the request spelled it before the permission: "" (a bare Graph name),
    # "https://graph.microsoft.com/", "https://graph.microsoft.com//", "api://<id>/"
    prefix: str = ""

    def has(self, oidc_scope: str) -> bool:
        return oidc_scope in self.oidc

    def echo(self) -> str:
        """What was asked for, in the order it was asked (the request, not a response)."""
        return " ".join(self.resource_scopes + self.oidc)

    def granted(self, consented: set[str]) -> str:
        """The `scope` of a token response: the granted set as Entra spells and orders it (see
        the module docstring). ``consented``: the user's consent keys for this app."""
        resource = self.resource
        names = [
            name
            for name in resource.scopes
            if name != ".default"
            and (name in self.names or f"{resource.identifier}/{name}" in consented)
        ]
        granted = [self.prefix + name for name in names]
        if any(s.lower().endswith("/.default") or s == ".default" for s in self.resource_scopes):
            granted.append(self.prefix + ".default")  # echoed, as for Azure CLI's requests
        oidc: list[str] = []
        if resource is GRAPH:
            oidc = [s for s in _GRANTED_OIDC_ORDER if s in self.oidc or s in consented]
        return " ".join(oidc + granted)

    def consent_keys(self) -> tuple[str, ...]:
        return tuple(f"{self.resource.identifier}/{n}" for n in self.names) + self.oidc


def _split(token: str, resources: tuple[ApiResource, ...]) -> tuple[ApiResource | None, str, str]:
    """(resource, permission, prefix as spelled) for one scope; resource None when the prefix
    names no known API.

    "https://graph.microsoft.com//.default" (a double slash) names the same resource: Entra
    reads a resource URI with its trailing slash and then the permission ("Trailing slash and
    .default", learn.microsoft.com/entra/identity-platform/scopes-oidc#trailing-slash-and-default;
    Azure CLI asks for "https://management.core.windows.net//.default" this way).
    """
    lowered = token.lower()
    for resource in resources:
        for prefix in (resource.identifier, resource.app_id):
            for spelled in (prefix.lower() + "//", prefix.lower() + "/"):
                if lowered.startswith(spelled) and len(token) > len(spelled):
                    return resource, token[len(spelled) :], token[: len(spelled)]
    if "/" in token or ":" in token:
        return None, token, ""
    return GRAPH, token, ""  # a bare permission name means Microsoft Graph


def parse(raw: str, resources: tuple[ApiResource, ...]) -> ScopeRequest:
    tokens = raw.split()
    oidc = tuple(t.lower() for t in tokens if t.lower() in OIDC_SCOPES)
    wanted = [t for t in tokens if t.lower() not in OIDC_SCOPES]
    found: dict[str, ApiResource] = {}
    names: list[str] = []
    prefixes: list[str] = []
    for token in wanted:
        resource, name, spelled = _split(token, resources)
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
        # Entra's own case for the resource: the identifier as registered, the slashes as sent
        prefixes.append("" if not spelled else _canonical_prefix(resource, spelled))
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
    prefix = prefixes[0] if prefixes else ""
    return ScopeRequest(resource, tuple(wanted), tuple(dict.fromkeys(names)), oidc, prefix)


def _canonical_prefix(resource: ApiResource, spelled: str) -> str:
    base = spelled.rstrip("/")
    slashes = spelled[len(base) :]
    name = resource.app_id if base.lower() == resource.app_id.lower() else resource.identifier
    return name + slashes
