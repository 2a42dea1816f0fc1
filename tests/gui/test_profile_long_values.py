"""A huge profile value (issue 19, item 6: a 5 MB /me): the Profile panel shows its start, "…"
and how long it is, so Qt lays out a few lines, not 4,096 characters per label; Copy copies
the whole value, and an ordinary value is shown and copied as it is. Real widgets, offscreen."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from desktop_app.graph.profile import MAX_FIELD_CHARS, Profile
from desktop_app.ui.profile_panel import SHOWN_CHARS, ProfilePanel


def test_a_huge_value_is_cut_on_screen_and_copied_whole(qtbot: QtBot) -> None:
    panel = ProfilePanel()
    qtbot.addWidget(panel)
    panel.resize(880, 600)
    panel.show()
    title = "lorem ipsum " * 100_000  # 1.2 MB: Graph's value, cut by Profile to 4,096
    profile = Profile.from_graph({"jobTitle": title, "displayName": "Megan Bowen"})
    panel.show_profile(profile)
    whole = profile.jobTitle
    assert len(whole) == MAX_FIELD_CHARS + 1  # (4,096 and the "…" the graph layer adds)

    label = panel.values["jobTitle"]
    first_line, hint = label.text().split("\n")
    assert first_line == whole[:SHOWN_CHARS] + "…"
    assert hint == f"({len(whole):,} characters; Copy copies all)"
    assert panel.value_text("jobTitle") == whole
    assert panel.shown_text("jobTitle") == label.text()
    panel.grab()  # laid out and drawn at its cut length

    panel.copy_buttons["jobTitle"].click()
    assert QGuiApplication.clipboard().text() == whole

    # an ordinary value: shown and copied as it is, no hint
    assert panel.shown_text("displayName") == panel.value_text("displayName") == "Megan Bowen"
    panel.copy_buttons["displayName"].click()
    assert QGuiApplication.clipboard().text() == "Megan Bowen"

    # the next profile's short value replaces the long one entirely (nothing kept from before)
    panel.show_profile(Profile.from_graph({"jobTitle": "Identity Administrator"}))
    assert panel.shown_text("jobTitle") == panel.value_text("jobTitle") == "Identity Administrator"
    panel.copy_buttons["jobTitle"].click()
    assert QGuiApplication.clipboard().text() == "Identity Administrator"


def test_a_value_at_the_cut_is_shown_whole(qtbot: QtBot) -> None:
    panel = ProfilePanel()
    qtbot.addWidget(panel)
    exact = "x" * SHOWN_CHARS
    panel.show_profile(Profile.from_graph({"officeLocation": exact}))
    assert panel.shown_text("officeLocation") == exact == panel.value_text("officeLocation")
    panel.show_profile(None)
    assert panel.value_text("officeLocation") == "" == panel.shown_text("officeLocation")
