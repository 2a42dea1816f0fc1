"""Command-line arguments: parsed before anything imports Qt."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from desktop_app import __version__
from desktop_app.config import FILE_KEYS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lanyard",
        description="Sign in with Microsoft Entra ID and see your profile and app roles.",
        epilog="Settings: command-line flags win over LANYARD_* environment variables, which win "
        "over the config file (config.toml in your config directory).",
    )
    parser.add_argument("--version", action="version", version=f"Lanyard {__version__}")
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="run the offline demo against a built-in identity provider",
    )
    parser.add_argument(
        "--client-id", dest="client_id", help="Application (client) ID of the app registration"
    )
    parser.add_argument("--tenant", help="tenant id or domain, or organizations / common")
    parser.add_argument("--authority", help="full authority URL (overrides --tenant)")
    parser.add_argument("--cloud", choices=("global", "usgov", "china"), help="national cloud")
    parser.add_argument(
        "--scopes", help="scopes to request, separated by spaces or commas (default User.Read)"
    )
    parser.add_argument("--graph-endpoint", dest="graph_endpoint", help="Microsoft Graph base URL")
    parser.add_argument(
        "--ca-bundle", dest="ca_bundle", help="extra CA certificate file to trust (PEM)"
    )
    parser.add_argument(
        "--proxy",
        help="proxy for every request to the identity provider and Graph, e.g. "
        "http://proxy.example.com:8080 (wins over HTTPS_PROXY)",
    )
    parser.add_argument("--config", help="config file to read instead of the default one")
    parser.add_argument(
        "--profile-dir", dest="profile_dir", help="where to keep the token cache and state"
    )
    parser.add_argument(
        "--allow-plaintext-cache",
        dest="allow_plaintext_cache",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="where the OS offers no encryption, save tokens in a file only you can read "
        "(default); --no-allow-plaintext-cache signs in for the session only",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="log debugging detail (never tokens)"
    )
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def config_flags(args: argparse.Namespace) -> dict[str, object | None]:
    keys = (*FILE_KEYS, "config", "profile_dir")
    return {key: getattr(args, key) for key in keys}
