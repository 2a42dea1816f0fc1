"""Discovery documents: the tenant's openid-configuration, instance discovery and the JWKS."""

from __future__ import annotations

from urllib.parse import urlsplit

from desktop_app.sandbox.context import IdpContext
from desktop_app.sandbox.directory import TENANT_ID
from desktop_app.sandbox.errors import AadError, aad_json_error
from desktop_app.sandbox.jwt import public_jwk
from desktop_app.sandbox.scopes import OIDC_SCOPES
from desktop_app.sandbox.web import Request, Response, json_response

RESPONSE_MODES = ("query", "fragment", "form_post")
_CLAIMS_SUPPORTED = [
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "nbf",
    "nonce",
    "sid",
    "oid",
    "tid",
    "ver",
    "name",
    "preferred_username",
    "email",
    "roles",
    "groups",
    "uti",
]


def openid_configuration(ctx: IdpContext, tenant: str) -> Response:
    path = tenant if tenant.lower() in ("common", "organizations") else TENANT_ID
    issuer_tenant = TENANT_ID if path == TENANT_ID else "{tenantid}"
    base, browser = f"{ctx.base_url}/{path}", f"{ctx.browser_base_url}/{path}"
    return json_response(
        200,
        {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_modes_supported": list(RESPONSE_MODES),
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code"],
            "scopes_supported": list(OIDC_SCOPES),
            "issuer": f"{ctx.base_url}/{issuer_tenant}/v2.0",
            "request_uri_parameter_supported": False,
            "authorization_endpoint": f"{browser}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "end_session_endpoint": f"{browser}/oauth2/v2.0/logout",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": list(_CLAIMS_SUPPORTED),
            "tenant_region_scope": "NA",
            "cloud_instance_name": "sandbox.invalid",
        },
    )


def instance_discovery(ctx: IdpContext) -> Response:
    host = urlsplit(ctx.base_url).netloc
    return json_response(
        200,
        {
            "tenant_discovery_endpoint": (
                f"{ctx.base_url}/{TENANT_ID}/v2.0/.well-known/openid-configuration"
            ),
            "api-version": "1.1",
            "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
        },
    )


def keys(ctx: IdpContext) -> Response:
    key = public_jwk(ctx.tokens.public_key, ctx.tokens.kid)
    return json_response(200, {"keys": [{**key, "issuer": ctx.tokens.issuer}]})


def unknown_tenant_json(ctx: IdpContext, tenant: str, req: Request) -> Response:
    err = AadError(
        "invalid_tenant",
        90002,
        f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and "
        "are signing into the correct cloud.",
    )
    return aad_json_error(err, req, ctx.base_url)
