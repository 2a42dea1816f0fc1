"""StatusLine: the status bar's lines (the session's state, the next refresh or retry, how
sign-in goes when the sign-in broker setting is on, where the token cache is kept) and what they
say. Lanyard's words, plus an OS error quoted in
the protection line: every line is an ElidedLabel (plain text, cut with "…" in a narrow window).
"""

from __future__ import annotations

import time

from PySide6.QtWidgets import QSizePolicy, QStatusBar

from desktop_app.auth.broker import SignInPath
from desktop_app.core.i18n import N_, _
from desktop_app.session.state import Schedule, State
from desktop_app.ui.accessibility import announce
from desktop_app.ui.on_screen_timer import OnScreenTimer
from desktop_app.ui.translation import local_time
from desktop_app.ui.widgets import ElidedLabel

_NOT_SAVED_TIP = N_(
    "Your sign-in is kept in memory until the store works again; Lanyard saves it then by "
    "itself. The banner says what to do."
)
_ENCRYPTED_TIP = N_("Your saved sign-in is protected by the operating system.")
_PLAINTEXT_TIP = N_(
    "No OS secret store was usable (the reason is in brackets), so the sign-in is saved in a "
    "file only your user account can read, or not at all. To encrypt it, run and unlock your "
    "desktop's keyring (on Linux: gnome-keyring, with Lanyard installed with its 'secret' "
    "extra), then restart Lanyard. Set allow_plaintext_cache = false to never save tokens "
    "unencrypted."
)

_BROKER_TIP = N_(
    "Signing in goes through your operating system's sign-in broker, which can prove to your "
    "organisation that this is a managed device."
)
_NO_BROKER_TIP = N_(
    "The sign-in broker setting is on, but no broker works here (the reason is in brackets): "
    "Lanyard signs you in through the system browser. Sign-ins a Conditional Access policy "
    "allows only from a managed device need the broker."
)


class SpokenLine(ElidedLabel):
    """A status line whose changes a screen reader says (politely: after what it is reading),
    as a sighted person notices the status bar change without looking for it. A routine
    refresh is not said: "Refreshing…" and the return to the state said before stay quiet."""

    QUIET = frozenset({State.REFRESHING.value})
    _said = ""  # the last line said (a class default: ElidedLabel sets its text as it is built)

    def setText(self, text: str) -> None:
        super().setText(text)
        if self.text() != self._said and self.text() not in self.QUIET:
            self._said = self.text()
            announce(self, self.text())


class StatusLine:
    def __init__(self, bar: QStatusBar) -> None:
        self.state_label = SpokenLine(_("Starting…"), bar)
        self.schedule_label = ElidedLabel("", bar)
        self.protection_label = ElidedLabel("", bar)
        self.sign_in_label = ElidedLabel("", bar)  # shown when the broker setting is on
        self.sign_in_label.hide()
        # the next refresh's time is short and the line worth keeping whole: the others give way
        self.schedule_label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        bar.addWidget(self.state_label, 1)
        bar.addPermanentWidget(self.schedule_label)
        bar.addPermanentWidget(self.sign_in_label)
        bar.addPermanentWidget(self.protection_label)
        self._schedule: Schedule | None = None
        # "Trying again in 12 s" counts down, while the window is on screen
        self.countdown = OnScreenTimer(self.schedule_label, 1000, self._show_schedule)
        self._protection: tuple[str, bool] = ("", False)
        self.not_saved = ""  # why the token cache cannot be saved now (a cache notice said so)
        # the bar's passing messages ("Copied", "Clipboard cleared") are said too
        bar.messageChanged.connect(lambda message: announce(bar, message))

    def show_schedule(self, schedule: Schedule | None) -> None:
        self._schedule = schedule
        if schedule is not None and schedule.retry:
            self.countdown.start()
        else:
            self.countdown.stop()
        self._show_schedule()

    def _show_schedule(self) -> None:
        schedule = self._schedule
        if schedule is None:
            self.schedule_label.setText("")
        elif schedule.retry:
            seconds = max(0, round(schedule.at - time.time()))
            self.schedule_label.setText(_("Trying again in {seconds} s").format(seconds=seconds))
        else:
            clock = local_time(schedule.at, "HH:mm")
            self.schedule_label.setText(_("Next refresh at {clock}").format(clock=clock))

    def show_protection(self, protection: str, encrypted: bool) -> None:
        self._protection = (_(protection), encrypted)  # a store's own words, marked N_
        self._show_protection()

    def show_sign_in_path(self, path: SignInPath) -> None:
        """Which way an interactive sign-in goes, when the broker setting asks for the broker
        (with it off, it is always the browser, and the bar has no room to spare)."""
        label = self.sign_in_label
        label.setVisible(path.requested)
        label.setText(path.summary if path.broker is not None else f"⚠ {path.summary}")
        label.setToolTip(
            _(_BROKER_TIP)
            if path.broker is not None
            else _(_NO_BROKER_TIP)
            if path.requested
            else ""
        )

    def set_not_saved(self, why: str) -> None:
        """``why`` the store takes nothing now ("" once it saves again)."""
        self.not_saved = why
        self._show_protection()

    def _show_protection(self) -> None:
        protection, encrypted = self._protection
        if not protection:
            return
        label = self.protection_label
        if self.not_saved:  # the store is what it says, but it takes nothing now
            label.setText(
                _("⚠ Token cache: {protection} — not saved now: {not_saved}").format(
                    protection=protection, not_saved=self.not_saved
                )
            )
            label.setToolTip(_(_NOT_SAVED_TIP))
            return
        label.setText(
            _("Token cache: {protection}").format(protection=protection)
            if encrypted
            else _("⚠ Token cache: {protection}").format(protection=protection)
        )
        label.setToolTip(_(_ENCRYPTED_TIP) if encrypted else _(_PLAINTEXT_TIP))
