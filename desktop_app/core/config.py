"""Typed settings from flags > environment > config file > defaults, validated with field names.

Qt-free: the window and the headless commands share it.
"""

from __future__ import annotations

import importlib.util
import os
import re
import tomllib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from desktop_app.core import paths
from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.core.files import UnreadableFile, read_bounded
from desktop_app.core.scopes import RESERVED_SCOPES, Scopes, parse_scopes


@dataclass(frozen=True)
class Cloud:
    name: str
    login_host: str
    graph_endpoint: str

    @property
    def graph_resource(self) -> str:
        parsed = urlparse(self.graph_endpoint)
        return f"{parsed.scheme}://{parsed.netloc}"


CLOUDS: dict[str, Cloud] = {
    "global": Cloud("global", "login.microsoftonline.com", "https://graph.microsoft.com/v1.0"),
    "usgov": Cloud("usgov", "login.microsoftonline.us", "https://graph.microsoft.us/v1.0"),
    "china": Cloud(
        "china", "login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn/v1.0"
    ),
}

DEFAULT_TENANT = "organizations"  # work and school accounts: app roles exist only there
DEFAULT_SCOPES: Scopes = ("User.Read",)

ENV_PREFIX = "LANYARD_"
FILE_KEYS = (
    "client_id",
    "tenant",
    "authority",
    "cloud",
    "scopes",
    "graph_endpoint",
    "ca_bundle",
    "proxy",
    "allow_plaintext_cache",
)
# what requests can talk to; the socks ones need PySocks (requests[socks])
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h", "socks4", "socks4a")
# what Lanyard reads of a file a setting names, at most (read_bounded): far more than any real
# one holds, far less than a mistake (/dev/zero, a disk image) could
CONFIG_FILE_LIMIT = 1 << 20
CA_BUNDLE_LIMIT = 8 << 20  # a whole system bundle is ~250 KiB
_TENANT_RE = re.compile(r"^[A-Za-z0-9.\-]+$")


class ConfigError(LanyardError):
    """A setting is wrong; ``field_name`` says which, ``source`` says where it came from."""


def config_error(field_name: str, source: str, problem: str) -> ConfigError:
    """``problem`` continues "Setting 'x' ..."; it is kept in details too, for the settings
    dialog to show beside the field."""
    return ConfigError(
        message=f"Setting '{field_name}' ({source}) {problem}",
        recommendation=f"Fix '{field_name}' in {source} and start Lanyard again.",
        kind=ErrorKind.CONFIG,
        details={"field": field_name, "source": source, "problem": problem},
    )


@dataclass(frozen=True)
class Config:
    client_id: str | None = None
    authority: str = f"https://{CLOUDS['global'].login_host}/{DEFAULT_TENANT}"
    cloud: Cloud = CLOUDS["global"]
    scopes: Scopes = DEFAULT_SCOPES
    graph_endpoint: str = CLOUDS["global"].graph_endpoint
    ca_bundle: Path | None = None
    # trust ca_bundle alone, not the public roots with it (the sandbox's own CA)
    ca_exclusive: bool = False
    # every request to the identity provider and Graph goes through it (net.py); may hold
    # credentials (http://user:password@host:port), so never logged or shown whole
    proxy: str | None = field(default=None, repr=False)
    # False for the sandbox: msal would otherwise ask login.microsoftonline.com about it
    instance_discovery: bool = True
    profile_dir: Path = field(default_factory=paths.data_dir)
    config_file: Path | None = None
    sandbox: bool = False  # start an in-process sandbox and point everything at it
    # without OS encryption: True saves tokens in a 0600 file; False signs in for the session only
    allow_plaintext_cache: bool = True

    @property
    def is_configured(self) -> bool:
        return bool(self.client_id)

    def for_sandbox(
        self,
        *,
        authority: str,
        client_id: str,
        graph_endpoint: str,
        ca_file: Path,
        profile_dir: Path,
    ) -> Config:
        return replace(
            self,
            authority=authority,
            client_id=client_id,
            graph_endpoint=graph_endpoint,
            ca_bundle=ca_file,
            ca_exclusive=True,
            instance_discovery=False,
            proxy=None,  # the sandbox is on loopback: a proxy could not reach it
            profile_dir=profile_dir,
        )


def default_config_file() -> Path:
    return paths.config_dir() / "config.toml"


def _read_file(path: Path, required: bool) -> dict[str, Any]:
    try:
        data = tomllib.loads(read_bounded(path, CONFIG_FILE_LIMIT).decode("utf-8"))
    except FileNotFoundError:
        if required:
            raise config_error("config", str(path), "names a file that does not exist.") from None
        return {}
    except UnreadableFile as exc:  # a pipe, a device, a folder, too large, no permission
        raise config_error("config", str(path), f"{exc.reason}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise config_error("config", str(path), f"is not valid TOML: {exc}.") from None
    except UnicodeDecodeError as exc:  # tomllib decodes the bytes before parsing them
        raise config_error(
            "config", str(path), f"is not UTF-8 text (byte {exc.start} cannot be read)."
        ) from None
    unknown = sorted(set(data) - set(FILE_KEYS))
    if unknown:
        raise config_error(
            unknown[0], str(path), f"is not a Lanyard setting (known: {', '.join(FILE_KEYS)})."
        )
    return data


def _as_text(name: str, source: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise config_error(name, source, "must be a non-empty text value.")
    return value.strip()


_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


def _as_bool(name: str, source: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise config_error(name, source, "must be true or false.")


def _as_scopes(source: str, value: object) -> Scopes:
    if not isinstance(value, str) and not (
        isinstance(value, list) and all(isinstance(part, str) for part in value)
    ):
        raise config_error("scopes", source, "must be a list of scope names.")
    items = parse_scopes(value)
    if not items:
        raise config_error("scopes", source, "must name at least one scope.")
    reserved = sorted(RESERVED_SCOPES.intersection(items))
    if reserved:
        raise config_error(
            "scopes", source, f"must not include {', '.join(reserved)}: Lanyard adds them itself."
        )
    return items


def _as_https_url(name: str, source: str, value: object) -> str:
    text = _as_text(name, source, value)
    parsed = urlparse(text)
    if parsed.scheme != "https" or not parsed.hostname:
        raise config_error(name, source, f"must be an https:// URL, not '{text}'.")
    return text.rstrip("/")


def redact_proxy(url: str) -> str:
    """``url`` without its password, for messages and the settings dialog's notes."""
    parsed = urlparse(url)
    if parsed.password is None:
        return url
    host = parsed.netloc.rpartition("@")[2]
    return parsed._replace(netloc=f"{parsed.username}:***@{host}").geturl()


def _as_proxy_url(source: str, value: object) -> str:
    text = _as_text("proxy", source, value)
    parsed = urlparse(text)
    shown = redact_proxy(text)
    scheme = parsed.scheme.lower()
    if scheme not in PROXY_SCHEMES:
        raise config_error(
            "proxy",
            source,
            f"must be a URL starting with {', '.join(s + '://' for s in PROXY_SCHEMES)}, "
            f"like http://proxy.example.com:8080 (not '{shown}').",
        )
    try:
        _ = parsed.port  # raises for a port that is not a number or out of range
    except ValueError:
        raise config_error(
            "proxy", source, f"has a port that is not a number ('{shown}')."
        ) from None
    if not parsed.hostname:
        raise config_error("proxy", source, f"must name the proxy's host ('{shown}').")
    if parsed.path.strip("/") or parsed.query or parsed.fragment:
        raise config_error(
            "proxy", source, f"must be just scheme://host:port, without a path ('{shown}')."
        )
    if scheme.startswith("socks") and importlib.util.find_spec("socks") is None:
        raise config_error(
            "proxy",
            source,
            "is a SOCKS proxy, which needs the PySocks package: install requests[socks], "
            "or use an http:// proxy.",
        )
    return text.rstrip("/")


def _as_ca_file(source: str, value: object) -> Path:
    path = Path(_as_text("ca_bundle", source, value)).expanduser()
    try:
        contents = read_bounded(path, CA_BUNDLE_LIMIT)
    except FileNotFoundError:
        raise config_error("ca_bundle", source, f"names no readable file ('{path}').") from None
    except UnreadableFile as exc:  # a pipe, a device, a folder, too large, no permission
        raise config_error("ca_bundle", source, f"cannot be used: '{path}' {exc.reason}.") from None
    if b"-----BEGIN CERTIFICATE-----" not in contents:
        raise config_error(
            "ca_bundle", source, f"must be a PEM file of CA certificates; '{path}' holds none."
        )
    return path


def _validate_client_id(source: str, value: object) -> str:
    text = _as_text("client_id", source, value)
    try:
        uuid.UUID(text)
    except ValueError:
        raise config_error(
            "client_id",
            source,
            "must be the Application (client) ID, a GUID like 00000000-0000-0000-0000-000000000000.",
        ) from None
    return text


def _collect(
    flags: Mapping[str, object | None],
    env: Mapping[str, str],
    file_data: Mapping[str, Any],
    file_label: str,
) -> dict[str, tuple[object, str]]:
    """Each setting's winning value with the name of the place it came from."""
    merged: dict[str, tuple[object, str]] = {}
    for key in FILE_KEYS:
        flag = flags.get(key)
        env_name = ENV_PREFIX + key.upper()
        if flag is not None:
            merged[key] = (flag, f"--{key.replace('_', '-')}")
        elif env.get(env_name):
            merged[key] = (env[env_name], f"environment variable {env_name}")
        elif key in file_data:
            merged[key] = (file_data[key], file_label)
    return merged


def config_file_location(
    flags: Mapping[str, object | None], env: Mapping[str, str]
) -> tuple[Path, bool]:
    """The config file to read and write, and whether it was named explicitly (--config or
    LANYARD_CONFIG: then it must exist)."""
    explicit_file = flags.get("config") or env.get(ENV_PREFIX + "CONFIG")
    if explicit_file:
        return Path(str(explicit_file)).expanduser(), True
    return default_config_file(), False


def read_config_file(path: Path) -> dict[str, Any]:
    """The file's settings as written (a missing file has none). Raises ConfigError."""
    return _read_file(path, required=False)


def overrides(
    flags: Mapping[str, object | None], env: Mapping[str, str]
) -> dict[str, tuple[str, str]]:
    """The file settings that a flag or an environment variable replaces:
    key -> (the value in force, as text; where it comes from)."""
    return {
        key: (str(value), source) for key, (value, source) in _collect(flags, env, {}, "").items()
    }


def load_config(
    flags: Mapping[str, object | None] | None = None,
    env: Mapping[str, str] | None = None,
    file_values: Mapping[str, Any] | None = None,
) -> Config:
    """Build the configuration. Raises ConfigError naming the field and where it came from.

    ``file_values`` stand in for the config file's contents (the settings dialog checks what
    it is about to save, with the flags and environment that will still win over it).
    """
    flags = dict(flags or {})
    env = os.environ if env is None else env
    config_file, explicit = config_file_location(flags, env)
    file_data = (
        dict(file_values) if file_values is not None else _read_file(config_file, required=explicit)
    )
    values = _collect(flags, env, file_data, str(config_file))

    cloud = CLOUDS["global"]
    if "cloud" in values:
        raw, source = values["cloud"]
        name = _as_text("cloud", source, raw).lower()
        if name not in CLOUDS:
            raise config_error("cloud", source, f"must be one of {', '.join(CLOUDS)}.")
        cloud = CLOUDS[name]

    if "authority" in values:
        raw, source = values["authority"]
        authority = _as_https_url("authority", source, raw)
        if len([part for part in urlparse(authority).path.split("/") if part]) < 1:
            raise config_error("authority", source, "must end with a tenant, e.g. /organizations.")
    else:
        tenant = DEFAULT_TENANT
        if "tenant" in values:
            raw, source = values["tenant"]
            tenant = _as_text("tenant", source, raw)
            if not _TENANT_RE.match(tenant):
                raise config_error(
                    "tenant", source, "must be a tenant id, a domain, organizations or common."
                )
        authority = f"https://{cloud.login_host}/{tenant}"

    client_id = None
    if "client_id" in values:
        client_id = _validate_client_id(values["client_id"][1], values["client_id"][0])

    graph_endpoint = cloud.graph_endpoint
    if "graph_endpoint" in values:
        raw, source = values["graph_endpoint"]
        graph_endpoint = _as_https_url("graph_endpoint", source, raw)

    scopes: Scopes = DEFAULT_SCOPES
    if "scopes" in values:
        scopes = _as_scopes(values["scopes"][1], values["scopes"][0])
    if cloud.name != "global":
        # a bare Graph scope means the global cloud's Graph; qualify it for a national cloud
        scopes = tuple(s if "/" in s else f"{cloud.graph_resource}/{s}" for s in scopes)

    ca_bundle = None
    if "ca_bundle" in values:
        raw, source = values["ca_bundle"]
        ca_bundle = _as_ca_file(source, raw)

    proxy = None
    if "proxy" in values:
        raw, source = values["proxy"]
        proxy = _as_proxy_url(source, raw)

    allow_plaintext_cache = True
    if "allow_plaintext_cache" in values:
        raw, source = values["allow_plaintext_cache"]
        allow_plaintext_cache = _as_bool("allow_plaintext_cache", source, raw)

    profile_dir = paths.data_dir()
    raw_profile = flags.get("profile_dir") or env.get(ENV_PREFIX + "PROFILE_DIR")
    if raw_profile:
        profile_dir = Path(str(raw_profile)).expanduser()

    return Config(
        client_id=client_id,
        authority=authority,
        cloud=cloud,
        scopes=scopes,
        graph_endpoint=graph_endpoint,
        ca_bundle=ca_bundle,
        proxy=proxy,
        profile_dir=profile_dir,
        config_file=config_file,
        allow_plaintext_cache=allow_plaintext_cache,
    )
