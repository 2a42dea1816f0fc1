"""The settings dialog, with real widgets: each field's problem is shown beside it and focused, a
valid save writes a file Lanyard reads back, overrides are shown as such, the keyboard works."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop_app.core.config import load_config
from desktop_app.ui.settings_dialog import SettingsDialog
from desktop_app.ui.settings_form import FIELDS

CLIENT = "0c5f8f1a-7e21-4c8e-b3a4-6c1d9e2f7a10"
CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return tmp_path / "config.toml"


def open_dialog(
    qtbot: QtBot, path: Path, env: dict[str, str] | None = None, **flags: str
) -> SettingsDialog:
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.load({"config": str(path), **flags}, env or {})
    dialog.show()
    return dialog


def read(path: Path) -> dict[str, object]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("client_id", "", "is needed"),
        ("client_id", "not-a-guid", "GUID"),
        ("tenant", "bad tenant/..", "tenant id"),
        ("authority", "http://login.example/t", "https://"),
        ("authority", "", "non-empty"),
        ("scopes", "openid User.Read", "openid"),
        ("proxy", "proxy.example:8080", "http://"),
        ("proxy", "http://proxy.example:port", "not a number"),
        ("ca_bundle", "/nonexistent/ca.pem", "no readable file"),
        ("ca_bundle", "{not_pem}", "PEM file"),
    ],
)
def test_each_field_names_its_problem_beside_it_and_keeps_the_dialog_open(
    qtbot: QtBot, config_path: Path, field: str, value: str, fragment: str
) -> None:
    config_path.write_text('tenant = "kept.example"\n', encoding="utf-8")
    dialog = open_dialog(qtbot, config_path)
    form = dialog.form
    if field != "client_id":
        form.client_id.setText(CLIENT)
    if field == "authority":
        form.cloud.setCurrentIndex(form.cloud.findData("custom"))
    editor = form.rows[field].editor
    assert isinstance(editor, QLineEdit)
    not_pem = config_path.with_name("key.der")
    not_pem.write_bytes(b"\x30\x82\x01\x0a")
    editor.setText(value.format(not_pem=not_pem))
    dialog.save_button.click()

    error = form.rows[field].error
    assert error.isVisibleTo(dialog)
    assert error.text().startswith(FIELDS[field][1])  # "Client ID must be ..."
    assert fragment in error.text()
    assert error.textFormat() is Qt.TextFormat.PlainText
    assert editor.accessibleDescription() == error.text()  # what a screen reader hears
    assert dialog.focusWidget() is editor
    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert read(config_path) == {"tenant": "kept.example"}  # nothing written
    others = [r.error for k, r in form.rows.items() if k != field]
    assert not any(label.isVisibleTo(dialog) for label in others)

    editor.setText(editor.text() + "x")  # typing clears the problem
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    assert not error.isVisibleTo(dialog)


def test_a_valid_save_writes_what_lanyard_reads_and_keeps_other_keys(
    qtbot: QtBot, config_path: Path, tmp_path: Path
) -> None:
    ca = tmp_path / "corp-ca.pem"
    ca.write_text(CA_PEM, encoding="utf-8")
    config_path.write_text(
        'authority = "https://login.example/old"\nallow_plaintext_cache = false\n'
        'graph_endpoint = "https://graph.microsoft.us/v1.0"\n',
        encoding="utf-8",
    )
    dialog = open_dialog(qtbot, config_path)
    form = dialog.form
    assert form.cloud.currentData() == "custom"  # the file's authority is shown as such
    assert form.authority.text() == "https://login.example/old"
    form.client_id.setText(f"  {CLIENT} ")
    form.cloud.setCurrentIndex(form.cloud.findData("usgov"))
    assert form.tenant.isVisibleTo(dialog)
    assert not form.authority.isVisibleTo(dialog)
    form.tenant.setText("contoso.onmicrosoft.us")
    form.scopes.setText("User.Read, api://orders/Orders.Read")
    form.proxy.setText("http://proxy.example:3128")
    form.choose_ca_file = lambda current: str(ca)  # type: ignore[method-assign]
    form.browse_button.click()
    assert form.ca_bundle.text() == str(ca)
    with qtbot.waitSignal(dialog.applied) as applied:
        dialog.save_button.click()

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert not dialog.isVisible()
    assert read(config_path) == {
        "allow_plaintext_cache": False,
        "graph_endpoint": "https://graph.microsoft.us/v1.0",
        "client_id": CLIENT,
        "scopes": ["User.Read", "api://orders/Orders.Read"],
        "proxy": "http://proxy.example:3128",
        "ca_bundle": str(ca),
        "cloud": "usgov",
        "tenant": "contoso.onmicrosoft.us",
    }
    config = load_config({"config": str(config_path)}, env={})
    assert applied.args[0] == config
    assert config.authority == "https://login.microsoftonline.us/contoso.onmicrosoft.us"
    assert config.scopes == ("https://graph.microsoft.us/User.Read", "api://orders/Orders.Read")
    assert config.proxy == "http://proxy.example:3128"
    assert config.ca_bundle == ca
    assert not config.allow_plaintext_cache


def test_custom_authority_replaces_cloud_and_tenant(qtbot: QtBot, config_path: Path) -> None:
    config_path.write_text('cloud = "china"\ntenant = "t.example"\n', encoding="utf-8")
    dialog = open_dialog(qtbot, config_path)
    form = dialog.form
    assert form.cloud.currentData() == "china"
    form.client_id.setText(CLIENT)
    form.cloud.setCurrentIndex(form.cloud.findData("custom"))
    assert not form.tenant.isVisibleTo(dialog)
    form.authority.setText("https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_signin")
    dialog.save_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = read(config_path)
    assert "cloud" not in saved
    assert saved["authority"] == (
        "https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_signin"
    )
    assert load_config({"config": str(config_path)}, env={}).authority == saved["authority"]


def test_overridden_fields_show_the_value_in_force_and_where_it_comes_from(
    qtbot: QtBot, config_path: Path
) -> None:
    config_path.write_text(
        'tenant = "file.example"\nproxy = "http://file-proxy.example:1"\n', encoding="utf-8"
    )
    env = {
        "LANYARD_TENANT": "env.example",
        "LANYARD_PROXY": "http://me:hunter2@env-proxy.example:8080",
    }
    dialog = open_dialog(qtbot, config_path, env, client_id=CLIENT)
    form = dialog.form
    for key, value, source in [
        ("tenant", "env.example", "Set by LANYARD_TENANT (an environment variable)"),
        ("proxy", "http://me:***@env-proxy.example:8080", "Set by LANYARD_PROXY"),
        ("client_id", CLIENT, "Set by --client-id"),
    ]:
        row = form.rows[key]
        assert isinstance(row.editor, QLineEdit)
        assert row.editor.text() == value
        # fixed, not a placeholder: read-only, in the text colour, no clear button
        assert row.editor.isReadOnly() and row.editor.isEnabled() and row.fixed
        assert not row.editor.isClearButtonEnabled()
        assert row.override.isVisibleTo(dialog)
        assert source in row.override.text()
        assert "wins over the settings file" in row.override.text()
    assert "hunter2" not in form.proxy.text()
    assert form.scopes.isEnabled() and not form.scopes.isReadOnly()
    assert form.scopes.isClearButtonEnabled()
    assert not form.rows["scopes"].override.isVisibleTo(dialog)
    assert dialog.focusWidget() is form.cloud  # the first field that can be changed

    form.scopes.setText("Mail.Read")
    dialog.save_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    # the file keeps its own values for what the flags and environment override
    assert read(config_path) == {
        "tenant": "file.example",
        "proxy": "http://file-proxy.example:1",
        "scopes": ["Mail.Read"],
    }


def test_a_bad_environment_value_is_shown_above_the_form(qtbot: QtBot, config_path: Path) -> None:
    dialog = open_dialog(qtbot, config_path, {"LANYARD_CLOUD": "mars"})
    dialog.form.client_id.setText(CLIENT)
    dialog.save_button.click()
    assert dialog.isVisible()
    assert dialog.form.problem.isVisibleTo(dialog)
    assert "LANYARD_CLOUD" in dialog.form.problem.text()
    assert not config_path.exists()


def test_an_unreadable_file_is_explained_and_replaced_on_save(
    qtbot: QtBot, config_path: Path
) -> None:
    config_path.write_text('client_id = "<b>unclosed', encoding="utf-8")
    dialog = open_dialog(qtbot, config_path)
    problem = dialog.form.problem
    assert problem.isVisibleTo(dialog)
    assert "not valid TOML" in problem.text()
    assert problem.textFormat() is Qt.TextFormat.PlainText
    dialog.form.client_id.setText(CLIENT)
    dialog.save_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert read(config_path) == {"client_id": CLIENT}
    kept = config_path.with_name("config.toml.invalid")
    assert kept.read_text(encoding="utf-8") == 'client_id = "<b>unclosed'


def test_enter_saves_and_escape_cancels(qtbot: QtBot, config_path: Path) -> None:
    dialog = open_dialog(qtbot, config_path)
    dialog.form.client_id.setText(CLIENT)
    qtbot.keyClick(dialog.form.client_id, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not dialog.isVisible()
    assert not config_path.exists()

    dialog = open_dialog(qtbot, config_path)
    dialog.form.client_id.setText(CLIENT)
    qtbot.keyClick(dialog.form.scopes, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert read(config_path) == {"client_id": CLIENT}


def test_every_control_is_named_labelled_and_reachable_by_keyboard(
    qtbot: QtBot, config_path: Path
) -> None:
    dialog = open_dialog(qtbot, config_path)
    controls = [
        w
        for w in dialog.findChildren(QWidget)
        if isinstance(w, QLineEdit | QComboBox | QPushButton) and w.isVisibleTo(dialog)
    ]
    assert len(controls) >= 9
    for control in controls:
        assert control.accessibleName(), f"{control!r} has no accessible name"

    labels = [label for label in dialog.findChildren(QLabel) if label.buddy() is not None]
    assert {label.buddy() for label in labels} == {r.editor for r in dialog.form.rows.values()}
    mnemonics = [
        QKeySequence.mnemonic(text).toString().lower()
        for text in [label.text() for label in labels]
        + [b.text() for b in dialog.findChildren(QPushButton) if "&" in b.text()]
    ]
    assert all(mnemonics), mnemonics
    assert len(mnemonics) == len(set(mnemonics)), f"mnemonics clash: {mnemonics}"
    for label in dialog.findChildren(QLabel):  # every text not written here is plain text
        if label.buddy() is None:
            assert label.textFormat() is Qt.TextFormat.PlainText, label.text()

    # Tab walks the fields in reading order, then the buttons
    form = dialog.form
    expected = [
        form.client_id,
        form.cloud,
        form.tenant,
        form.scopes,
        form.proxy,
        form.ca_bundle,
        form.browse_button,
        form.broker,
        form.language,
        dialog.save_button,
        dialog.cancel_button,
    ]
    walked = [form.client_id]
    widget: QWidget = form.client_id
    for _ in range(len(expected) - 1):
        widget = widget.nextInFocusChain()
        while not (widget.isVisibleTo(dialog) and widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
            widget = widget.nextInFocusChain()
        walked.append(widget)
    assert walked == expected


def test_scopes_are_read_like_the_config_file_reads_them(qtbot: QtBot, config_path: Path) -> None:
    dialog = open_dialog(qtbot, config_path)
    form = dialog.form
    form.scopes.setText(" User.Read,, Mail.Read\tUser.Read ")
    assert form.changes()["scopes"] == ["User.Read", "Mail.Read"]  # each once, as loaded
    form.scopes.setText(" , ")
    assert form.changes()["scopes"] is None  # no scopes: the key is removed (the default)


def test_the_broker_field_saves_auto_and_off_removes_it(qtbot: QtBot, config_path: Path) -> None:
    """Issue 21 part 2: the sign-in broker in the form; off is the default, so it leaves no key
    in the file; the hint names this computer's broker and the redirect URI it needs."""
    config_path.write_text(f'client_id = "{CLIENT}"\nbroker = "auto"\n', encoding="utf-8")
    dialog = open_dialog(qtbot, config_path)
    form = dialog.form
    assert form.broker.currentData() == "auto"
    assert form.broker.accessibleName() == "Sign-in broker"
    hint = form.rows["broker"].hint.text()
    assert "Microsoft identity broker for Linux" in hint  # this machine: Linux, not WSL
    assert "https://login.microsoftonline.com/common/oauth2/nativeclient" in hint
    form.broker.setCurrentIndex(form.broker.findData("off"))
    assert form.save() is not None
    assert "broker" not in read(config_path)
    form.broker.setCurrentIndex(form.broker.findData("auto"))
    config = form.save()
    assert config is not None and config.broker == "auto"
    assert read(config_path)["broker"] == "auto"
    assert load_config({"config": str(config_path)}, env={}).broker == "auto"


def test_a_broker_set_by_the_environment_is_shown_fixed(qtbot: QtBot, config_path: Path) -> None:
    config_path.write_text(f'client_id = "{CLIENT}"\n', encoding="utf-8")
    dialog = open_dialog(qtbot, config_path, env={"LANYARD_BROKER": "auto"})
    form = dialog.form
    assert form.broker.currentData() == "auto"
    assert not form.broker.isEnabled()
    assert "LANYARD_BROKER (an environment variable)" in form.rows["broker"].override.text()
    assert form.save() is not None
    assert "broker" not in read(config_path)  # the file keeps its own (none)


def test_the_language_field_offers_the_system_and_each_language_in_its_own_name(
    qtbot: QtBot, config_path: Path
) -> None:
    """Issue 21 part 3: the language in File → Settings…; System default leaves no key, a
    language is written as its code and is what the next start uses."""
    config_path.write_text(f'client_id = "{CLIENT}"\n', encoding="utf-8")
    dialog = open_dialog(qtbot, config_path)
    form = dialog.form
    items = [(form.language.itemText(i), form.language.itemData(i)) for i in range(4)]
    assert form.language.count() == 4
    assert items == [
        ("System default", "system"),
        ("English", "en"),
        ("Deutsch", "de"),
        ("العربية", "ar"),
    ]
    assert form.language.currentData() == "system"
    assert form.language.accessibleName() == "Language"
    assert form.rows["language"].label.buddy() is form.language
    assert "next" in form.rows["language"].hint.text()  # says when it shows
    form.language.setCurrentIndex(form.language.findData("ar"))
    config = form.save()
    assert config is not None and config.language == "ar"
    assert read(config_path)["language"] == "ar"
    assert load_config({"config": str(config_path)}, env={}).language == "ar"
    again = open_dialog(qtbot, config_path)
    reopened = again.form
    assert reopened.language.currentData() == "ar"
    reopened.language.setCurrentIndex(reopened.language.findData("system"))
    assert reopened.save() is not None
    assert "language" not in read(config_path)


def test_a_language_set_by_the_environment_is_shown_fixed(qtbot: QtBot, config_path: Path) -> None:
    config_path.write_text(f'client_id = "{CLIENT}"\nlanguage = "de"\n', encoding="utf-8")
    dialog = open_dialog(qtbot, config_path, env={"LANYARD_LANGUAGE": "ar"})
    form = dialog.form
    assert form.language.currentData() == "ar"
    assert not form.language.isEnabled()
    assert "LANYARD_LANGUAGE (an environment variable)" in form.rows["language"].override.text()
    assert form.save() is not None
    assert read(config_path)["language"] == "de"  # the file keeps its own
