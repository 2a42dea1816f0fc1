"""The terminal's advice names the command line the person typed (issue 16, item 7): the login
command repeats their settings flags, quoted so a shell reads them back unchanged, and the
window's "Sign in again" / "select Sign in" become it."""

from __future__ import annotations

import shlex
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.cli import command_line, parse_args
from desktop_app.core import i18n
from desktop_app.core.errors import InteractionReason, LanyardError, interaction_needed
from desktop_app.core.i18n import _
from desktop_app.graph.errors import graph_error
from desktop_app.headless_advice import (
    RETRIES_ITSELF,
    RETRY_ADVICE,
    SIGN_IN_ADVICE,
    headless_advice,
    terminal_words,
)
from desktop_app.session import errors as session_errors

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


# -- the advice is known by its identity, not by its words in the language shown -------------


@pytest.fixture
def english_after() -> Iterator[None]:
    yield
    i18n.install("en")


def test_each_window_advice_has_the_terminal_wording_the_patterns_give_in_english() -> None:
    """The tables say in English what the patterns said: nothing changed for English."""
    args = parse_args(["--sandbox", "token"])
    login = "lanyard --sandbox login"
    for window, terminal in SIGN_IN_ADVICE.items():
        assert terminal.format(command=login) == terminal_words(window, args)
    for window, terminal in RETRY_ADVICE.items():
        phrase = next(p for p in RETRIES_ITSELF if p in window)
        again = "Run the command again in a moment"
        assert terminal.format(again=again) == window.replace(phrase, again)


@pytest.mark.parametrize("language", ["de", "ar"])
def test_the_terminal_advice_in_german_and_arabic_names_the_login_command(
    language: str, english_after: None
) -> None:
    args = parse_args(["--sandbox", "--profile-dir", "/x y", "whoami"])
    i18n.install(language)  # after the command line, whose parsing installs its own
    login = "lanyard --sandbox --profile-dir '/x y' login"
    for window, terminal in SIGN_IN_ADVICE.items():
        shown = LanyardError("x", _(window))
        assert _(window) != window  # the window's advice is translated ...
        advice = headless_advice(shown, args)
        assert advice == _(terminal).format(command=login)  # ... and so is the terminal's
        assert f"`{login}`" in advice and advice != _(window)
    # a real error of the session, as the window words it
    expired = headless_advice(session_errors.sign_in_needed(), args)
    assert f"`{login}`" in expired
    assert expired != session_errors.sign_in_needed().recommendation


@pytest.mark.parametrize("language", ["de", "ar"])
def test_a_retry_is_the_command_run_again_in_german_and_arabic(
    language: str, english_after: None
) -> None:
    i18n.install(language)
    throttled = graph_error(429, {"Retry-After": "120"}, None, "Reading your profile")
    advice = headless_advice(throttled)
    assert advice == _("{again}.").format(
        again=_("Run the command again in {seconds} s (the server's Retry-After)").format(
            seconds=i18n.number(120)
        )
    )
    assert throttled.recommendation not in advice  # not "Lanyard waits as asked ..."
    assert i18n.number(120) == ("١٢٠" if language == "ar" else "120")
    slow = LanyardError("x", _("Check your connection. Lanyard tries again shortly."))
    assert headless_advice(slow) == _("Check your connection. {again}.").format(
        again=_("Run the command again in a moment")
    )


@pytest.mark.parametrize("language", ["de", "ar"])
def test_consent_advice_in_german_and_arabic(language: str, english_after: None) -> None:
    args = parse_args(["--sandbox", "token", "--scopes", "api://x/Orders.Read"])
    i18n.install(language)
    advice = headless_advice(interaction_needed(InteractionReason.CONSENT), args)
    assert "`lanyard --sandbox login --scopes api://x/Orders.Read`" in advice
    assert _("Grant access") in advice and "Grant access" not in advice  # the window's label
