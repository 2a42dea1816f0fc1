"""The settings form (client id, tenant, cloud, scopes, proxy, CA bundle, sign-in broker): on the first-run page
(pages.SetupPage) and in File → Settings… (settings_dialog.py).

The form edits the config file and nothing else: a value set by a command-line flag or a
LANYARD_* environment variable wins over the file (config.py), so such a field shows the value in
force, read-only, and says where it comes from; saving keeps the file's own value for it. A
setting the organisation's managed policy locks (core/managed_policy.py) is shown the same way,
"Set by your organisation", and never written to the file; a policy default is the placeholder
of its field (what an empty field means).
Checking goes through config.load_config, so the form and a start-up read the same rules, and a
problem is shown beside the field it names, which gets the focus.

Why ~560 lines in one module: every field goes through the same four steps here (filled from the
file, an override or a lock shown, read back into what the file should say, a problem put
beside it), and the rows, the overrides, the policy's locks and defaults, and the cloud/authority
pair all meet in each step; split by field kind, each step would be spread over the modules.
The field table and the broker's hint are data at the top; the file picker is the only part
with no bearing on the others (~20 lines).
"""

from __future__ import annotations

import itertools
import os
import platform
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.auth.broker import broker_for, is_wsl
from desktop_app.core import config_file
from desktop_app.core.config import (
    DEFAULT_TENANT,
    Config,
    ConfigError,
    config_error,
    config_file_location,
    load_config,
    overrides,
    policy_locks,
    read_config_file,
    redact_proxy,
    usable_policy,
)
from desktop_app.core.i18n import LANGUAGES, N_, _
from desktop_app.core.managed_policy import Entry, Policy
from desktop_app.core.scopes import parse_scopes
from desktop_app.ui.placement import start_folder
from desktop_app.ui.widgets import muted, plain_label

CUSTOM = "custom"
LOCKED_NOTE = N_("Set by your organisation.")
CLOUD_CHOICES = (
    (N_("Global (Microsoft Entra ID)"), "global"),
    (N_("US government (GCC High, DoD)"), "usgov"),
    (N_("China (operated by 21Vianet)"), "china"),
    (N_("Custom authority URL"), CUSTOM),
)
# field -> (label with its mnemonic, accessible name, what it is for)
FIELDS: dict[str, tuple[str, str, str]] = {
    "client_id": (
        N_("Client &ID"),
        N_("Client ID"),
        N_("The Application (client) ID of your app registration in Microsoft Entra ID."),
    ),
    "cloud": (N_("Clo&ud"), N_("Cloud"), ""),
    "tenant": (
        N_("&Tenant"),
        N_("Tenant"),
        N_("A tenant id or domain; organizations (any work or school account) when empty."),
    ),
    "authority": (N_("&Authority URL"), N_("Authority URL"), ""),
    "scopes": (
        N_("Sco&pes"),
        N_("Scopes"),
        N_("Separated by spaces; User.Read when empty."),
    ),
    "proxy": (
        N_("P&roxy"),
        N_("Proxy"),
        N_("Optional. Used for every request when set; otherwise Lanyard connects directly."),
    ),
    "ca_bundle": (
        N_("CA &bundle"),
        N_("CA bundle"),
        N_("Optional. A PEM file of extra CA certificates, e.g. for a TLS-inspecting network."),
    ),
    "broker": (
        N_("Sign-in bro&ker"),
        N_("Sign-in broker"),
        N_(
            "The operating system's sign-in broker, where there is one: some organisations allow "
            "sign-in only from a device it vouches for. Without one, Lanyard uses the browser."
        ),
    ),
    "language": (
        N_("&Language"),
        N_("Language"),
        N_(
            "The language of the window and the terminal commands; the window shows it when "
            "Lanyard starts next."
        ),
    ),
}
SYSTEM_LANGUAGE = N_("System default")
BROKER_CHOICES = (
    (N_("Off: sign in through the system browser"), "off"),
    (N_("Use the OS sign-in broker where there is one"), "auto"),
)


def broker_hint() -> str:
    """The broker hint, with this computer's broker and the redirect URI it needs."""
    broker = broker_for(sys.platform, platform.machine(), is_wsl())
    if broker is None:
        return _(FIELDS["broker"][2]) + _(" This computer has none that Lanyard can use.")
    uri = broker.redirect_uri(_("<client id>"))
    return _("{hint} Here: the {name}; the app registration needs the redirect URI {uri}.").format(
        hint=_(FIELDS["broker"][2]), name=_(broker.name), uri=uri
    )


class _Row:
    """One field: its input, a hint, a note when a flag or variable overrides it, its error."""

    def __init__(self, key: str, editor: QWidget, parent: QWidget, extra: QWidget | None) -> None:
        label_text, accessible, hint = (_(text) for text in FIELDS[key])
        self.key = key
        self.editor = editor
        self.label = QLabel(label_text, parent)  # our own text, never untrusted
        self.label.setBuddy(editor)
        editor.setAccessibleName(accessible)
        editor.setAccessibleDescription(hint)
        self.box = QWidget(parent)
        layout = QVBoxLayout(self.box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        line = QHBoxLayout()
        line.setSpacing(6)
        line.addWidget(editor, 1)
        if extra is not None:
            line.addWidget(extra)
        layout.addLayout(line)
        self.hint = muted(hint, self.box)
        self.hint.setVisible(bool(hint))
        self.override = muted("", self.box)
        self.override.hide()
        self.error = plain_label("", self.box)
        self.error.setProperty("warning", True)  # the stylesheet colours it, light or dark
        self.error.setAccessibleName(_("Problem with {accessible}").format(accessible=accessible))
        self.error.hide()
        for label in (self.hint, self.override, self.error):
            layout.addWidget(label)

    def set_fixed(self, fixed: bool) -> None:
        """A value a flag or variable sets: shown as it is, read-only (selectable, no clear
        button: it is not a placeholder to replace), never as a greyed-out hint."""
        editor = self.editor
        if isinstance(editor, QLineEdit):
            editor.setReadOnly(fixed)
            editor.setClearButtonEnabled(not fixed)
        else:
            editor.setEnabled(not fixed)  # a list has no read-only mode
        editor.setProperty("fixed", fixed)
        editor.style().unpolish(editor)
        editor.style().polish(editor)

    @property
    def fixed(self) -> bool:
        return bool(self.editor.property("fixed"))

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        self.editor.setAccessibleDescription(text or _(FIELDS[self.key][2]))


class SettingsForm(QWidget):
    """The fields, filled from the config file and the overrides in force; ``save`` checks and
    writes them. ``submitted`` is Enter in a text field."""

    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.flags: Mapping[str, object | None] = {}
        self.env: Mapping[str, str] = os.environ
        self.path, _explicit = config_file_location(self.flags, self.env)
        self.file_values: dict[str, Any] = {}
        self.overridden: dict[str, tuple[str, str]] = {}
        self.policy = Policy()
        self.locks: dict[str, Entry] = {}  # what the policy locks, with what a lock decides

        self.client_id = self._line("00000000-0000-0000-0000-000000000000")
        self.cloud = QComboBox(self)
        for text, name in CLOUD_CHOICES:
            self.cloud.addItem(_(text), name)
        self.tenant = self._line(DEFAULT_TENANT)
        self.authority = self._line("https://login.example.com/your-tenant")
        self.scopes = self._line(_("User.Read"))
        self.proxy = self._line("http://proxy.example.com:8080")
        self.ca_bundle = self._line("/path/to/ca-certificates.pem")
        self.browse_button = QPushButton(_("Bro&wse…"), self)
        self.browse_button.setAccessibleName(_("Choose a CA bundle file"))
        self.browse_button.clicked.connect(self._browse)
        self.broker = QComboBox(self)
        for text, name in BROKER_CHOICES:
            self.broker.addItem(_(text), name)
        self.language = QComboBox(self)
        self.language.addItem(_(SYSTEM_LANGUAGE), "system")
        for code, name in LANGUAGES.items():  # each named in its own language, never translated
            self.language.addItem(name, code)

        self.problem = plain_label("", self, selectable=True)  # what no single field explains
        self.problem.setProperty("warning", True)
        self.problem.setAccessibleName(_("Problem with the settings"))
        self.problem.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.problem)
        # a grid, not a QFormLayout: that one sized its rows from stale heights, so a wrapped
        # hint was clipped when a field's error appeared
        self.form = QGridLayout()
        self.form.setHorizontalSpacing(12)
        self.form.setVerticalSpacing(8)
        self.form.setColumnStretch(1, 1)
        layout.addLayout(self.form)
        editors: dict[str, QWidget] = {
            "client_id": self.client_id,
            "cloud": self.cloud,
            "tenant": self.tenant,
            "authority": self.authority,
            "scopes": self.scopes,
            "proxy": self.proxy,
            "ca_bundle": self.ca_bundle,
            "broker": self.broker,
            "language": self.language,
        }
        self.rows: dict[str, _Row] = {}
        for index, (key, editor) in enumerate(editors.items()):
            row = _Row(key, editor, self, self.browse_button if key == "ca_bundle" else None)
            self.rows[key] = row
            top = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
            self.form.addWidget(row.label, index, 0, top)
            self.form.addWidget(row.box, index, 1)
        self._placeholders = {
            key: editor.placeholderText()
            for key, editor in editors.items()
            if isinstance(editor, QLineEdit)
        }
        self.rows["broker"].hint.setText(broker_hint())
        # Browse… belongs to the CA bundle's row, before the broker's
        chain = [e for e in editors.values() if e not in (self.broker, self.language)]
        chain += [self.browse_button, self.broker, self.language]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        self.cloud.currentIndexChanged.connect(self._cloud_changed)
        self._cloud_changed()

    def _line(self, placeholder: str) -> QLineEdit:
        line = QLineEdit(self)
        line.setPlaceholderText(placeholder)
        line.setClearButtonEnabled(True)
        line.returnPressed.connect(self.submitted)
        line.textEdited.connect(lambda _: self._clear_error_of(line))
        return line

    def _clear_error_of(self, editor: QWidget) -> None:
        for row in self.rows.values():
            if row.editor is editor:
                row.show_error("")

    # -- filling --------------------------------------------------------------------------------

    def load(
        self, flags: Mapping[str, object | None] | None = None, env: Mapping[str, str] | None = None
    ) -> None:
        """Fill the fields from the config file, with what ``flags`` and ``env`` override."""
        self.flags = dict(flags or {})
        self.env = os.environ if env is None else env
        self.path, _explicit = config_file_location(self.flags, self.env)
        self.clear_errors()
        try:
            self.file_values = read_config_file(self.path)
        except ConfigError as exc:  # e.g. not TOML: saving moves it aside and writes a new one
            self.file_values = {}
            self.show_problem(
                _("{message} Saving replaces it; the old file is kept as {name}.invalid.").format(
                    message=exc.message, name=self.path.name
                )
            )
        self.overridden = overrides(self.flags, self.env)
        self.policy = usable_policy(self.path)
        self.locks = policy_locks(self.policy)
        shown = {
            **self.file_values,
            **{k: v for k, (v, _) in self.overridden.items()},
            **{k: entry.value for k, entry in self.policy.locked.items()},
        }
        for key in set(self.locks) - set(self.policy.locked):
            shown.pop(key, None)  # decided by a locked setting (an authority by a locked tenant)

        def text(key: str) -> str:
            value = shown.get(key)
            if isinstance(value, list):
                return " ".join(str(item) for item in value)
            return "" if value is None else str(value)

        self.client_id.setText(text("client_id"))
        self.tenant.setText(text("tenant"))
        self.authority.setText(text("authority"))
        self.scopes.setText(text("scopes"))
        self.proxy.setText(text("proxy"))
        self.ca_bundle.setText(text("ca_bundle"))
        cloud = (
            CUSTOM if text("authority") else text("cloud").strip().lower() or self._default_cloud()
        )
        index = self.cloud.findData(cloud)
        self.cloud.setCurrentIndex(index if index >= 0 else 0)
        broker = self.broker.findData(text("broker").strip().lower() or self._default_broker())
        self.broker.setCurrentIndex(broker if broker >= 0 else 0)
        language = self.language.findData(
            text("language").strip().lower() or self._default_language()
        )
        self.language.setCurrentIndex(language if language >= 0 else 0)
        self._show_defaults()
        self._show_overrides()
        self._cloud_changed()

    def _default_broker(self) -> str:
        """What an unset broker means: the policy's default, else off."""
        entry = self.policy.defaults.get("broker")
        name = str(entry.value).strip().lower() if entry else ""
        return name if self.broker.findData(name) >= 0 else "off"

    def _default_language(self) -> str:
        """What an unset language means: the policy's default, else the system's."""
        entry = self.policy.defaults.get("language")
        name = str(entry.value).strip().lower() if entry else ""
        return name if self.language.findData(name) >= 0 else "system"

    def _default_cloud(self) -> str:
        """The cloud an unset field means: the policy's default, else the global one."""
        entry = self.policy.defaults.get("cloud")
        name = str(entry.value).strip().lower() if entry else ""
        return name if self.cloud.findData(name) >= 0 and name != CUSTOM else "global"

    def _show_defaults(self) -> None:
        """A policy default is what an empty field means: its placeholder."""
        for key, placeholder in self._placeholders.items():
            editor = self.rows[key].editor
            assert isinstance(editor, QLineEdit)
            entry = self.policy.defaults.get(key)
            if entry is None:
                editor.setPlaceholderText(placeholder)
                editor.setToolTip("")
                continue
            value = entry.value
            text = " ".join(map(str, value)) if isinstance(value, list) else str(value)
            editor.setPlaceholderText(redact_proxy(text) if key == "proxy" else text)
            editor.setToolTip(
                _("Your organisation's default ({source}), used when empty.").format(
                    source=entry.source
                )
            )

    def _lock_of(self, key: str) -> Entry | None:
        if key == "cloud":  # a locked tenant leaves the cloud free; a locked authority does not
            return self.policy.locked.get("cloud") or self.policy.locked.get("authority")
        if key == "tenant":
            return self.locks.get("tenant") or self.locks.get("authority")
        return self.locks.get(key)

    def _show_overrides(self) -> None:
        model = self.cloud.model()
        if isinstance(model, QStandardItemModel):  # no custom authority while a lock decides it
            custom = model.item(self.cloud.findData(CUSTOM))
            if custom is not None:
                custom.setEnabled(
                    "authority" not in self.locks or "authority" in self.policy.locked
                )
        for key, row in self.rows.items():
            lock = self._lock_of(key)
            row.override.setToolTip("")
            if lock is not None:
                row.set_fixed(True)
                row.override.setText(_(LOCKED_NOTE))
                row.override.setVisible(True)
                why = _(
                    "Your organisation's policy sets this ({source}); only an administrator can change it."
                ).format(source=lock.source)
                row.override.setToolTip(why)
                row.editor.setToolTip(why)
                row.editor.setAccessibleDescription(f"{_(LOCKED_NOTE)} {lock.source}")
                if key == "proxy":
                    self.proxy.setText(redact_proxy(self.proxy.text()))
                continue
            row.editor.setAccessibleDescription(
                broker_hint() if key == "broker" else _(FIELDS[key][2])
            )
            if not isinstance(row.editor, QLineEdit):
                row.editor.setToolTip("")  # a line's is its default's (_show_defaults)
            sources = [key]
            if key in ("cloud", "tenant"):  # an authority makes both moot
                sources.append("authority")
            found = next((self.overridden[k] for k in sources if k in self.overridden), None)
            row.set_fixed(found is not None)
            row.override.setVisible(found is not None)
            if found is None:
                continue
            value, source = found
            if key == "proxy":
                self.proxy.setText(redact_proxy(value))  # the password stays off the screen
            variable = source.removeprefix("environment variable ")  # config.py's source name
            where = (
                _("{source} (on the command line)").format(source=source)
                if source.startswith("--")
                else _("{variable} (an environment variable)").format(variable=variable)
                if variable != source
                else source
            )
            row.override.setText(
                _(
                    "Set by {where}, which wins over the settings file; change it there, or remove it to use this field."
                ).format(where=where)
            )
        self.browse_button.setEnabled("ca_bundle" not in self.overridden | self.locks.keys())

    def _cloud_changed(self) -> None:
        custom = self.cloud.currentData() == CUSTOM
        for key, shown in (("authority", custom), ("tenant", not custom)):
            self.rows[key].label.setVisible(shown)
            self.rows[key].box.setVisible(shown)
        hint = self.rows["authority"].hint
        hint.setText(_("An https:// URL ending with the tenant, e.g. for Azure AD B2C or AD FS."))
        hint.setVisible(custom)

    # -- reading and checking ---------------------------------------------------------------------

    def changes(self) -> dict[str, object | None]:
        """What the file should say for each key the form manages (None: remove the key);
        keys that a flag or variable overrides are left as the file has them."""
        cloud = str(self.cloud.currentData())
        scopes = list(parse_scopes(self.scopes.text()))
        values: dict[str, object | None] = {
            "client_id": self.client_id.text().strip() or None,
            "scopes": scopes or None,
            "proxy": self.proxy.text().strip() or None,
            "ca_bundle": self.ca_bundle.text().strip() or None,
            "broker": None
            if self.broker.currentData() == self._default_broker()
            else self.broker.currentData(),
            "language": None
            if self.language.currentData() == self._default_language()
            else self.language.currentData(),
        }
        if cloud == CUSTOM:
            values.update(authority=self.authority.text().strip(), cloud=None)
        else:
            values.update(
                authority=None,
                cloud=None if cloud == self._default_cloud() else cloud,
                tenant=self.tenant.text().strip() or None,
            )
        blocked = set(self.overridden) | set(self.locks)  # a locked value is never written
        if "authority" in self.overridden or "authority" in self.policy.locked:
            blocked |= {"cloud", "tenant"}
        return {key: value for key, value in values.items() if key not in blocked}

    def check(self) -> Config:
        """The configuration Lanyard will run with once the form is saved. Raises ConfigError."""
        file_values = {**self.file_values}
        for key, value in self.changes().items():
            if value is None:
                file_values.pop(key, None)
            else:
                file_values[key] = value
        config = load_config(self.flags, self.env, file_values=file_values)
        if not config.client_id:
            raise config_error(
                "client_id",
                str(self.path),
                _("is needed: the Application (client) ID of your app registration."),
            )
        return config

    def save(self) -> Config | None:
        """Check, then write the file atomically. None (with the problem shown) when it cannot."""
        self.clear_errors()
        try:
            self.check()
        except ConfigError as exc:
            self.show_error(exc)
            return None
        try:
            config_file.save(self.path, self.changes())
        except (OSError, TypeError, ValueError) as exc:
            self.show_problem(
                _("Lanyard could not save {path}: {exc}").format(path=self.path, exc=exc)
            )
            return None
        try:
            return load_config(self.flags, self.env)  # read back: what a restart would read
        except ConfigError as exc:
            self.show_error(exc)
            return None

    # -- problems -------------------------------------------------------------------------------

    def clear_errors(self) -> None:
        self.problem.hide()
        for row in self.rows.values():
            row.show_error("")

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def show_error(self, error: ConfigError) -> None:
        """Beside the field it names when that field is editable here; above the form else."""
        key = error.details.get("field", "")
        row = self.rows.get(key)
        if (
            row is None
            or key in self.overridden
            or key in self.locks
            or error.details.get("source") != str(self.path)
        ):
            self.show_problem(error.message)
            return
        if key == "tenant" and self.cloud.currentData() == CUSTOM:
            row = self.rows["authority"]
        label = _(FIELDS[row.key][1])
        row.show_error(f"{label} {error.details.get('problem', error.message)}")
        row.editor.setFocus()

    # -- the file picker ------------------------------------------------------------------------

    def _browse(self) -> None:
        chosen = self.choose_ca_file(self.ca_bundle.text().strip())
        if chosen:
            self.ca_bundle.setText(chosen)
            self.rows["ca_bundle"].show_error("")

    def choose_ca_file(self, current: str) -> str:
        """The file dialog (its own event loop: tests replace this method)."""
        start = str(Path(current).expanduser().parent) if current else str(start_folder())
        path, _filter = QFileDialog.getOpenFileName(
            self,
            _("Choose a CA bundle"),
            start,
            _("PEM certificates (*.pem *.crt *.cer);;All files (*)"),
        )
        return path
