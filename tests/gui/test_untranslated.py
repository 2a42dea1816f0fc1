"""A visible string that is not translatable fails: the real window, signed in to the sandbox,
built in English and again in German and in Arabic; every widget's text, tooltip, placeholder,
accessible name and description, window title, action text and item texts is read on the sign-in page, each panel and dialog and a revoked sign-in's banner, and a string shown identically in English and in the other language fails when it
has letters and is not untrusted data (the profile, claims, roles, JSON), a product name, a URL,
a scope or a claim name. Also the terminal's help and errors with LANGUAGE=de, and the
browser's landing page in German."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTableWidget,
    QTabWidget,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop_app.core import i18n
from desktop_app.core.text import without_isolates
from desktop_app.sandbox import Sandbox, directory
from desktop_app.session.state import State
from desktop_app.ui import translation
from desktop_app.ui.settings_dialog import SettingsDialog
from tests.conftest import REPO
from tests.support.sandbox_helpers import sandbox_config
from tests.support.window_driver import sign_in, wait_state

# the panels whose strings are all marked (the others are listed in the README's "Translating
# Lanyard" as not done yet)
PANELS = ("profile", "roles", "token", "inspector", "api", "admin")
# names, the same in every language (product and claim names, methods, scopes, roles)
KEPT = re.compile(
    r"^(Lanyard|Microsoft Entra ID|Microsoft Graph|Entra ID|JSON|API|GET|POST|PUT|PATCH|DELETE|"
    r"OK|ID|organizations|Admin|Reader|Sandbox|[A-Z][a-z]+\.[A-Za-z.]+)$"
)
# the settings form's languages, each named in its own language whatever the window's
LANGUAGE_NAMES = frozenset(i18n.LANGUAGES.values())
# German words that are English ones too (Arabic has none: there every such word fails)
SAME_IN_GERMAN = frozenset({"Status", "Proxy", "Header", "Cloud", "Claim", "Token", "Offline"})


def _texts(widget: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for everything a person can read or hear of ``widget``."""
    name = f"{type(widget).__name__}:{widget.objectName()}"
    yield name + " tooltip", widget.toolTip()
    yield name + " accessibleName", widget.accessibleName()
    yield name + " accessibleDescription", widget.accessibleDescription()
    if widget.isWindow():
        yield name + " windowTitle", widget.windowTitle()
    if isinstance(widget, QLabel | QAbstractButton):
        yield name + " text", widget.text()
    if isinstance(widget, QLineEdit):
        yield name + " placeholder", widget.placeholderText()
    if isinstance(widget, QPlainTextEdit | QTextEdit):
        yield name + " placeholder", widget.placeholderText()
    if isinstance(widget, QComboBox):
        for i in range(widget.count()):
            yield name + f" item {i}", widget.itemText(i)
    if isinstance(widget, QTabWidget):
        for i in range(widget.count()):
            yield name + f" tab {i}", widget.tabText(i)
    if isinstance(widget, QTableWidget):
        for i in range(widget.columnCount()):
            item = widget.horizontalHeaderItem(i)
            if item is not None:
                yield name + f" column {i}", item.text()
    for action in widget.actions():
        yield name + " action", action.text()
        yield name + " action tip", action.toolTip() if action.toolTip() != action.text() else ""
    if isinstance(widget, QMenu):
        yield name + " title", widget.title()


def scan(root: QWidget) -> dict[str, str]:
    found: dict[str, str] = {}
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, QTableWidget) and widget.objectName() != "":
            pass
        for where, text in _texts(widget):
            text = without_isolates(text).replace("&", "").strip()
            if text:
                found[where + f" #{len(found)}"] = text
    return found


def english_left(
    english: set[str], other: set[str], untrusted: set[str], language: str
) -> list[str]:
    same = SAME_IN_GERMAN if language == "de" else frozenset()
    return sorted(
        text
        for text in english & other
        if re.search(r"[A-Za-z]{2}", text)
        and text not in untrusted
        and text not in same
        and text not in LANGUAGE_NAMES
        and not KEPT.match(text)
        and not text.startswith(("https://", "http://", "/"))
        and "@" not in text
    )


def _window_texts(  # type: ignore[no-untyped-def]
    qtbot: QtBot, open_window, config, language: str, sandbox: Sandbox, upn: str
) -> tuple[set[str], set[str]]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translation.install(app, language)
    window, session = open_window(config)
    wait_state(qtbot, session, State.SIGNED_OUT)
    texts: set[str] = set(scan(window.welcome_page).values())  # the sign-in page
    sign_in(qtbot, window, session)
    for panel in PANELS:
        assert window.tabs.select_panel(panel)
        qtbot.wait(50)
        texts |= set(scan(window.tabs.currentWidget()).values())
    texts |= {menu.title() for menu in window.menuBar().findChildren(QMenu)}
    texts |= {a.text().replace("&", "") for a in window.menuBar().actions()}
    for menu in window.menuBar().findChildren(QMenu):
        texts |= {a.text().replace("&", "") for a in menu.actions() if a.text()}
    texts |= set(scan(window.header).values())
    dialog = SettingsDialog(window)
    qtbot.addWidget(dialog)
    texts |= set(scan(dialog).values())
    # untrusted: what the directory and the tokens hold, shown as they are in every language
    untrusted: set[str] = set()
    for name in (
        "displayName",
        "givenName",
        "surname",
        "jobTitle",
        "mail",
        "userPrincipalName",
        "officeLocation",
        "preferredLanguage",
        "id",
        "mobilePhone",
        "businessPhones",
        "organization",
        "tenantId",
    ):
        untrusted.add(window.profile_panel.value_text(name))
    untrusted |= set(session.roles or []) if hasattr(session, "roles") else set()
    for table in window.findChildren(QTableWidget):
        for row in range(table.rowCount()):
            for column in range(table.columnCount()):
                item = table.item(row, column)
                if item is not None:
                    untrusted.add(item.text())
    for label in window.token_panel.findChildren(QLabel):
        if label.property("selectable") or label.textInteractionFlags():
            untrusted.add(without_isolates(label.text()))
    for widget in window.header.findChildren(QLabel):
        untrusted.add(without_isolates(widget.text()))  # the account's name, tenant, job
    # a revoked sign-in: the banner's message, advice and button
    sandbox.revoke_refresh_tokens(upn)
    session.refresh(force=True)
    wait_state(qtbot, session, State.SIGN_IN_NEEDED)
    assert window.banner.isVisible()
    texts |= set(scan(window.banner).values())
    texts.add(window.state_label.text())
    assert session.shutdown(5.0)
    window.close()
    return texts, untrusted


@pytest.fixture
def english_after(qapp: QApplication) -> Iterator[None]:
    yield
    translation.install(qapp, "en")


@pytest.mark.parametrize("language", ["de", "ar"])
def test_every_string_of_the_main_panels_is_translated(
    qtbot: QtBot,
    sandbox: Sandbox,
    tmp_path: Path,
    standin_browser,
    open_window,
    english_after: None,
    language: str,
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    upn = directory.ADMIN_UPN
    english, untrusted = _window_texts(
        qtbot, open_window, sandbox_config(sandbox, tmp_path / "en"), "en", sandbox, upn
    )
    other, untrusted_other = _window_texts(
        qtbot, open_window, sandbox_config(sandbox, tmp_path / language), language, sandbox, upn
    )
    assert len(english) > 80  # it did read the panels
    # ... the sign-in page and the banner of a revoked sign-in too
    assert {"Sign in", "Sign in again", "Your sign-in has expired or was revoked."} <= english
    left = english_left(english, other, untrusted | untrusted_other, language)
    assert left == [], f"shown in English under {language}: {left}"


def _lanyard(*args: str, language: str = "de") -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": "/nonexistent",
        "LANGUAGE": language,
        "LANG": "de_DE.UTF-8",
        "PYTHONPATH": str(REPO),
    }
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_terminal_help_and_errors_are_german() -> None:
    helped = _lanyard("--help")
    assert helped.returncode == 0
    assert helped.stdout.startswith("Aufruf: lanyard")
    assert "Optionen:" in helped.stdout
    assert "die Sprache des Fensters und der Meldungen" in helped.stdout
    wrong = _lanyard("whoami", "--bogus")
    assert wrong.returncode == 2
    assert "Fehler: unbekannte Argumente: --bogus" in wrong.stderr
    choice = _lanyard("--language", "klingon", "whoami")
    assert "ungültige Auswahl: 'klingon'" in choice.stderr


@pytest.mark.parametrize("flow", ["sign_in", "grant_access"])
def test_the_landing_page_speaks_german_and_arabic_mirrored(flow: str) -> None:
    from desktop_app.auth.landing import landing_page
    from desktop_app.core import i18n

    english_ok = landing_page({"code": "x"}, flow)
    english_failed = landing_page({"error": "access_denied"}, flow)
    try:
        i18n.install("de")
        ok = landing_page({"code": "x"}, flow)
        failed = landing_page(
            {"error": "access_denied", "error_description": "Nope (AADSTS1)"}, flow
        )
        assert '<html lang="de" dir="ltr">' in ok
        assert ("Sie sind angemeldet" if flow == "sign_in" else "Zugriff gewährt") in ok
        assert "Kehren Sie zu Lanyard zurück" in failed
        # the identity provider's words keep their own direction, as they came
        assert '<p class="detail" dir="auto">Nope (AADSTS1)</p>' in failed
        i18n.install("ar")
        assert '<html lang="ar" dir="rtl">' in landing_page({"code": "x"}, flow)
    finally:
        i18n.install("en")
    assert '<html lang="en" dir="ltr">' in english_ok
    for text in re.findall(r"<(?:h1|p)[^>]*>([^<]+)</", english_ok + english_failed):
        assert (
            text not in ok + failed
            or not re.search("[A-Za-z]{3}", text)
            or text in ("access_denied",)
        ), text


def test_a_command_s_error_follows_the_language_and_a_locked_policy_sets_it(
    tmp_path: Path,
) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "PYTHONPATH": str(REPO),
        "LANG": "en_US.UTF-8",
    }

    def whoami(*policy: Path, **extra: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "tests.support.policy_bootstrap", *map(str, policy)]
        return subprocess.run(
            [*command, "--", "whoami"],
            cwd=REPO,
            env=env | extra,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    english = whoami()
    assert english.returncode == 3
    assert "Lanyard is not set up for your organisation yet." in english.stderr
    german = whoami(LANYARD_LANGUAGE="de")
    assert german.returncode == 3
    assert "Lanyard ist für Ihre Organisation noch nicht eingerichtet." in german.stderr
    assert "NO-QT" in german.stderr  # the catalog came without Qt
    policy = tmp_path / "policy.toml"
    policy.write_text('[locked]\nlanguage = "ar"\n', encoding="utf-8")
    arabic = whoami(policy)
    assert "لم يُعدّ Lanyard لمؤسستك بعد." in arabic.stderr
    refused = whoami(policy, LANYARD_LANGUAGE="de")  # a locked setting's variable is refused
    assert refused.returncode == 3
    assert "language" in refused.stderr
