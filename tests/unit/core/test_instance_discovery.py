"""Instance discovery is decided from the authority's host (issue 14, item 1): on for Entra's own
login hosts (msal's well-known list and the sovereign clouds), off for any other host, and the
instance_discovery setting forces it either way."""

from __future__ import annotations

import pytest
from msal.authority import WELL_KNOWN_AUTHORITY_HOSTS

from desktop_app.core.config import (
    MICROSOFT_AUTHORITY_HOSTS,
    ConfigError,
    discovery_for,
    load_config,
)

HOSTS = [
    # Entra, worldwide and its aliases
    ("https://login.microsoftonline.com/organizations", True),
    ("https://LOGIN.MicrosoftOnline.com/contoso.onmicrosoft.com", True),
    ("https://login.microsoftonline.com./common", True),  # the fully qualified form
    ("https://login.microsoftonline.com:443/common", True),
    ("https://login.microsoft.com/common", True),
    ("https://login.windows.net/common", True),
    ("https://sts.windows.net/00000000-0000-0000-0000-000000000000", True),
    # national and sovereign clouds
    ("https://login.microsoftonline.us/organizations", True),
    ("https://login-us.microsoftonline.com/organizations", True),
    ("https://login.usgovcloudapi.net/organizations", True),
    ("https://login.chinacloudapi.cn/organizations", True),
    ("https://login.partner.microsoftonline.cn/organizations", True),
    ("https://login.microsoftonline.de/organizations", True),
    ("https://login.sovcloud-identity.fr/organizations", True),
    ("https://login.sovcloud-identity.de/organizations", True),
    ("https://login.sovcloud-identity.sg/organizations", True),
    # anything else: discovery would ask login.microsoftonline.com about a host it cannot know
    ("https://127.0.0.1:8443/tenant", False),
    ("https://[::1]:8443/tenant", False),
    ("https://localhost:8443/tenant", False),
    ("https://adfs.contoso.com/adfs", False),
    ("https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_signin", False),
    ("https://contoso.ciamlogin.com/contoso.onmicrosoft.com", False),
    ("https://login.contoso.com/00000000-0000-0000-0000-000000000000", False),
    ("https://idp.example.test/tenant", False),
    # look-alikes of Microsoft's hosts are not Microsoft's
    ("https://login.microsoftonline.com.evil.example/common", False),
    ("https://evil-login.microsoftonline.com/common", False),
    ("https://xlogin.windows.net/common", False),
]


@pytest.mark.parametrize(("authority", "expected"), HOSTS)
def test_discovery_by_host(authority: str, expected: bool) -> None:
    assert discovery_for(authority) is expected
    config = load_config({"authority": authority}, env={}, file_values={})
    assert config.instance_discovery is None  # nothing set: decided from the host
    assert config.discovery is expected


def test_every_host_msal_knows_is_known_here() -> None:
    assert WELL_KNOWN_AUTHORITY_HOSTS <= MICROSOFT_AUTHORITY_HOSTS


def test_the_default_authority_has_discovery_on() -> None:
    assert load_config({}, env={}, file_values={}).discovery is True


@pytest.mark.parametrize(
    ("flags", "env", "file_values", "expected"),
    [
        ({"instance_discovery": False}, {}, {}, False),
        ({"instance_discovery": True}, {}, {}, True),
        ({}, {"LANYARD_INSTANCE_DISCOVERY": "off"}, {}, False),
        ({}, {"LANYARD_INSTANCE_DISCOVERY": "yes"}, {}, True),
        ({}, {}, {"instance_discovery": False}, False),
        ({}, {}, {"instance_discovery": True}, True),
        # precedence: flag over environment over file
        ({"instance_discovery": True}, {"LANYARD_INSTANCE_DISCOVERY": "false"}, {}, True),
        ({}, {"LANYARD_INSTANCE_DISCOVERY": "true"}, {"instance_discovery": False}, True),
    ],
)
def test_the_setting_forces_it(
    flags: dict[str, object], env: dict[str, str], file_values: dict[str, object], expected: bool
) -> None:
    for authority in ("https://login.microsoftonline.com/common", "https://127.0.0.1:9/t"):
        config = load_config({**flags, "authority": authority}, env=env, file_values=file_values)
        assert config.discovery is expected


@pytest.mark.parametrize(
    ("flags", "env", "file_values", "source"),
    [
        ({}, {"LANYARD_INSTANCE_DISCOVERY": "maybe"}, {}, "environment variable"),
        ({}, {}, {"instance_discovery": "sometimes"}, "config.toml"),
        ({}, {}, {"instance_discovery": 1.5}, "config.toml"),
    ],
)
def test_a_bad_value_names_the_field(
    flags: dict[str, object], env: dict[str, str], file_values: dict[str, object], source: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(flags, env=env, file_values=file_values)
    assert caught.value.details["field"] == "instance_discovery"
    assert source in caught.value.details["source"]
    assert "true or false" in caught.value.message
