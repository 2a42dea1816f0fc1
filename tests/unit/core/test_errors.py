"""core/errors.py: Retry-After, in seconds or as a date; LanyardError as Python handles exceptions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop_app.core import errors
from desktop_app.core.errors import ErrorKind, LanyardError, retry_after_seconds


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("30", 30.0), ("0", 0.0), ("", None), ("soon", None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)
def test_retry_after(value: str, seconds: float | None) -> None:
    assert retry_after_seconds(value) == seconds


def test_retry_after_as_a_date() -> None:
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:30 GMT", now=1445412480.0) == 30.0


def test_set_up_and_account_errors_of_the_entry_points() -> None:
    not_set_up = errors.not_set_up()
    assert not_set_up.message == "Lanyard is not set up for your organisation yet."
    assert not_set_up.recommendation == (
        "Set client_id (and tenant) in the config file, or start with --sandbox to try it."
    )
    assert not_set_up.kind is ErrorKind.CONFIG
    described = errors.no_sandbox_description(KeyError("ca_file"))
    assert described.message == (
        "Setting 'sandbox_info' (--sandbox-info) names no sandbox description ('ca_file')."
    )
    assert described.recommendation == (
        "Give the file the JSON line 'python -m desktop_app.sandbox' printed."
    )
    assert (described.kind, described.details) == (ErrorKind.CONFIG, {"field": "sandbox_info"})
    nobody = errors.nobody_signed_in()
    assert nobody.message == "Nobody is signed in to Lanyard on this computer."
    assert (nobody.recommendation, nobody.kind) == ("", ErrorKind.INTERACTION_REQUIRED)
    other = errors.no_such_account("carol", ["alice@contoso.test", "bob@contoso.test"])
    assert other.message == (
        "No signed-in account is called 'carol' (signed in: alice@contoso.test, bob@contoso.test)."
    )
    assert other.recommendation == "Give --account one of those, or sign in as that account."
    # not "a setting is wrong": the terminal commands give it an exit status of its own
    assert isinstance(other, errors.NoSuchAccount)
    assert other.kind is ErrorKind.INTERACTION_REQUIRED


def test_a_lanyard_error_passes_through_a_context_manager_as_itself() -> None:
    """contextlib sets __traceback__ on an exception its generator re-raises; a frozen dataclass
    refused that, and the person got a FrozenInstanceError instead of the words."""
    import dataclasses
    from contextlib import contextmanager

    @contextmanager
    def re_raising() -> Iterator[None]:
        try:
            yield
        except LanyardError:
            raise

    error = LanyardError("Sign-in timed out", "Try again.", ErrorKind.NETWORK)
    with pytest.raises(LanyardError) as caught, re_raising():
        raise error
    assert caught.value is error
    error.add_note("seen by a test")  # what pytest and Python 3.11+ do
    assert error.__notes__ == ["seen by a test"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        error.message = "changed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        error.anything_else = 1  # type: ignore[attr-defined]
