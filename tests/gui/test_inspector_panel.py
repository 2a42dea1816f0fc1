"""The Token inspector panel with a real window, session, msal and sandbox: the tokens Lanyard
holds are listed and verified (the check on the network pool), pasted ones read, changed ones
refused, and Refresh roles shows what changed in the ID token."""

from __future__ import annotations

import base64
import json
import threading
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from desktop_app.auth.token_inspect import Inspection
from desktop_app.auth.token_verify import (
    CANNOT_CHECK,
    NOT_VERIFIED,
    VERIFIED,
    KeyDirectory,
    SignatureCheck,
)
from desktop_app.sandbox import Sandbox, directory
from desktop_app.session.controller import SessionController
from desktop_app.ui.clipboard import clipboard_guard
from desktop_app.ui.inspector_panel import PASTED, InspectorPanel
from desktop_app.ui.main_window import MainWindow
from tests.support.sandbox_helpers import sandbox_config
from tests.support.window_driver import TIMEOUT_MS, sign_in


@pytest.fixture
def inspector(qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window):  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.READER_UPN)
    window, session = open_window(sandbox_config(sandbox, tmp_path))
    sign_in(qtbot, window, session)
    assert window.tabs.select_panel("inspector")
    panel = window.tabs.inspector_panel
    qtbot.waitUntil(lambda: panel.source.count() >= 2, timeout=TIMEOUT_MS)
    return window, session, panel


def _outcome(qtbot: QtBot, panel: InspectorPanel, expected: str) -> None:
    qtbot.waitUntil(lambda: panel.signature.property("outcome") == expected, timeout=TIMEOUT_MS)


def _labels(panel: InspectorPanel) -> list[str]:
    return [panel.source.itemText(i) for i in range(panel.source.count())]


def test_the_id_token_and_the_access_token_lanyard_holds_verify(
    qtbot: QtBot,
    inspector: tuple[MainWindow, SessionController, InspectorPanel],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _window, _session, panel = inspector
    threads: list[str] = []
    real_check = KeyDirectory.check

    def check(self: KeyDirectory, inspection: Inspection) -> SignatureCheck:
        threads.append(threading.current_thread().name)
        return real_check(self, inspection)

    monkeypatch.setattr(KeyDirectory, "check", check)
    labels = _labels(panel)
    assert labels[0] == "ID token" and labels[-1] == PASTED
    assert any(label.startswith("Access token: Microsoft Graph (User.Read") for label in labels)
    panel.source.setCurrentIndex(0)
    _outcome(qtbot, panel, VERIFIED)
    assert panel.summary.text().startswith("An ID token")
    assert panel.signature.text().startswith("Signature verified")
    assert panel.claim_value("preferred_username") == directory.READER_UPN
    assert panel.claim_value("alg", header=True) == "RS256"
    assert '"preferred_username"' in panel.raw.toPlainText()
    assert panel.parts.toPlainText().count(".") == 2
    access = next(i for i, label in enumerate(labels) if label.startswith("Access token"))
    panel.source.setCurrentIndex(access)
    _outcome(qtbot, panel, VERIFIED)
    assert "Microsoft: access tokens are meant for the API" in panel.notes.text()
    # the ID token and the access token just compared
    assert "from the token shown before (ID token)" in panel.diff_note.text()
    assert panel.diff_table.rowCount() > 0
    assert threads, "no signature was checked"
    assert threading.main_thread().name not in threads  # on the network pool, never the GUI's


def test_pasted_tokens_tampered_foreign_and_opaque(
    qtbot: QtBot, inspector: tuple[MainWindow, SessionController, InspectorPanel]
) -> None:
    _window, session, panel = inspector
    token = session.access_token()
    assert token
    head, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    panel.inspect_text(f'"Bearer {token}"\n')
    _outcome(qtbot, panel, VERIFIED)
    claims["scp"] = "Directory.ReadWrite.All"
    changed = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    panel.inspect_text(f"{head}.{changed}.{signature}")
    _outcome(qtbot, panel, NOT_VERIFIED)
    assert "changed after it was signed" in panel.signature.text()
    assert panel.claim_value("scp") == "Directory.ReadWrite.All"
    # the diff against the genuine token shows the scope that was changed
    rows = {panel.cell(panel.diff_table, r, 0): r for r in range(panel.diff_table.rowCount())}  # type: ignore[union-attr]
    assert panel.diff_table.item(rows["scp"], 1).text() == "changed"  # type: ignore[union-attr]
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    foreign = {"iss": "https://login.other-tenant.invalid/x/v2.0", "sub": "s", "exp": 2**31}
    panel.inspect_text(jwt.encode(foreign, key, algorithm="RS256", headers={"kid": "k"}))
    _outcome(qtbot, panel, CANNOT_CHECK)
    assert "cannot reach login.other-tenant.invalid" in panel.signature.text()
    panel.inspect_text("EwBwA8l6BAAUO9chh8cJscQLmU+LSWpbnr0vmwwAAQ")
    _outcome(qtbot, panel, CANNOT_CHECK)
    assert panel.summary.text().startswith("Not a JWT")
    assert panel.payload_table.rowCount() == 0
    panel.inspect_text("\u202eevil.\u0000." + "x" * 300_000)
    assert "characters long" in panel.summary.text()


def test_copies_claims_plainly_and_the_token_as_a_secret(
    qtbot: QtBot, inspector: tuple[MainWindow, SessionController, InspectorPanel]
) -> None:
    _window, _session, panel = inspector
    panel.source.setCurrentIndex(0)
    panel.views.setCurrentIndex(0)
    row = next(
        r
        for r in range(panel.payload_table.rowCount())
        if panel.cell(panel.payload_table, r, 0) == "oid"  # type: ignore[union-attr]
    )
    panel.payload_table.selectRow(row)
    qtbot.mouseClick(panel.copy_claim_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == panel.claim_value("oid")
    assert not clipboard_guard().holds_secret()
    qtbot.mouseClick(panel.copy_token_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == panel.inspection.token
    assert clipboard_guard().holds_secret()
    clipboard_guard().clear_secret("test")


def test_refresh_roles_shows_the_changed_roles_claim(
    qtbot: QtBot,
    sandbox: Sandbox,
    inspector: tuple[MainWindow, SessionController, InspectorPanel],
) -> None:
    window, _session, panel = inspector
    panel.source.setCurrentIndex(0)
    _outcome(qtbot, panel, VERIFIED)
    before = panel.inspection.token
    try:
        sandbox.assign_roles(directory.READER_UPN, ["Reader", "Admin"])
        qtbot.mouseClick(window.roles_panel.refresh_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: panel.inspection.token != before, timeout=TIMEOUT_MS)
        assert panel.source.currentText() == "ID token"
        changes = {
            panel.cell(panel.diff_table, r, 0): (  # type: ignore[union-attr]
                panel.cell(panel.diff_table, r, 1),  # type: ignore[union-attr]
                panel.cell(panel.diff_table, r, 3),  # type: ignore[union-attr]
            )
            for r in range(panel.diff_table.rowCount())
        }
        assert changes["roles"] == ("changed", '["Reader", "Admin"]')
        assert "from the token shown before (ID token)" in panel.diff_note.text()
        _outcome(qtbot, panel, VERIFIED)
    finally:
        sandbox.assign_roles(directory.READER_UPN, ["Reader"])
