from __future__ import annotations

from desktop_app.sandbox import Sandbox
from desktop_app.sandbox.directory import TENANT_DOMAIN, TENANT_ID
from desktop_app.sandbox.jwt import b64url_decode, unverified_parts
from tests.support.idp_client import Loopback, get, make_app, sign_in


def test_openid_configuration_as_msal_reads_it(sandbox: Sandbox) -> None:
    info = sandbox.info
    config = get(sandbox, f"{info.authority}/v2.0/.well-known/openid-configuration").json()
    assert config["issuer"] == f"{info.base_url}/{TENANT_ID}/v2.0"
    assert config["token_endpoint"] == f"{info.authority}/oauth2/v2.0/token"
    assert config["authorization_endpoint"] == f"{info.authority}/oauth2/v2.0/authorize"
    assert config["end_session_endpoint"] == f"{info.authority}/oauth2/v2.0/logout"
    assert config["jwks_uri"] == f"{info.authority}/discovery/v2.0/keys"
    assert "form_post" in config["response_modes_supported"]
    assert {"openid", "profile", "email", "offline_access"} <= set(config["scopes_supported"])
    by_domain = get(
        sandbox, f"{info.base_url}/{TENANT_DOMAIN}/v2.0/.well-known/openid-configuration"
    )
    assert by_domain.json()["token_endpoint"] == config["token_endpoint"]


def test_unknown_tenant_is_a_400_with_aadsts90002(sandbox: Sandbox) -> None:
    url = f"{sandbox.info.base_url}/not-a-tenant/v2.0/.well-known/openid-configuration"
    response = get(sandbox, url)
    assert response.status_code == 400
    assert response.json()["error_codes"] == [90002]


def test_instance_discovery_document(sandbox: Sandbox) -> None:
    body = get(sandbox, f"{sandbox.info.base_url}/common/discovery/instance").json()
    assert body["api-version"] == "1.1"
    assert body["tenant_discovery_endpoint"].endswith("/v2.0/.well-known/openid-configuration")
    host = sandbox.info.base_url.removeprefix("https://")
    assert body["metadata"][0]["aliases"] == [host]


def test_msal_builds_and_tokens_verify_with_published_keys(
    sandbox: Sandbox, loopback: Loopback
) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    app = make_app(sandbox)
    result = sign_in(sandbox, app, loopback)
    keys = get(sandbox, f"{sandbox.info.authority}/discovery/v2.0/keys").json()["keys"]
    header, _claims = unverified_parts(result["id_token"])
    jwk = next(k for k in keys if k["kid"] == header["kid"])
    public = rsa.RSAPublicNumbers(
        int.from_bytes(b64url_decode(jwk["e"]), "big"),
        int.from_bytes(b64url_decode(jwk["n"]), "big"),
    ).public_key()
    signing_input, _, signature = result["id_token"].rpartition(".")
    public.verify(
        b64url_decode(signature), signing_input.encode(), padding.PKCS1v15(), hashes.SHA256()
    )
