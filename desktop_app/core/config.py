"""Typed settings from locked policy > flags > environment > config file > policy defaults >
built-in defaults, validated with field names (managed_policy.py reads the policy).

Qt-free: the window and the headless commands share it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import ipaddress
import os
import re
import unicodedata
import uuid
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urlparse, urlsplit

from desktop_app.core import managed_policy, paths
from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.core.files import UnreadableFile, read_bounded
from desktop_app.core.i18n import LANGUAGE_CHOICES, _
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
    "instance_discovery",
    "broker",
    "language",
)
# Entra's own login hosts, the sovereign and national clouds included: msal's
# WELL_KNOWN_AUTHORITY_HOSTS (msal/authority.py; tests/unit/core/test_instance_discovery.py keeps
# this a superset of it) and the cloud endpoints of
# https://learn.microsoft.com/entra/identity-platform/authentication-national-cloud
# Instance discovery asks login.microsoftonline.com about the authority's host, which only makes
# sense for these: for any other host (ADFS, B2C, a custom domain, a test IdP) msal's question
# fails and the authority cannot be used at all (issue 14, item 1).
MICROSOFT_AUTHORITY_HOSTS = frozenset(
    {
        "login.microsoftonline.com",
        "login.microsoft.com",
        "login.windows.net",
        "sts.windows.net",
        "login.chinacloudapi.cn",
        "login.partner.microsoftonline.cn",
        "login.microsoftonline.de",
        "login-us.microsoftonline.com",
        "login.microsoftonline.us",
        "login.usgovcloudapi.net",
        "login.sovcloud-identity.fr",
        "login.sovcloud-identity.de",
        "login.sovcloud-identity.sg",
    }
)
# what requests can talk to; the socks ones need PySocks (requests[socks])
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h", "socks4", "socks4a")
# what Lanyard reads of a file a setting names, at most (read_bounded): far more than any real
# one holds, far less than a mistake (/dev/zero, a disk image) could
CONFIG_FILE_LIMIT = 1 << 20
CA_BUNDLE_LIMIT = 8 << 20  # a whole system bundle is ~250 KiB
_TENANT_RE = re.compile(r"^[A-Za-z0-9.\-]+$")
# the OS sign-in broker (auth/broker.py): "off" signs in through the system browser; "auto"
# uses WAM, the macOS SSO plug-in or the Linux identity broker where one works, else the browser
BROKER_CHOICES = ("off", "auto")


class ConfigError(LanyardError):
    """A setting is wrong; ``field_name`` says which, ``source`` says where it came from."""


def config_error(field_name: str, source: str, problem: str) -> ConfigError:
    """``problem`` continues "Setting 'x' ..."; it is kept in details too, for the settings
    dialog to show beside the field."""
    return ConfigError(
        message=_("Setting '{field_name}' ({source}) {problem}").format(
            field_name=field_name, source=source, problem=problem
        ),
        recommendation=_("Fix '{field_name}' in {source} and start Lanyard again.").format(
            field_name=field_name, source=source
        ),
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
    # whether msal asks login.microsoftonline.com about the authority (instance discovery):
    # None decides from the authority's host (discovery_for); True/False is the setting, forced
    instance_discovery: bool | None = None
    profile_dir: Path = field(default_factory=paths.data_dir)
    config_file: Path | None = None
    sandbox: bool = False  # start an in-process sandbox and point everything at it
    # without OS encryption: True saves tokens in a 0600 file; False signs in for the session only
    allow_plaintext_cache: bool = True
    broker: str = "off"  # one of BROKER_CHOICES
    # the language of the window and the terminal: "system" follows the system locale
    language: str = "system"  # one of core/i18n.py's LANGUAGE_CHOICES
    # where each setting that is not a built-in default came from: (key, flag / variable / file /
    # policy entry), for the About box and diagnostics; and what of the policy was ignored
    origins: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    policy_problems: tuple[str, ...] = field(default=(), compare=False)

    def policy_origins(self) -> list[tuple[str, str]]:
        """The settings in force that the managed policy set: (key, its policy entry)."""
        return [
            (key, source)
            for key, source in self.origins
            if not source.startswith(("--", "environment variable "))
            and source != str(self.config_file)
        ]

    @property
    def is_configured(self) -> bool:
        return bool(self.client_id)

    @property
    def discovery(self) -> bool:
        """Instance discovery for msal: the setting when given, else by the authority's host."""
        if self.instance_discovery is not None:
            return self.instance_discovery
        return discovery_for(self.authority)

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


def discovery_for(authority: str) -> bool:
    """True when ``authority`` is on one of Entra's own hosts (instance discovery applies)."""
    try:
        host = urlsplit(authority).hostname or ""
    except ValueError:
        return False
    return host.rstrip(".").lower() in MICROSOFT_AUTHORITY_HOSTS


def default_config_file() -> Path:
    return paths.config_dir() / "config.toml"


def decode_text(raw: bytes) -> str:
    """A config file's text: UTF-8, with the byte-order mark Windows' Notepad has written at
    its start dropped (tomllib refuses it as "Invalid statement at line 1, column 1", a
    character the person cannot see). Raises UnicodeDecodeError."""
    return raw.decode("utf-8-sig")


def _read_file(path: Path, required: bool) -> dict[str, Any]:
    try:
        raw = read_bounded(path, CONFIG_FILE_LIMIT)
    except FileNotFoundError:
        if required:
            raise config_error(
                "config", str(path), _("names a file that does not exist.")
            ) from None
        return {}
    except UnreadableFile as exc:  # a pipe, a device, a folder, too large, no permission
        raise config_error("config", str(path), f"{exc.reason}.") from None
    import tomllib  # only when there is a file (~5 ms that every terminal command paid)

    try:
        data = tomllib.loads(decode_text(raw))
    except tomllib.TOMLDecodeError as exc:
        raise config_error(
            "config", str(path), _("is not valid TOML: {exc}.").format(exc=exc)
        ) from None
    except UnicodeDecodeError as exc:  # tomllib decodes the bytes before parsing them
        raise config_error(
            "config",
            str(path),
            _("is not UTF-8 text (byte {start} cannot be read).").format(start=exc.start),
        ) from None
    unknown = sorted(set(data) - set(FILE_KEYS))
    if unknown:
        raise config_error(
            unknown[0],
            str(path),
            _("is not a Lanyard setting (known: {join}).").format(join=", ".join(FILE_KEYS)),
        )
    return data


def _as_text(name: str, source: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise config_error(name, source, _("must be a non-empty text value."))
    return value.strip()


def _as_choice(name: str, source: str, value: object, choices: Collection[str]) -> str:
    """One of ``choices``, in any case and with spaces around; else the choices are named."""
    choice = _as_text(name, source, value).lower()
    if choice not in choices:
        raise config_error(
            name, source, _("must be one of {join}.").format(join=", ".join(choices))
        )
    return choice


_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


def _as_bool(name: str, source: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise config_error(name, source, _("must be true or false."))


def _as_scopes(source: str, value: object) -> Scopes:
    if not isinstance(value, str) and not (
        isinstance(value, list) and all(isinstance(part, str) for part in value)
    ):
        raise config_error("scopes", source, _("must be a list of scope names."))
    items = parse_scopes(value)
    if not items:
        raise config_error("scopes", source, _("must name at least one scope."))
    reserved = sorted(RESERVED_SCOPES.intersection(items))
    if reserved:
        raise config_error(
            "scopes",
            source,
            _("must not include {join}: Lanyard adds them itself.").format(
                join=", ".join(reserved)
            ),
        )
    return items


_BRACKETED = re.compile(r"(\[[^\[\]]*\])(?::[0-9]*)?")
_HOST_LABEL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?$")


def _for_cloud(scopes: Scopes, cloud: Cloud) -> Scopes:
    """A bare Graph scope means the global cloud's Graph: qualified for a national cloud."""
    if cloud.name == "global":
        return scopes
    return tuple(s if "/" in s else f"{cloud.graph_resource}/{s}" for s in scopes)


def with_request_scopes(config: Config, value: str, source: str = "--scopes") -> Config:
    """``config`` asking for ``value``'s scopes in one command (``lanyard token``, ``api`` and
    ``login --scopes``): a request, as the window's API console makes, not the ``scopes``
    setting, so a policy that locks the setting (what Lanyard signs in for) does not refuse
    it. Checked as the setting is; ConfigError names ``source``."""
    with _naming("scopes", source):
        return replace(config, scopes=_for_cloud(_as_scopes(source, value), config.cloud))


def redact_url(url: str) -> str:
    """``url`` without the password in it, if any (for messages and the settings dialog's
    notes). Works on any text, a URL that does not parse included."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    netloc_end = len(rest)
    for mark in "/?#":
        at = rest.find(mark)
        if at >= 0:
            netloc_end = min(netloc_end, at)
    netloc, tail = rest[:netloc_end], rest[netloc_end:]
    userinfo, at_sign, host = netloc.rpartition("@")
    if not at_sign or ":" not in userinfo:
        return url
    user = userinfo.partition(":")[0]
    return f"{scheme}://{user}:***@{host}{tail}"


redact_proxy = redact_url  # the name the settings form knows


def _visible_problem(text: str) -> str | None:
    """What is wrong with characters no URL may hold: they would reach a request as they are
    (or be dropped silently by urllib), and a person cannot see them in the field."""
    for char in text:
        if char.isspace():
            return _("must not contain spaces")
        if not char.isprintable() or unicodedata.category(char) in ("Cf", "Cs", "Co", "Cn"):
            return _("must not contain invisible characters (U+{ord:04X})").format(ord=ord(char))
    return None


def _host_problem(host: str) -> str | None:
    """Why ``host`` (the host part of a URL, brackets kept) is not one requests can connect to;
    None when it is fine."""
    if host.startswith("[") or host.endswith("]") or "[" in host or "]" in host:
        inner = host[1:-1] if host.startswith("[") and host.endswith("]") else None
        if inner is None or "[" in inner or "]" in inner:
            return _("has an unmatched [ or ] (only an IPv6 address goes in brackets, like [::1])")
        try:
            ipaddress.IPv6Address(inner)
        except ValueError:
            return _("has '{inner}' in brackets, which is not an IPv6 address").format(inner=inner)
        return None
    if not host:
        return _("names no host")
    if not host.isascii():
        try:  # as requests and urllib3 encode it (the idna package, only loaded for this)
            import idna

            idna.encode(host.lower(), strict=True, std3_rules=True)  # urllib3's
            host = idna.encode(host, uts46=True).decode("ascii")  # requests's
        except (idna.IDNAError, UnicodeError, ValueError):
            return _("has a host name that cannot be used")
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
    if len(host) > 253 or not all(
        len(label) <= 63 and _HOST_LABEL.match(label) for label in labels
    ):
        return _("has a host name that cannot be used")
    return None


def _split_url(name: str, source: str, text: str, shown: str) -> SplitResult:
    """``text`` split into its parts, or a ConfigError naming ``name``: no URL reaches msal or
    requests that urllib, urllib3 or the IDNA encoding would refuse later, far from the setting
    that holds it (urlsplit raises ValueError for an unmatched bracket, .port for a port that is
    not a number)."""
    problem = _visible_problem(text)
    if problem:
        raise config_error(name, source, f"{problem} ('{shown}').")
    try:
        parsed = urlsplit(text)
        port = parsed.port
    except ValueError:
        host = text.partition("://")[2].split("/", 1)[0].rpartition("@")[2]
        balanced = host.startswith("[") and host.count("[") == host.count("]") == 1
        if ("[" in host or "]" in host) and not balanced:
            problem = _(
                "has an unmatched [ or ] (only an IPv6 address goes in brackets, like [::1])"
            )
        else:  # urlsplit checks what is in brackets too; .port the port
            bracketed = host[: host.find("]") + 1] if balanced else ""
            problem = (bracketed and _host_problem(bracketed)) or (
                _("has a port that is not a number from 1 to 65535")
            )
        raise config_error(name, source, f"{problem} ('{shown}').") from None
    if port == 0:
        raise config_error(
            name,
            source,
            _("has a port that is not a number from 1 to 65535 ('{shown}').").format(shown=shown),
        )
    host_and_port = parsed.netloc.rpartition("@")[2]
    if "[" in host_and_port or "]" in host_and_port:
        whole = _BRACKETED.fullmatch(host_and_port)  # "[::1]" or "[::1]:443", nothing else
        host = whole.group(1) if whole else "["
    else:
        host = host_and_port.partition(":")[0]
    problem = _host_problem(host)
    if problem:
        raise config_error(name, source, f"{problem} ('{shown}').")
    return parsed


def _as_https_url(name: str, source: str, value: object) -> str:
    text = _as_text(name, source, value)
    shown = redact_url(text)
    if not text.lower().startswith("https://"):
        raise config_error(
            name, source, _("must be an https:// URL, not '{shown}'.").format(shown=shown)
        )
    parsed = _split_url(name, source, text, shown)
    if parsed.scheme != "https" or not parsed.hostname:
        raise config_error(
            name, source, _("must be an https:// URL, not '{shown}'.").format(shown=shown)
        )
    if "@" in parsed.netloc:
        raise config_error(
            name,
            source,
            _("must not hold a user name or password ('{shown}').").format(shown=shown),
        )
    if parsed.query or parsed.fragment or text.endswith(("?", "#")):
        raise config_error(
            name, source, _("must not have a ?query or #fragment ('{shown}').").format(shown=shown)
        )
    return text.rstrip("/")


def _as_proxy_url(source: str, value: object) -> str:
    text = _as_text("proxy", source, value)
    shown = redact_url(text)
    scheme = text.partition("://")[0].lower() if "://" in text else ""
    if scheme not in PROXY_SCHEMES:
        raise config_error(
            "proxy",
            source,
            _(
                "must be a URL starting with {join}, like http://proxy.example.com:8080 (not '{shown}')."
            ).format(join=", ".join(s + "://" for s in PROXY_SCHEMES), shown=shown),
        )
    parsed = _split_url("proxy", source, text, shown)
    if not parsed.hostname:
        raise config_error(
            "proxy", source, _("must name the proxy's host ('{shown}').").format(shown=shown)
        )
    if parsed.path.strip("/") or parsed.query or parsed.fragment or text.endswith(("?", "#")):
        raise config_error(
            "proxy",
            source,
            _("must be just scheme://host:port, without a path ('{shown}').").format(shown=shown),
        )
    if scheme.startswith("socks") and importlib.util.find_spec("socks") is None:
        raise config_error(
            "proxy",
            source,
            _(
                "is a SOCKS proxy, which needs the PySocks package: install requests[socks], "
                "or use an http:// proxy."
            ),
        )
    return text.rstrip("/")


def _as_ca_file(source: str, value: object) -> Path:
    path = _expand(Path(_as_text("ca_bundle", source, value)))
    try:
        contents = read_bounded(path, CA_BUNDLE_LIMIT)
    except FileNotFoundError:
        raise config_error(
            "ca_bundle", source, _("names no readable file ('{path}').").format(path=path)
        ) from None
    except UnreadableFile as exc:  # a pipe, a device, a folder, too large, no permission
        raise config_error(
            "ca_bundle",
            source,
            _("cannot be used: '{path}' {reason}.").format(path=path, reason=exc.reason),
        ) from None
    if b"-----BEGIN CERTIFICATE-----" not in contents:
        raise config_error(
            "ca_bundle",
            source,
            _("must be a PEM file of CA certificates; '{path}' holds none.").format(path=path),
        )
    return path


def _as_folder(name: str, source: str, value: object) -> Path:
    text = _as_text(name, source, value)
    path = _expand(Path(text))
    if path.parts[:1] and path.parts[0].startswith("~"):
        raise config_error(
            name,
            source,
            _("starts with {parts}, which names no user on this computer.").format(
                parts=path.parts[0]
            ),
        )
    if "\0" in text:
        raise config_error(name, source, _("must not contain a NUL character."))
    at = path  # the folder may not exist yet (it is made then); what does exist must be one
    while not at.exists() and at.parent != at:
        at = at.parent
    if at.exists() and not at.is_dir():
        problem = (
            _("is a file, not a folder ('{path}').").format(path=path)
            if at == path
            else _("is inside '{at}', which is a file, not a folder ('{path}').").format(
                at=at, path=path
            )
        )
        raise config_error(name, source, problem)
    return path


@contextlib.contextmanager
def _naming(name: str, source: str) -> Iterator[None]:
    """Whatever checking a setting raises names that setting: a parse this module did not
    foresee (urllib, pathlib and uuid raise ValueError, RuntimeError or TypeError) is still a
    ConfigError naming the setting and where it came from, never a traceback at start."""
    try:
        yield
    except ConfigError:
        raise
    except (ValueError, TypeError, RuntimeError, OSError, LookupError, RecursionError) as exc:
        raise config_error(
            name,
            source,
            _("cannot be used ({name}: {redact_url}).").format(
                name=exc.__class__.__name__, redact_url=redact_url(str(exc))
            ),
        ) from None


def _validate_client_id(source: str, value: object) -> str:
    text = _as_text("client_id", source, value)
    try:
        uuid.UUID(text)
    except ValueError:
        raise config_error(
            "client_id",
            source,
            _(
                "must be the Application (client) ID, a GUID like 00000000-0000-0000-0000-000000000000."
            ),
        ) from None
    return text


# a setting that decides another: a locked tenant or cloud is not replaced by an authority
# (which names both); a cloud names its Graph, so a locked one is not sent elsewhere by a
# graph_endpoint; an authority's host names its cloud (and so its Graph and the scopes' resource),
# so a locked one is not paired with another cloud's. Not transitive: a locked tenant leaves the
# cloud free (the settings form's _lock_of says the same).
LOCKS_TOO: dict[str, tuple[str, ...]] = {
    "tenant": ("authority",),
    "cloud": ("authority", "graph_endpoint"),
    "authority": ("tenant", "cloud", "graph_endpoint"),
}
# a setting locked by another that would replace it: a policy default for it is not used either
REPLACES_LOCKED = frozenset({"authority"})
# a policy default that gives way to the user's own choice of a setting it would override:
# an authority replaces the tenant and cloud; a Graph endpoint the cloud's (or authority's) Graph
DEFAULT_GIVES_WAY: dict[str, tuple[str, ...]] = {
    "authority": ("tenant", "cloud"),
    "graph_endpoint": ("cloud", "authority"),
}


def policy_locks(policy: managed_policy.Policy) -> dict[str, managed_policy.Entry]:
    """The settings the policy locks, with those a locked one decides (LOCKS_TOO)."""
    locks = dict(policy.locked)
    for key, entry in policy.locked.items():
        for also in LOCKS_TOO.get(key, ()):
            if also not in policy.locked:
                locks[also] = entry
    return locks


def _refuse_locked(key: str, source: str, entry: managed_policy.Entry) -> ConfigError:
    problem = _("cannot be set: your organisation's policy sets it ({source}).").format(
        source=entry.source
    )
    return ConfigError(
        message=_("Setting '{key}' ({source}) {problem}").format(
            key=key, source=source, problem=problem
        ),
        recommendation=_(
            "Leave out {source}: only an administrator can change this setting."
        ).format(source=source),
        kind=ErrorKind.CONFIG,
        details={"field": key, "source": source, "problem": problem},
    )


def _collect(
    flags: Mapping[str, object | None],
    env: Mapping[str, str],
    file_data: Mapping[str, Any],
    file_label: str,
    policy: managed_policy.Policy | None = None,
) -> dict[str, tuple[object, str]]:
    """Each setting's winning value with the name of the place it came from. Raises
    ConfigError for a flag or variable that a locked policy setting refuses."""
    policy = policy or managed_policy.Policy()
    locks = policy_locks(policy)
    merged: dict[str, tuple[object, str]] = {}
    users: set[str] = set()  # set by a flag, a variable or the user's file
    defaulted: set[str] = set()  # set by a policy default alone
    for key in FILE_KEYS:
        flag = flags.get(key)
        env_name = ENV_PREFIX + key.upper()
        flag_source = f"--{key.replace('_', '-')}"
        env_source = f"environment variable {env_name}"  # a name: origins compare it
        if key in locks:
            if flag is not None:
                raise _refuse_locked(key, flag_source, locks[key])
            if env.get(env_name):
                raise _refuse_locked(key, env_source, locks[key])
            if key in policy.locked:
                merged[key] = (policy.locked[key].value, policy.locked[key].source)
            elif key in policy.defaults and key not in REPLACES_LOCKED:
                # decided by a lock, but the administrator's own default still applies (a Graph
                # endpoint for a locked cloud): neither is the user's
                merged[key] = (policy.defaults[key].value, policy.defaults[key].source)
        elif flag is not None:
            merged[key] = (flag, flag_source)
        elif env.get(env_name):
            merged[key] = (env[env_name], env_source)
        elif key in file_data:
            merged[key] = (file_data[key], file_label)
        elif key in policy.defaults:
            merged[key] = (policy.defaults[key].value, policy.defaults[key].source)
            defaulted.add(key)
            continue
        else:
            continue
        if key not in locks:
            users.add(key)
    # a default is what an unset setting means, never more: one that would replace a setting
    # the user chose (a default authority their tenant or cloud) gives way to it
    for key, deciders in DEFAULT_GIVES_WAY.items():
        if key in defaulted and users.intersection(deciders):
            del merged[key]
    return merged


def usable_policy(config_file: Path | None = None) -> managed_policy.Policy:
    """The policy in force, each of its values checked as the config file's are: one that
    fails is a problem in the result, and ignored (the others are kept)."""
    policy = managed_policy.read_policy(FILE_KEYS)
    problems = list(policy.problems)
    for locked, entries in ((True, policy.locked), (False, policy.defaults)):
        for key, entry in entries.items():
            try:
                _build({}, {}, {key: (entry.value, entry.source)}, config_file)
            except ConfigError as exc:
                problems.append(f"{exc.message} It is ignored.")
                policy = policy.without(key, locked)
    return replace(policy, problems=tuple(problems))


def config_file_location(
    flags: Mapping[str, object | None], env: Mapping[str, str]
) -> tuple[Path, bool]:
    """The config file to read and write, and whether it was named explicitly (--config or
    LANYARD_CONFIG: then it must exist)."""
    explicit_file = flags.get("config") or env.get(ENV_PREFIX + "CONFIG")
    if explicit_file:
        return _expand(Path(str(explicit_file))), True
    return default_config_file(), False


def _expand(path: Path) -> Path:
    """``~`` and ``~user`` expanded; as written when that user does not exist (expanduser raises
    RuntimeError): reading it then fails with the path as the person wrote it."""
    try:
        return path.expanduser()
    except RuntimeError:
        return path


def read_config_file(path: Path) -> dict[str, Any]:
    """The file's settings as written (a missing file has none). Raises ConfigError."""
    return _read_file(path, required=False)


def overrides(
    flags: Mapping[str, object | None], env: Mapping[str, str]
) -> dict[str, tuple[str, str]]:
    """The file settings that a flag or an environment variable replaces:
    key -> (the value in force, as text; where it comes from). Policy is not asked."""
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
    policy = usable_policy(config_file)
    values = _collect(flags, env, file_data, str(config_file), policy)
    config = _build(flags, env, values, config_file)
    origins = tuple((key, source) for key, (_, source) in values.items())
    return replace(config, origins=origins, policy_problems=policy.problems)


def _build(
    flags: Mapping[str, object | None],
    env: Mapping[str, str],
    values: Mapping[str, tuple[object, str]],
    config_file: Path | None,
) -> Config:
    """The Config of ``values`` (key -> (value, where it came from)), each checked."""
    cloud = CLOUDS["global"]
    if "cloud" in values:
        raw, source = values["cloud"]
        with _naming("cloud", source):
            cloud = CLOUDS[_as_choice("cloud", source, raw, CLOUDS)]

    if "authority" in values:
        raw, source = values["authority"]
        with _naming("authority", source):
            authority = _as_https_url("authority", source, raw)
            # msal takes the first path segment as the tenant: "https://host//t" has none
            segments = urlsplit(authority).path.split("/")
            if len(segments) < 2 or not segments[1]:
                raise config_error(
                    "authority", source, _("must end with a tenant, e.g. /organizations.")
                )
        if "cloud" not in values:
            # an authority on a national cloud's login host is that cloud's: its Graph, its
            # scopes (a locked authority decides the cloud, so nothing else could say it)
            host = (urlsplit(authority).hostname or "").rstrip(".").lower()
            cloud = next((c for c in CLOUDS.values() if c.login_host == host), cloud)
    else:
        tenant = DEFAULT_TENANT
        if "tenant" in values:
            raw, source = values["tenant"]
            with _naming("tenant", source):
                tenant = _as_text("tenant", source, raw)
                if not _TENANT_RE.match(tenant):
                    raise config_error(
                        "tenant",
                        source,
                        _("must be a tenant id, a domain, organizations or common."),
                    )
        authority = f"https://{cloud.login_host}/{tenant}"

    client_id = None
    if "client_id" in values:
        raw, source = values["client_id"]
        with _naming("client_id", source):
            client_id = _validate_client_id(source, raw)

    graph_endpoint = cloud.graph_endpoint
    if "graph_endpoint" in values:
        raw, source = values["graph_endpoint"]
        with _naming("graph_endpoint", source):
            graph_endpoint = _as_https_url("graph_endpoint", source, raw)

    scopes: Scopes = DEFAULT_SCOPES
    if "scopes" in values:
        raw, source = values["scopes"]
        with _naming("scopes", source):
            scopes = _as_scopes(source, raw)
    scopes = _for_cloud(scopes, cloud)

    ca_bundle = None
    if "ca_bundle" in values:
        raw, source = values["ca_bundle"]
        with _naming("ca_bundle", source):
            ca_bundle = _as_ca_file(source, raw)

    proxy = None
    if "proxy" in values:
        raw, source = values["proxy"]
        with _naming("proxy", source):
            proxy = _as_proxy_url(source, raw)

    allow_plaintext_cache = True
    if "allow_plaintext_cache" in values:
        raw, source = values["allow_plaintext_cache"]
        with _naming("allow_plaintext_cache", source):
            allow_plaintext_cache = _as_bool("allow_plaintext_cache", source, raw)

    instance_discovery = None  # decided from the authority's host
    if "instance_discovery" in values:
        raw, source = values["instance_discovery"]
        with _naming("instance_discovery", source):
            instance_discovery = _as_bool("instance_discovery", source, raw)

    broker = "off"
    if "broker" in values:
        raw, source = values["broker"]
        with _naming("broker", source):
            broker = _as_choice("broker", source, raw, BROKER_CHOICES)

    language = "system"
    if "language" in values:
        raw, source = values["language"]
        with _naming("language", source):
            language = _as_choice("language", source, raw, LANGUAGE_CHOICES)

    profile_dir = paths.data_dir()
    raw_profile = flags.get("profile_dir") or env.get(ENV_PREFIX + "PROFILE_DIR")
    if raw_profile:
        source = (
            "--profile-dir"
            if flags.get("profile_dir")
            else f"environment variable {ENV_PREFIX}PROFILE_DIR"
        )
        with _naming("profile_dir", source):
            profile_dir = _as_folder("profile_dir", source, raw_profile)

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
        instance_discovery=instance_discovery,
        broker=broker,
        language=language,
    )
