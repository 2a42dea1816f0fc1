"""The Entra ID v2.0 endpoints under one roof: routes a tenant path to discovery, authorize (and
its sign-in, MFA and consent pages), token, device code and logout.

The protocol lives in the modules it routes to: `discovery`, `authorize`, `interaction`,
`token_endpoint`, `device_code`, `browser_session`.
"""

from __future__ import annotations

from desktop_app.sandbox import authorize, browser_session, device_code, discovery
from desktop_app.sandbox.browser_session import SESSION_COOKIE, redirect_uri_matches
from desktop_app.sandbox.context import IdpContext
from desktop_app.sandbox.directory import Directory
from desktop_app.sandbox.errors import AadError, Trace
from desktop_app.sandbox.interaction import Interaction, error_page
from desktop_app.sandbox.state import SandboxState
from desktop_app.sandbox.token_endpoint import TokenEndpoint
from desktop_app.sandbox.tokens import TokenIssuer
from desktop_app.sandbox.web import Request, Response, json_response

# Tenant-relative paths a person's browser visits (also served over plain HTTP with browser_http).
BROWSER_PATHS = frozenset(
    {
        ("oauth2", "v2.0", "authorize"),
        ("oauth2", "v2.0", "logout"),
        ("login",),
        ("mfa",),
        ("consent",),
    }
)
_API_PATHS = frozenset(
    {
        ("v2.0", ".well-known", "openid-configuration"),
        ("discovery", "v2.0", "keys"),
        ("oauth2", "v2.0", "token"),
        ("oauth2", "v2.0", "devicecode"),
    }
)


class IdentityProvider:
    def __init__(
        self,
        directory: Directory,
        state: SandboxState,
        tokens: TokenIssuer,
        base_url: str,
        browser_base_url: str,
    ) -> None:
        self.ctx = IdpContext(directory, state, tokens, base_url, browser_base_url)
        self.tokens = tokens
        self.interaction = Interaction(self.ctx)
        self.token_endpoint = TokenEndpoint(self.ctx)
        self.device_login = device_code.DeviceLogin(self.ctx, self.interaction)

    def instance_discovery(self) -> Response:
        return discovery.instance_discovery(self.ctx)

    def device_login_page(self, req: Request) -> Response:
        return self.device_login.handle(req)

    def route_tenant(self, req: Request, tenant: str, rest: tuple[str, ...]) -> Response:
        """`/{tenant}/...`: JSON endpoints answer kind "idp", browser pages kind "page"."""
        page = rest in BROWSER_PATHS
        if not page and rest not in _API_PATHS:
            return _not_found("idp")
        response = self._tenant_endpoint(req, tenant, rest, page)
        response.kind = "page" if page else "idp"
        return response

    def _tenant_endpoint(
        self, req: Request, tenant: str, rest: tuple[str, ...], page: bool
    ) -> Response:
        ctx = self.ctx
        if not ctx.directory.known_tenant(tenant):
            if page:
                err = AadError("invalid_tenant", 90002, f"Tenant '{tenant}' not found.")
                return error_page(err, Trace.new(None))
            return discovery.unknown_tenant_json(ctx, tenant, req)
        if rest == ("v2.0", ".well-known", "openid-configuration"):
            return discovery.openid_configuration(ctx, tenant)
        if rest == ("discovery", "v2.0", "keys"):
            return discovery.keys(ctx)
        if rest == ("oauth2", "v2.0", "token"):
            return self.token_endpoint.token(req)
        if rest == ("oauth2", "v2.0", "devicecode"):
            return device_code.device_authorization(ctx, req, tenant)
        if rest == ("oauth2", "v2.0", "authorize"):
            return authorize.authorize(ctx, self.interaction, req, tenant)
        if rest == ("oauth2", "v2.0", "logout"):
            return browser_session.logout(ctx, req)
        if rest == ("login",):
            return self.interaction.sign_in(req, tenant)
        if rest == ("mfa",):
            return self.interaction.mfa(req, tenant)
        return self.interaction.consent(req, tenant)


def _not_found(kind: str) -> Response:
    response = json_response(404, {"error": "not_found"})
    response.kind = kind
    return response


__all__ = ["BROWSER_PATHS", "SESSION_COOKIE", "IdentityProvider", "redirect_uri_matches"]
