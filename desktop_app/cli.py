"""Command-line arguments: parsed before anything imports Qt."""

from __future__ import annotations

import argparse
import shlex
import sys
import textwrap
from collections.abc import Sequence
from typing import Any

from desktop_app.core import i18n
from desktop_app.core.config import FILE_KEYS
from desktop_app.core.i18n import LANGUAGE_CHOICES, N_, _


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
        help=_("run the offline demo against a built-in identity provider"),
    )
    parser.add_argument(
        "--sandbox-info",
        dest="sandbox_info",
        default=default(None),
        help=_(
            "with --sandbox: use a sandbox already running, described by the JSON line "
            "'python -m desktop_app.sandbox' prints (saved to this file), instead of starting one"
        ),
    )
    parser.add_argument(
        "--client-id",
        dest="client_id",
        default=default(None),
        help=_("Application (client) ID of the app registration"),
    )
    parser.add_argument(
        "--tenant", default=default(None), help=_("tenant id or domain, or organizations / common")
    )
    parser.add_argument(
        "--authority", default=default(None), help=_("full authority URL (overrides --tenant)")
    )
    parser.add_argument(
        "--cloud",
        choices=("global", "usgov", "china"),
        default=default(None),
        help=_("national cloud"),
    )
    parser.add_argument(
        "--scopes",
        default=default(None),
        help=_("scopes to request, separated by spaces or commas (default User.Read)"),
    )
    parser.add_argument(
        "--graph-endpoint",
        dest="graph_endpoint",
        default=default(None),
        help=_("Microsoft Graph base URL"),
    )
    parser.add_argument(
        "--ca-bundle",
        dest="ca_bundle",
        default=default(None),
        help=_("extra CA certificate file to trust (PEM)"),
    )
    parser.add_argument(
        "--proxy",
        default=default(None),
        help=_(
            "proxy for every request to the identity provider and Graph, e.g. "
            "http://proxy.example.com:8080 (HTTPS_PROXY is not read)"
        ),
    )
    parser.add_argument(
        "--instance-discovery",
        dest="instance_discovery",
        action=argparse.BooleanOptionalAction,
        default=default(None),
        help=_(
            "ask login.microsoftonline.com about the authority (default: only for "
            "Microsoft's own login hosts)"
        ),
    )
    parser.add_argument(
        "--config", default=default(None), help=_("config file to read instead of the default one")
    )
    parser.add_argument(
        "--profile-dir",
        dest="profile_dir",
        default=default(None),
        help=_("where to keep the token cache and state"),
    )
    parser.add_argument(
        "--allow-plaintext-cache",
        dest="allow_plaintext_cache",
        action=argparse.BooleanOptionalAction,
        default=default(None),
        help=_(
            "where the OS offers no encryption, save tokens in a file only you can read "
            "(default); --no-allow-plaintext-cache signs in for the session only"
        ),
    )
    parser.add_argument(
        "--broker",
        choices=("off", "auto"),
        default=default(None),
        help=_(
            "sign in through the OS sign-in broker where there is one (Windows WAM, the macOS "
            "Enterprise SSO plug-in, the Linux Microsoft identity broker): auto; off (default) uses "
            "the system browser. Without a working broker Lanyard uses the browser and says why"
        ),
    )
    parser.add_argument(
        "--language",
        choices=LANGUAGE_CHOICES,
        default=default(None),
        help=_(
            "the language of the window and the messages: system (default: the system "
            "locale), en, de or ar"
        ),
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        default=default(False),
        help=_("log debugging detail (never tokens)"),
    )


EXIT_CODES = N_(
    "exit status: 0 done; 1 failed (network, identity provider, Graph); 2 bad command line; "
    "3 a setting is wrong or missing; 4 nobody is signed in, or the sign-in must be renewed "
    "(run lanyard login); 5 the saved sign-in cannot be read or saved now (keyring locked or "
    "not running, a cache or lock file Lanyard may not use): fix what the message names and run "
    "it again, without signing in again; 6 --account names no signed-in account (the message "
    "lists those that are); 7 lanyard api: the API answered with an error status; 130 interrupted "
    "(Ctrl+C)"
)

HELP_COMMANDS = N_("""commands (no window; Qt is never loaded):
  login      sign in: opens your browser (--device-code: a code to enter on another device)
  logout     remove a signed-in account (--account NAME) from this computer
  accounts   list the signed-in accounts (--json)
  whoami     your Microsoft Graph profile and app roles (--json)
  token      an access token for --scopes on stdout, for scripts (--json)
  api        call Graph or another API as you, like az rest: lanyard api [METHOD] URL
  decode     decode a token and check its signature (no sign-in needed)
Without a command, Lanyard opens its window.""")
HELP_SETTINGS = N_("""Settings: command-line flags win over LANYARD_* environment variables, which win over the config
file (config.toml in your config directory). Your organisation's managed policy can lock a setting
(a flag or variable for it is then refused) or give a default the config file replaces.""")
HELP_EXAMPLES = """examples:
  lanyard --sandbox --profile-dir ~/lanyard-demo login --device-code
  lanyard --client-id 00000000-0000-0000-0000-000000000000 --tenant contoso.com whoami --json"""


def help_epilog() -> str:
    """The main --help's closing text, in the language in force (built when the parser is)."""
    exit_codes = textwrap.fill(_(EXIT_CODES) + ".", 79)
    examples = HELP_EXAMPLES.replace("examples:", _("examples:"), 1)
    return f"{_(HELP_COMMANDS)}\n\n{exit_codes}\n\n{examples}\n\n{_(HELP_SETTINGS)}\n"


# the one-line summaries of the commands whose parsers live in modules of their own, for a
# parser that leaves them out (build_parser's ``argv``)
DECODE_SUMMARY = N_("decode a token and check its signature (no window, no sign-in needed)")
API_SUMMARY = N_("call Microsoft Graph or another API as the signed-in user, like az rest")


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """Lanyard's parser. With ``argv``, only the subcommands named in it get their flags (and
    their modules imported): argparse picks a subcommand by its exact name, so one that is not
    among the words cannot be the one parsed, and a terminal command run again and again by a
    script does not build the other seven (~6 ms and three modules)."""
    words = None if argv is None else set(argv)

    def wanted(name: str) -> bool:
        return words is None or name in words

    parser = argparse.ArgumentParser(
        prog="lanyard",
        description=_("Sign in with Microsoft Entra ID and see your profile and app roles."),
        epilog=help_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_VersionAction, help=_("show the version and exit"))
    _add_settings(parser)
    parser.set_defaults(command=None, json=False, account=None, device_code=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    whoami = commands.add_parser(
        "whoami",
        help=_("print the signed-in user's Microsoft Graph profile (no window)"),
        description=_(
            "Print the signed-in user's Microsoft Graph profile (/me), from the same "
            "saved sign-in as the window; --json adds the ID token's app roles."
        ),
        epilog=_(EXIT_CODES),
    )
    token = commands.add_parser(
        "token",
        help=_("print an access token for --scopes (no window), for scripts"),
        description=_(
            "Print an access token for the signed-in user (for --scopes, default the "
            "configured ones) on stdout, from the same saved sign-in as the window."
        ),
        epilog=_(EXIT_CODES),
    )
    login = commands.add_parser(
        "login",
        help=_("sign in, in your browser or with --device-code (no window)"),
        description=_(
            "Sign in as the window does: your system browser opens on the sign-in page "
            "and hands the answer back to Lanyard on this computer. --device-code prints a code and "
            "a web address to use on any device instead (for a computer without a browser). The "
            "sign-in is saved in the same cache as the window's."
        ),
        epilog=_(EXIT_CODES),
    )
    login.add_argument(
        "--device-code",
        dest="device_code",
        action="store_true",
        help=_("sign in with a code entered on another device instead of opening a browser"),
    )
    login.add_argument(
        "--account", help=_("the account to sign in as (user name), given to the sign-in page")
    )
    logout = commands.add_parser(
        "logout",
        help=_("remove a signed-in account from this computer (no window)"),
        description=_(
            "Remove a signed-in account and its tokens from Lanyard's cache on this "
            "computer (the default: the first, which whoami and token use)."
        ),
        epilog=_(EXIT_CODES),
    )
    logout.add_argument("--account", help=_("the signed-in account to remove (user name)"))
    accounts = commands.add_parser(
        "accounts",
        help=_("list the signed-in accounts (no window)"),
        description=_(
            "List the accounts signed in to Lanyard on this computer; the first is the "
            "one whoami, token and the window use unless told otherwise."
        ),
        epilog=_(EXIT_CODES),
    )
    for sub in (whoami, token, accounts):
        if wanted(sub.prog.split()[-1]):
            sub.add_argument("--json", action="store_true", help=_("print JSON"))
    for sub in (whoami, token):
        if wanted(sub.prog.split()[-1]):
            sub.add_argument(
                "--account", help=_("the signed-in account to use (user name); default the first")
            )
    for sub in (whoami, token, login, logout, accounts):
        if wanted(sub.prog.split()[-1]):
            _add_settings(sub, in_subcommand=True)
    if wanted("decode"):
        from desktop_app.headless_decode import add_decode_parser  # the Token inspector's

        add_decode_parser(commands, _add_settings)
    else:
        commands.add_parser("decode", help=_(DECODE_SUMMARY))
    if wanted("api"):
        from desktop_app.headless_api_args import add_api_parser  # the API console's

        add_api_parser(commands, _add_settings)
    else:
        commands.add_parser("api", help=_(API_SUMMARY))
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    if argv is None:
        argv = sys.argv[1:]
    # the help and the errors of the command line itself, before any settings are read
    i18n.install(i18n.early_language(argv))
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if args.sandbox and args.client_id:
        # the sandbox brings its own app registration: a client id would be silently ignored
        parser.error(
            "--client-id cannot be used with --sandbox: the sandbox has its own app "
            "registration. Leave out --sandbox to sign in to your organisation's."
        )
    return args


# the settings flags that choose where and as what Lanyard signs in, as the person gave them:
# advice to run another command repeats them (``lanyard --sandbox --profile-dir /x login``)
_REPEATED_FLAGS = (
    ("sandbox_info", "--sandbox-info"),
    ("config", "--config"),
    ("profile_dir", "--profile-dir"),
    ("client_id", "--client-id"),
    ("tenant", "--tenant"),
    ("authority", "--authority"),
    ("cloud", "--cloud"),
    ("ca_bundle", "--ca-bundle"),
    ("proxy", "--proxy"),
    ("broker", "--broker"),
    ("language", "--language"),
)


def command_line(args: argparse.Namespace, command: str, *extra: str) -> str:
    """``lanyard`` with the settings flags of ``args`` that were given, then ``command`` and
    ``extra``: what to run next, quoted for a POSIX shell."""
    words = ["lanyard"]
    if getattr(args, "sandbox", False):
        words.append("--sandbox")
    for key, flag in _REPEATED_FLAGS:
        value = getattr(args, key, None)
        if value:
            words += [flag, str(value)]
    if getattr(args, "allow_plaintext_cache", None) is False:
        words.append("--no-allow-plaintext-cache")
    words += [command, *extra]
    return " ".join(shlex.quote(word) for word in words)


def config_flags(args: argparse.Namespace) -> dict[str, object | None]:
    keys = (*FILE_KEYS, "config", "profile_dir")
    return {key: getattr(args, key) for key in keys}
