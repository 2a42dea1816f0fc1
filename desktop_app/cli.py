"""Command-line arguments: parsed before anything imports Qt."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from desktop_app.core.config import FILE_KEYS


class _VersionAction(argparse.Action):
    """--version, reading the package metadata only when asked (it costs ~30 ms at import)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any, **__: Any) -> None:
        from desktop_app import __version__

        print(f"Lanyard {__version__}")  # on stdout, as argparse's own version action does
        parser.exit()


def _add_settings(parser: argparse.ArgumentParser, in_subcommand: bool = False) -> None:
    """The settings flags; a subcommand accepts them too (after its name) without resetting
    what was given before it (SUPPRESS: absent flags leave the namespace alone)."""

    def default(value: object) -> object:
        return argparse.SUPPRESS if in_subcommand else value

    parser.add_argument(
        "--sandbox",
        action="store_true",
        default=default(False),
        help="run the offline demo against a built-in identity provider",
    )
    parser.add_argument(
        "--sandbox-info",
        dest="sandbox_info",
        default=default(None),
        help="with --sandbox: use a sandbox already running, described by the JSON line "
        "'python -m desktop_app.sandbox' prints (saved to this file), instead of starting one",
    )
    parser.add_argument(
        "--client-id",
        dest="client_id",
        default=default(None),
        help="Application (client) ID of the app registration",
    )
    parser.add_argument(
        "--tenant", default=default(None), help="tenant id or domain, or organizations / common"
    )
    parser.add_argument(
        "--authority", default=default(None), help="full authority URL (overrides --tenant)"
    )
    parser.add_argument(
        "--cloud",
        choices=("global", "usgov", "china"),
        default=default(None),
        help="national cloud",
    )
    parser.add_argument(
        "--scopes",
        default=default(None),
        help="scopes to request, separated by spaces or commas (default User.Read)",
    )
    parser.add_argument(
        "--graph-endpoint",
        dest="graph_endpoint",
        default=default(None),
        help="Microsoft Graph base URL",
    )
    parser.add_argument(
        "--ca-bundle",
        dest="ca_bundle",
        default=default(None),
        help="extra CA certificate file to trust (PEM)",
    )
    parser.add_argument(
        "--proxy",
        default=default(None),
        help="proxy for every request to the identity provider and Graph, e.g. "
        "http://proxy.example.com:8080 (HTTPS_PROXY is not read)",
    )
    parser.add_argument(
        "--instance-discovery",
        dest="instance_discovery",
        action=argparse.BooleanOptionalAction,
        default=default(None),
        help="ask login.microsoftonline.com about the authority (default: only for "
        "Microsoft's own login hosts)",
    )
    parser.add_argument(
        "--config", default=default(None), help="config file to read instead of the default one"
    )
    parser.add_argument(
        "--profile-dir",
        dest="profile_dir",
        default=default(None),
        help="where to keep the token cache and state",
    )
    parser.add_argument(
        "--allow-plaintext-cache",
        dest="allow_plaintext_cache",
        action=argparse.BooleanOptionalAction,
        default=default(None),
        help="where the OS offers no encryption, save tokens in a file only you can read "
        "(default); --no-allow-plaintext-cache signs in for the session only",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        default=default(False),
        help="log debugging detail (never tokens)",
    )


EXIT_CODES = (
    "exit status of whoami and token: 0 done; 1 failed (network, identity provider, Graph); "
    "2 bad command line; 3 a setting is wrong or missing; 4 nobody is signed in, or the sign-in "
    "must be renewed in the Lanyard window; 5 the saved sign-in cannot be read or saved now "
    "(keyring locked or not running, a cache or lock file Lanyard may not use): fix what the "
    "message names and run it again, without signing in again"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lanyard",
        description="Sign in with Microsoft Entra ID and see your profile and app roles.",
        epilog="Settings: command-line flags win over LANYARD_* environment variables, which win "
        "over the config file (config.toml in your config directory). Without a command, "
        "Lanyard opens its window.",
    )
    parser.add_argument("--version", action=_VersionAction, help="show the version and exit")
    _add_settings(parser)
    parser.set_defaults(command=None, json=False, account=None)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    whoami = commands.add_parser(
        "whoami",
        help="print the signed-in user's Microsoft Graph profile (no window)",
        description="Print the signed-in user's Microsoft Graph profile (/me), from the same "
        "saved sign-in as the window.",
        epilog=EXIT_CODES,
    )
    token = commands.add_parser(
        "token",
        help="print an access token for --scopes (no window), for scripts",
        description="Print an access token for the signed-in user (for --scopes, default the "
        "configured ones) on stdout, from the same saved sign-in as the window.",
        epilog=EXIT_CODES,
    )
    for sub in (whoami, token):
        sub.add_argument("--json", action="store_true", help="print JSON")
        sub.add_argument(
            "--account", help="the signed-in account to use (user name); default the first"
        )
        _add_settings(sub, in_subcommand=True)
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def config_flags(args: argparse.Namespace) -> dict[str, object | None]:
    keys = (*FILE_KEYS, "config", "profile_dir")
    return {key: getattr(args, key) for key in keys}
