"""The terminal's advice names the command line the person typed (issue 16, item 7): the login
command repeats their settings flags, quoted so a shell reads them back unchanged, and the
window's "Sign in again" / "select Sign in" become it."""

from __future__ import annotations

import shlex

from hypothesis import given
from hypothesis import strategies as st

from desktop_app.cli import command_line, parse_args
from desktop_app.core.errors import InteractionReason, LanyardError, interaction_needed
from desktop_app.headless_advice import headless_advice, terminal_words

# what a shell can carry in one argument (no NUL), and never empty
PATHS = st.text(st.characters(exclude_characters="\x00"), min_size=1, max_size=30).filter(
    lambda path: not path.startswith("-")
)


@given(profile=PATHS, sandbox=st.booleans(), tenant=st.none() | PATHS)
def test_the_login_command_repeats_the_flags_given(
    profile: str, sandbox: bool, tenant: str | None
) -> None:
    argv = [*(["--sandbox"] if sandbox else []), "--profile-dir", profile]
    argv += ["--tenant", tenant] if tenant else []
    args = parse_args([*argv, "whoami", "--json"])
    words = shlex.split(command_line(args, "login", "--device-code"))
    assert words[0] == "lanyard" and words[-2:] == ["login", "--device-code"]
    assert parse_args(words[1:]) == parse_args([*argv, "login", "--device-code"])


def test_the_window_words_become_the_login_command() -> None:
    args = parse_args(["--sandbox", "--profile-dir", "/x y", "token"])
    login = "lanyard --sandbox --profile-dir '/x y' login"
    assert terminal_words("Select Sign in to continue.", args) == f"Sign in again with `{login}`."
    assert terminal_words("The cache was reset. Sign in again.", args) == (
        f"The cache was reset. Sign in again with `{login}`."
    )
    kept = "Unlock your keyring. You do not need to sign in again."
    assert terminal_words(kept, args) == kept  # not an instruction to sign in


def test_consent_is_granted_not_signed_in_again() -> None:
    args = parse_args(["--sandbox", "token", "--scopes", "api://x/Orders.Read"])
    consent = interaction_needed(InteractionReason.CONSENT)
    advice = headless_advice(consent, args)
    assert advice.startswith(
        "Grant access: run `lanyard --sandbox login --scopes api://x/Orders.Read`"
    )
    assert "Sign in again" not in advice
    plain = LanyardError("x", "Select Sign in to continue.")
    assert headless_advice(plain, args) == "Sign in again with `lanyard --sandbox login`."
