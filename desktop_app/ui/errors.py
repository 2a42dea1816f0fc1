"""The window's own failures in words (the single-instance check, single_instance.py)."""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.core.i18n import N_, _

_ALONE = N_("This window runs on its own: opening Lanyard again opens another window")


def instance_of_another_user(uid: int) -> LanyardError:
    """What answers at Lanyard's single-instance socket is another user's program (-1: one
    whose owner could not be told)."""
    who = (
        _("another user of this computer (user id {uid})").format(uid=uid)
        if uid >= 0
        else _("a program")
    )
    return LanyardError(
        _(
            "Lanyard found a program of {who} where its running window should answer, and did not hand anything to it. {ALONE}."
        ).format(who=who, ALONE=_(_ALONE)),
        _(
            "If this keeps happening, someone on this computer may be interfering with Lanyard: "
            "tell your administrator."
        ),
        ErrorKind.CONFIG,
        {"sender": str(uid) if uid >= 0 else "unknown"},
    )


def no_private_folder(folder: Path, why: str) -> LanyardError:
    """No folder only this user can reach for the single-instance socket."""
    return LanyardError(
        _(
            "Lanyard could not use {folder} to find its running window: the folder {why}. {ALONE}."
        ).format(folder=folder, why=why, ALONE=_(_ALONE)),
        _(
            "If you did not create that folder, someone on this computer may have made it to "
            "interfere with Lanyard: tell your administrator. Otherwise remove it, or set "
            "XDG_RUNTIME_DIR to a folder only you can open."
        ),
        ErrorKind.CONFIG,
        {"folder": str(folder)},
    )
