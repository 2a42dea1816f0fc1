"""Managed policy in the window, with real widgets: a locked setting read-only in the settings
form, "Set by your organisation", never written to the user's file; a policy default as its
field's placeholder; the About box naming what policy sets; a damaged policy in the start
banner (the real window path in a child process, tests/support/app_probe.py)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from desktop_app.core.config import load_config
from desktop_app.ui.about import AboutDialog
from desktop_app.ui.settings_dialog import SettingsDialog
from desktop_app.ui.settings_form import CUSTOM, LOCKED_NOTE
from tests.support.policy import use_policy
from tests.support.run_app_probe import probe

CLIENT = "11111111-2222-3333-4444-555555555555"
OWN = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


@pytest.fixture
def policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "policy.toml"
    use_policy(monkeypatch, path)
    return path


def open_dialog(qtbot: QtBot, config: Path) -> SettingsDialog:
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.load({"config": str(config)}, {})
    dialog.show()
    return dialog


def test_a_locked_setting_is_read_only_and_never_saved(
    qtbot: QtBot, tmp_path: Path, policy: Path
) -> None:
    policy.write_text(
        f'[locked]\nclient_id = "{CLIENT}"\nproxy = "http://ops:s3cret@proxy.contoso.com:8080"\n'
    )
    config = tmp_path / "config.toml"
    config.write_text(f'client_id = "{OWN}"\n')
    dialog = open_dialog(qtbot, config)
    form = dialog.form
    row = form.rows["client_id"]
    assert form.client_id.text() == CLIENT  # the value in force, not the file's
    assert form.client_id.isReadOnly()
    assert row.override.isVisibleTo(dialog)
    assert row.override.text() == LOCKED_NOTE
    assert f"{policy} [locked] client_id" in row.override.toolTip()
    assert f"{policy} [locked] client_id" in form.client_id.toolTip()
    assert form.proxy.isReadOnly()
    assert form.proxy.text() == "http://ops:***@proxy.contoso.com:8080"  # no password shown
    assert form.tenant.isReadOnly() is False
    assert dialog.focusWidget() is not form.client_id  # the first field one can change
    form.tenant.setText("contoso.com")
    dialog.save_button.click()
    assert not dialog.isVisible()
    written = tomllib.loads(config.read_text())
    # the user's own value is kept as it was; the locked ones are not written
    assert written == {"client_id": OWN, "tenant": "contoso.com"}
    in_force = load_config({"config": str(config)}, {})
    assert in_force.client_id == CLIENT
    assert in_force.proxy == "http://ops:s3cret@proxy.contoso.com:8080"


def test_a_locked_tenant_leaves_no_custom_authority_to_choose(
    qtbot: QtBot, tmp_path: Path, policy: Path
) -> None:
    policy.write_text('[locked]\ntenant = "contoso.com"\n')
    config = tmp_path / "config.toml"
    config.write_text(f'client_id = "{OWN}"\nauthority = "https://login.example.com/other"\n')
    dialog = open_dialog(qtbot, config)
    form = dialog.form
    assert form.cloud.currentData() == "global"  # the file's authority is not in force
    assert form.tenant.text() == "contoso.com"
    assert form.tenant.isReadOnly()
    model = form.cloud.model()
    assert isinstance(model, QStandardItemModel)
    custom = model.item(form.cloud.findData(CUSTOM))
    assert custom is not None and not custom.isEnabled()
    assert form.cloud.isEnabled()  # the cloud is not locked


def test_a_locked_authority_fixes_the_cloud_choice(
    qtbot: QtBot, tmp_path: Path, policy: Path
) -> None:
    policy.write_text('[locked]\nauthority = "https://login.contoso.com/tenant-a"\n')
    dialog = open_dialog(qtbot, tmp_path / "config.toml")
    form = dialog.form
    assert form.cloud.currentData() == CUSTOM
    assert not form.cloud.isEnabled()
    assert form.authority.text() == "https://login.contoso.com/tenant-a"
    assert form.authority.isReadOnly()
    assert form.rows["cloud"].override.text() == LOCKED_NOTE


def test_a_policy_default_is_the_placeholder_and_an_empty_field_keeps_it(
    qtbot: QtBot, tmp_path: Path, policy: Path
) -> None:
    policy.write_text(
        f'[defaults]\nclient_id = "{CLIENT}"\nscopes = ["Mail.Read", "User.Read"]\ncloud = "usgov"\n'
    )
    config = tmp_path / "config.toml"
    dialog = open_dialog(qtbot, config)
    form = dialog.form
    assert form.client_id.text() == ""
    assert form.client_id.placeholderText() == CLIENT
    assert form.scopes.placeholderText() == "Mail.Read User.Read"
    assert "your organisation's default" in form.scopes.toolTip().lower()
    assert form.cloud.currentData() == "usgov"
    assert not form.client_id.isReadOnly()
    dialog.save_button.click()
    assert not dialog.isVisible()
    assert tomllib.loads(config.read_text()) == {}  # nothing of the defaults copied in
    in_force = load_config({"config": str(config)}, {})
    assert (in_force.client_id, in_force.cloud.name) == (CLIENT, "usgov")
    # choosing the global cloud while the default is another one: written, or it would not hold
    dialog = open_dialog(qtbot, config)
    dialog.form.cloud.setCurrentIndex(dialog.form.cloud.findData("global"))
    dialog.save_button.click()
    assert tomllib.loads(config.read_text()) == {"cloud": "global"}


def test_a_policy_default_broker_is_the_choice_an_unset_field_means(
    qtbot: QtBot, tmp_path: Path, policy: Path
) -> None:
    policy.write_text(f'[defaults]\nclient_id = "{CLIENT}"\nbroker = "auto"\n')
    config = tmp_path / "config.toml"
    dialog = open_dialog(qtbot, config)
    assert dialog.form.broker.currentData() == "auto"
    assert dialog.form.broker.isEnabled()
    dialog.save_button.click()
    assert tomllib.loads(config.read_text()) == {}  # the default is not copied into the file
    assert load_config({"config": str(config)}, {}).broker == "auto"
    dialog = open_dialog(qtbot, config)  # turning it off against the default is written
    dialog.form.broker.setCurrentIndex(dialog.form.broker.findData("off"))
    dialog.save_button.click()
    assert tomllib.loads(config.read_text()) == {"broker": "off"}
    assert load_config({"config": str(config)}, {}).broker == "off"


def test_a_flag_for_a_locked_setting_is_refused_in_the_form(
    qtbot: QtBot, tmp_path: Path, policy: Path
) -> None:
    policy.write_text(f'[locked]\nclient_id = "{CLIENT}"\n')
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.load({"config": str(tmp_path / "c.toml"), "client_id": OWN}, {})
    dialog.show()
    assert dialog.form.client_id.text() == CLIENT
    dialog.save_button.click()
    assert dialog.isVisible()
    assert "organisation's policy" in dialog.form.problem.text()


def test_the_about_box_names_what_the_policy_sets(
    qtbot: QtBot, tmp_path: Path, policy: Path
) -> None:
    policy.write_text(f'[locked]\nclient_id = "{CLIENT}"\n[defaults]\ntenant = "contoso.com"\n')
    (tmp_path / "c.toml").write_text("")
    config = load_config({"config": str(tmp_path / "c.toml"), "scopes": "Mail.Read"}, {})
    about = AboutDialog(config=config)
    qtbot.addWidget(about)
    text = about.managed.text()
    assert f"client_id: {policy} [locked] client_id" in text
    assert f"tenant: {policy} [defaults] tenant" in text
    assert "scopes" not in text  # a flag's, not the policy's
    about.show_managed(load_config({"config": str(tmp_path / "c.toml"), "tenant": "x.com"}, {}))
    assert "tenant" not in about.managed.text()


def test_a_damaged_policy_is_said_in_the_start_banner(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(f'[locked]\nclient_id = "{CLIENT}"\nproxy = "ftp://x"\n')
    config = tmp_path / "config.toml"
    config.write_text("")
    shown = probe("banner", "--config", str(config), policy=policy)["value"]
    assert isinstance(shown, str)
    assert "Managed policy:" in shown
    assert f"Setting 'proxy' ({policy} [locked] proxy)" in shown
    broken = tmp_path / "broken.toml"
    broken.write_text("[locked\n")
    shown = probe("banner", "--config", str(config), policy=broken)["value"]
    assert isinstance(shown, str)
    assert f"{broken} is not valid TOML" in shown


def test_every_field_of_the_form_can_be_locked(qtbot: QtBot, tmp_path: Path, policy: Path) -> None:
    """Every field the form shows can be locked: none is left editable under a lock."""
    policy.write_text(
        "[locked]\n"
        + "".join(
            f'{key} = "{value}"\n'
            for key, value in {
                "client_id": CLIENT,
                "cloud": "usgov",
                "tenant": "contoso.com",
                "scopes": "User.Read",
                "proxy": "http://proxy.contoso.com:8080",
                "ca_bundle": "/etc/ssl/certs/ca-certificates.crt",
                "broker": "auto",
                "language": "de",
            }.items()
        )
    )
    dialog = open_dialog(qtbot, tmp_path / "config.toml")
    form = dialog.form
    for key, row in form.rows.items():
        if isinstance(row.editor, QLineEdit):
            assert row.editor.isReadOnly(), key
        else:
            assert not row.editor.isEnabled(), key
        assert row.fixed, key
    assert not form.browse_button.isEnabled()


def test_a_locked_settings_flag_is_refused_on_the_set_up_page(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(f'[locked]\nclient_id = "{CLIENT}"\n')
    config = tmp_path / "config.toml"
    config.write_text("")
    shown = probe("setup_problem", "--config", str(config), "--client-id", OWN, policy=policy)[
        "value"
    ]
    assert isinstance(shown, str)
    assert f"your organisation's policy sets it ({policy} [locked] client_id)" in shown


def test_a_locked_language_is_read_only_and_never_saved(
    qtbot: QtBot, tmp_path: Path, policy: Path
) -> None:
    policy.write_text(f'[locked]\nclient_id = "{CLIENT}"\nlanguage = "de"\n')
    config = tmp_path / "config.toml"
    config.write_text('language = "ar"\n')
    dialog = open_dialog(qtbot, config)
    form = dialog.form
    row = form.rows["language"]
    assert form.language.currentData() == "de"  # the policy's, not the file's
    assert not form.language.isEnabled() and row.fixed
    assert row.override.isVisibleTo(dialog)
    assert row.override.text() == LOCKED_NOTE
    assert f"{policy} [locked] language" in row.override.toolTip()
    dialog.save_button.click()
    assert not dialog.isVisible()
    assert tomllib.loads(config.read_text()) == {"language": "ar"}  # the user's own, kept
    assert load_config({"config": str(config)}, {}).language == "de"


def test_a_policy_default_language_is_what_system_default_gives_way_to(
    qtbot: QtBot, tmp_path: Path, policy: Path
) -> None:
    policy.write_text(f'[locked]\nclient_id = "{CLIENT}"\n[defaults]\nlanguage = "de"\n')
    config = tmp_path / "config.toml"
    dialog = open_dialog(qtbot, config)
    form = dialog.form
    assert form.language.currentData() == "de" and form.language.isEnabled()
    form.language.setCurrentIndex(form.language.findData("ar"))
    dialog.save_button.click()
    assert tomllib.loads(config.read_text()) == {"language": "ar"}
