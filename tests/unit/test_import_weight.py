"""The window shows before msal and requests are loaded: the modules the window path imports on
the GUI thread must not pull them in (the auth worker imports them when it builds the services).
Checked in a fresh interpreter, where nothing else has loaded them yet."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO

HEAVY = (
    "msal",
    "msal_extensions",
    "requests",
    "urllib3",
    "desktop_app.session.services",
    "secretstorage",
    "jeepney",
    "gi",
)


def loaded_after(statement: str) -> list[str]:
    script = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    modules: list[str] = json.loads(result.stdout.splitlines()[-1])
    return modules


def test_the_window_path_imports_neither_msal_nor_requests() -> None:
    modules = loaded_after(
        "import desktop_app.ui.app, desktop_app.session.controller, desktop_app.ui.main_window, "
        "desktop_app.ui.single_instance, desktop_app.graph.snapshot"
    )
    assert "PySide6.QtWidgets" in modules  # it did load the window
    assert [m for m in modules if m.split(".")[0] in HEAVY or m in HEAVY] == []


def test_the_headless_entry_imports_no_qt_before_running() -> None:
    modules = loaded_after(
        "import desktop_app.__main__, desktop_app.headless, desktop_app.cli, "
        "desktop_app.headless_advice, desktop_app.headless_login, desktop_app.headless_api"
    )
    assert not [m for m in modules if m.startswith(("PySide6", "shiboken6"))]
    assert "msal" not in modules  # imported only when a command runs


def test_lanyard_api_loads_no_qt_and_its_parser_nothing_heavy() -> None:
    # cli.py registers `api` on every start, the window's too: its parser module stays light
    parser = loaded_after("import desktop_app.cli; desktop_app.cli.build_parser()")
    assert "desktop_app.headless_api_args" in parser
    assert [m for m in parser if m.split(".")[0] in HEAVY or m in HEAVY] == []
    assert "desktop_app.headless_api" not in parser
    # the command itself, as it runs: the console's request and call layers, never Qt
    modules = loaded_after(
        "import desktop_app.headless_api, desktop_app.graph.api_call, "
        "desktop_app.graph.api_pages, desktop_app.session.services, desktop_app.session.errors"
    )
    assert "desktop_app.session.services" in modules
    assert not [m for m in modules if m.startswith(("PySide6", "shiboken6"))]


# built (and imported) on first use, never for the first frame: every panel but Profile, the
# pages and dialogs a start does not show, the About box, the diagnostics saver, and what only a
# session needs (it is built once the window has been drawn: ui/app.py)
FIRST_USE = (
    "desktop_app.ui.roles_panel",
    "desktop_app.ui.token_panel",
    "desktop_app.ui.inspector_panel",
    "desktop_app.ui.api_panel",
    "desktop_app.ui.api_request_editor",
    "desktop_app.ui.api_response_view",
    "desktop_app.ui.json_view",
    "desktop_app.ui.admin_panel",
    "desktop_app.ui.settings_dialog",
    "desktop_app.ui.settings_form",
    "desktop_app.ui.registration_help",
    "desktop_app.ui.device_code_page",
    "desktop_app.ui.about",
    "desktop_app.ui.diagnostics",
    "desktop_app.graph.api_call",
    "desktop_app.auth.client",
    "desktop_app.session.controller",
)

FIRST_FRAME = """
import os
os.environ["QT_QPA_PLATFORM"] = "offscreen"
import desktop_app.ui.app, desktop_app.ui.single_instance, desktop_app.session.last_profile
from PySide6.QtWidgets import QApplication
from desktop_app.ui.main_window import MainWindow
app = QApplication([])
window = MainWindow()
window.show()
app.processEvents()
"""


def test_the_first_frame_builds_and_imports_only_what_it_shows() -> None:
    modules = loaded_after(FIRST_FRAME)
    assert "desktop_app.ui.profile_panel" in modules  # the one panel a warm start shows
    assert [m for m in FIRST_USE if m in modules] == []
    assert [m for m in modules if m.split(".")[0] in HEAVY or m in HEAVY] == []


def test_a_panel_is_imported_and_built_when_first_shown() -> None:
    modules = loaded_after(
        FIRST_FRAME
        + "window.stack.setCurrentWidget(window.tabs)\n"
        + "assert window.tabs.select_panel('api')\n"
        + "app.processEvents()\n"
        + "assert window.tabs.currentWidget() is window.tabs.built('api')\n"
    )
    assert "desktop_app.ui.api_panel" in modules
    assert "desktop_app.ui.token_panel" not in modules  # the others still wait
