"""Hostile profiles and claims in the panels that render them: no exception, plain text only
(every label is PlainText and shows the text itself), bounded time (hypothesis deadlines).

PANELS lists (name, render): a new panel that shows profiles or claims is one more line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from desktop_app.auth.claims import IdTokenClaims
from desktop_app.auth.models import Identity
from desktop_app.core.text import shown
from desktop_app.graph.profile import PROFILE_FIELDS, Profile
from desktop_app.ui.admin_panel import AdminPanel
from desktop_app.ui.avatar import Avatar
from desktop_app.ui.header import AccountHeader
from desktop_app.ui.profile_panel import ProfilePanel
from desktop_app.ui.role_summary import CHIP_CHARS
from desktop_app.ui.roles_model import RAW_ROLE, ROW_CHARS
from desktop_app.ui.roles_panel import RolesPanel
from desktop_app.ui.token_panel import TokenPanel
from tests.support import figures
from tests.support.hostile import field_values, hostile_text

Render = Callable[[Identity, Profile], QWidget]


def _profile_panel(identity: Identity, profile: Profile) -> QWidget:
    panel = ProfilePanel()
    panel.show_profile(profile)
    for name, _ in PROFILE_FIELDS:
        sent = profile.wrong_type(name)
        value = profile.display_value(name)
        # a value of the wrong type is said, never silently empty
        expected = value or (f"Not shown: Microsoft Graph sent {sent}, not text" if sent else "")
        assert panel.value_text(name) == expected
    return panel


def _roles_panel(identity: Identity, profile: Profile) -> QWidget:
    panel = RolesPanel()
    panel.show_identity(identity)
    if identity.trusted:
        roles = identity.claims.roles
        assert panel.proxy.rowCount() == len(roles)  # every role a row, each as shown()
        assert [panel.proxy.index(r, 0).data() for r in range(len(roles))] == [
            shown(role, one_line=True, limit=ROW_CHARS) for role in roles
        ]
        assert [panel.proxy.index(r, 0).data(RAW_ROLE) for r in range(len(roles))] == list(roles)
    return panel


def _header(identity: Identity, profile: Profile) -> QWidget:
    header = AccountHeader()
    header.show_identity(identity, "Sandbox")
    claims = identity.claims
    assert header.name.text() == (claims.name or claims.username)
    header.show_profile(profile)
    if profile.displayName:
        assert header.name.text() == profile.displayName
    assert header.job_title.text() == profile.jobTitle
    roles = claims.roles if identity.trusted else ()
    chips = header.role_summary.visible_chips()
    assert chips == [shown(r, one_line=True, limit=CHIP_CHARS) for r in roles[: len(chips)]]
    return header


def _token_panel(identity: Identity, profile: Profile) -> QWidget:
    panel = TokenPanel(lambda: None)
    panel.show_identity(identity)
    assert len(panel.claim_names()) == len(identity.claims.raw)  # every claim, one row each
    return panel


def _admin_panel(identity: Identity, profile: Profile) -> QWidget:
    panel = AdminPanel(lambda deliver: deliver([]))
    panel.show_identity(identity)
    panel.show()  # (the claims are laid out when the view is shown)
    assert panel.raw.toPlainText().startswith("{")
    return panel


# (name, render): each builds its widget, shows the identity and profile, checks the text it shows
PANELS: list[tuple[str, Render]] = [
    ("profile panel", _profile_panel),
    ("roles panel", _roles_panel),
    ("header", _header),
    ("token & claims panel", _token_panel),
    ("admin view", _admin_panel),
]

_tried = [0]

claims_payloads = st.fixed_dictionaries(
    {
        "aud": st.just("client"),
        "iss": st.just("https://login.example/tid/v2.0"),
        "tid": st.just("tid"),
        "exp": st.just(4_102_444_800),
    },
    optional={
        "name": field_values,
        "preferred_username": field_values,
        "email": field_values,
        "roles": st.one_of(st.lists(hostile_text, max_size=12), field_values),
    },
)
profiles = st.dictionaries(
    st.sampled_from([name for name, _ in PROFILE_FIELDS]),
    st.one_of(field_values, st.lists(field_values, max_size=3)),
)


def _plain_text_only(widget: QWidget) -> None:
    labels = widget.findChildren(QLabel)
    assert labels
    for label in labels:
        if isinstance(label, Avatar):
            assert label.text() == ""  # a picture: the initials are painted, never markup
            continue
        assert label.textFormat() is Qt.TextFormat.PlainText, (label.objectName(), label.text())


def _show(widget: QWidget) -> None:
    """Lay the text out and paint it, as the window would."""
    widget.resize(820, 400)
    widget.adjustSize()
    widget.grab()
    widget.deleteLater()
    QApplication.processEvents()


@settings(
    max_examples=120,
    deadline=10_000,  # a megabyte of text laid out and painted on a loaded machine
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(claims_payloads, profiles, st.booleans())
def test_panels_render_any_claims_and_profile_as_plain_text(
    qapp: Any, payload: dict[str, Any], data: dict[str, Any], trusted: bool
) -> None:
    _tried[0] += 1
    figures.record("hostile panels (window)", f"{_tried[0]} examples tried x {len(PANELS)} panels")
    identity = Identity(IdTokenClaims(payload), () if trusted else ("the token has expired (exp)",))
    profile = Profile.from_graph(data)
    for _name, render in PANELS:
        widget = render(identity, profile)
        _plain_text_only(widget)
        _show(widget)


def test_markup_is_shown_as_written_not_interpreted(qapp: Any) -> None:
    """A check that fails if a label interprets markup: rich text '<b>x</b>' is one short word."""
    profile = Profile.from_graph({"displayName": "<b>x</b>", "jobTitle": "<b>x</b>"})
    identity = Identity(IdTokenClaims({"name": "<b>x</b>", "roles": ["<b>x</b>"]}))
    for name, render in PANELS:
        widget = render(identity, profile)
        if isinstance(widget, TokenPanel):  # claims in table items: plain text by construction
            assert widget.claim_value("name") == "<b>x</b>"
            continue
        if isinstance(widget, RolesPanel):  # rows of a list view: its delegate draws plain text
            index = widget.proxy.index(0, 0)
            assert index.data() == "<b>x</b>"
            width = widget.list.fontMetrics().horizontalAdvance("<b>x</b>")
            assert widget.list.sizeHintForIndex(index).width() >= width  # all eight drawn
            continue
        if isinstance(widget, AdminPanel):  # raw JSON in a QPlainTextEdit
            assert '"name": "<b>x</b>"' in widget.raw.toPlainText()
            continue
        shown = [label for label in widget.findChildren(QLabel) if label.text() == "<b>x</b>"]
        assert shown, name
        for label in shown:
            width = label.fontMetrics().horizontalAdvance("<b>x</b>")
            assert label.sizeHint().width() >= width, name  # all eight characters are drawn
        widget.deleteLater()
