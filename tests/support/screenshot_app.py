"""Run the real Lanyard window on the current display, sign in to the sandbox, save a screenshot.

    DISPLAY=:99 BROWSER="python tests/support/standin_browser.py" \
        python tests/support/screenshot_app.py OUT.png [--user UPN] [--scene SCENE]

SCENE: profile, roles, token or admin (signed in, that panel; admin exits 3 when the user has no
Admin view), welcome (before signing in, the Sign in button focused), profile-copy (the Profile
panel with a Copy button focused, as Tab leaves it), device-code (the code to enter elsewhere),
sign-in-needed (signed in, then the sandbox revokes the sign-in and a refresh finds out),
api (the Call an API tab: the sandbox's Orders API called, its consent granted in the browser),
api-paged (the overage user's groups, every @odata.nextLink page loaded: use --user
lynne.robbins@contoso.test), api-post (an order placed: POST, 201 and its headers),
api-error (the same, then a second call that gets no answer: the panel after an error that
follows a success), inspector (the Token inspector on the ID token, its signature checked),
inspector-diff (the same after the Orders API token was shown: the Differences tab).

--roles N: the sandbox's Lanyard app defines N app roles (Admin, Reader, then generated ones)
and assigns them all to the user, before signing in (the many-roles Roles panel and header).
--size WxH: the window's size (default 900x700; 880x560 shows the compact header).

--language de|ar: the window in German or Arabic (right to left).
--scheme dark runs it in a dark palette (as a dark desktop gives Qt). It grabs the X screen (not
the widget), so the PNG shows what the display server really drew.
Exit status 0 when the window reached the signed-in profile and the PNG was written.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core.config import Config  # noqa: E402
from desktop_app.core.paths import resources_dir  # noqa: E402
from desktop_app.sandbox import directory  # noqa: E402
from desktop_app.session.controller import SessionController  # noqa: E402
from desktop_app.session.services import build_services  # noqa: E402
from desktop_app.session.state import State  # noqa: E402
from desktop_app.ui.api_panel import ApiPanel  # noqa: E402
from desktop_app.ui.main_window import MainWindow  # noqa: E402

PANELS = ("profile", "roles", "token", "admin")


def dark_palette() -> QPalette:
    """What a dark desktop gives Qt: dark window and fields, light text."""
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#1b1d22"),
        (QPalette.ColorRole.WindowText, "#e8eaed"),
        (QPalette.ColorRole.Base, "#25282f"),
        (QPalette.ColorRole.AlternateBase, "#2e323a"),
        (QPalette.ColorRole.Text, "#e8eaed"),
        (QPalette.ColorRole.Button, "#2e323a"),
        (QPalette.ColorRole.ButtonText, "#e8eaed"),
        (QPalette.ColorRole.PlaceholderText, "#8a909c"),
        (QPalette.ColorRole.Highlight, "#2b5fd9"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
        (QPalette.ColorRole.ToolTipBase, "#25282f"),
        (QPalette.ColorRole.ToolTipText, "#e8eaed"),
        (QPalette.ColorRole.Link, "#8fb3ff"),
    ):
        palette.setColor(role, QColor(colour))
    return palette


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--user", default="megan.bowen@contoso.test")
    parser.add_argument(
        "--scene",
        default="profile",
        choices=(
            *PANELS,
            "device-code",
            "sign-in-needed",
            "api",
            "api-error",
            "api-paged",
            "api-post",
            "inspector",
            "inspector-diff",
            "welcome",
            "profile-copy",
        ),
    )
    parser.add_argument("--scheme", choices=("light", "dark"), default="light")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--roles", type=int, default=0)
    parser.add_argument("--size", default="900x700")
    parser.add_argument("--language", default="en", help="en, de or ar (ui/translation.py)")
    args = parser.parse_args()
    os.environ["STANDIN_USER"] = args.user

    app = QApplication([sys.argv[0], "-platform", os.environ.get("QT_QPA_PLATFORM", "xcb")])
    app.setApplicationName("Lanyard")
    if args.scheme == "dark":
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    from desktop_app.ui import translation

    translation.install(app, args.language)
    icon = QIcon(str(resources_dir() / "icons" / "lanyard.svg"))
    window = MainWindow(icon=icon)
    profile = Path(tempfile.mkdtemp(prefix="lanyard-shot-"))
    config = Config(sandbox=True, profile_dir=profile)
    session = SessionController(lambda notice: build_services(config, True, notice))
    window.attach(session, "global", sandbox=True)
    width, _, height = args.size.partition("x")
    window.resize(int(width), int(height))
    window.move(20, 20)
    window.show()
    session.start()
    outcome = {"code": 1, "clicked": False, "ticks": 0}

    def signed_in() -> bool:
        return bool(
            window.stack.currentWidget() is window.tabs
            and window.profile_panel.value_text("displayName")
            and (window.header.avatar.has_photo or args.user != "megan.bowen@contoso.test")
        )

    def tick() -> None:
        outcome["ticks"] += 1
        if args.scene == "welcome":
            if window.stack.currentWidget() is window.welcome_page and outcome["ticks"] > 5:
                window.activateWindow()
                QTimer.singleShot(600, grab)
                return
            QTimer.singleShot(100, tick)
            return
        if window.stack.currentWidget() is window.welcome_page and not outcome["clicked"]:
            outcome["clicked"] = True
            if args.roles and session.services and session.services.sandbox:
                roles = ["Admin", "Reader"]
                roles += [f"Orders.Region{n:05d}.ReadWrite" for n in range(args.roles - 2)]
                session.services.sandbox.add_app(
                    client_id=directory.LANYARD_CLIENT_ID,
                    display_name="Lanyard",
                    redirect_uris=list(directory.LANYARD_REDIRECT_URIS),
                    app_roles=roles,
                    role_assignments={args.user: roles},
                )
            if args.scene == "device-code":
                window.welcome_page.device_code_button.click()
            else:
                window.welcome_page.sign_in_button.click()
        if args.scene in PANELS and signed_in():
            if not window.tabs.select_panel(args.scene):
                print(f"no {args.scene} panel for {args.user}", file=sys.stderr)
                outcome["code"] = 3
                app.quit()
                return
            QTimer.singleShot(400, grab)
            return
        if args.scene == "profile-copy" and signed_in():
            window.activateWindow()
            window.panel_actions[0].trigger()  # View → Profile: its first Copy button
            window.profile_panel.copy_buttons["displayName"].click()  # says "Copied"
            window.profile_panel.copy_buttons["mail"].setFocus()
            QTimer.singleShot(400, grab)
            return
        if args.scene.startswith("api") and signed_in() and drive_api_panel():
            QTimer.singleShot(400, grab)
            return
        if args.scene.startswith("inspector") and signed_in() and drive_inspector():
            QTimer.singleShot(400, grab)
            return
        if args.scene == "device-code" and window.device_code_page.code.text():
            QTimer.singleShot(400, grab)
            return
        if args.scene == "sign-in-needed":
            if session.state is State.SIGN_IN_NEEDED:
                QTimer.singleShot(400, grab)
                return
            services = session.services
            if signed_in() and services and services.sandbox and outcome["clicked"] is True:
                outcome["clicked"] = 2
                services.sandbox.revoke_refresh_tokens(args.user)
                session.refresh(force=True)
        if outcome["ticks"] * 0.1 > args.timeout:
            print("timed out waiting for the signed-in window", file=sys.stderr)
            app.quit()
            return
        QTimer.singleShot(100, tick)

    api: dict[str, ApiPanel] = {}  # "panel"; "failed": the second call (api-error) is made

    def drive_api_panel() -> bool:
        """Call the Orders API, grant its consent when offered; True once the result shows."""
        panel = api.get("panel")
        if panel is None:
            assert window.tabs.select_panel("api")  # built on first show (ui/panel_tabs.py)
            panel = window.tabs.api_panel
            api["panel"] = panel
            # the sample by what it calls, not by its name (which is in the window's language)
            wanted = {
                "api-paged": ("GET", "/me/memberOf"),
                "api-post": ("POST", "/orders"),
            }.get(args.scene, ("GET", "/orders"))  # the Orders API (sandbox): my orders
            index = next(
                i
                for i, p in enumerate(panel._presets)
                if p.method == wanted[0] and p.url.endswith(wanted[1])
            )
            panel.preset_box.setCurrentIndex(index)
            panel.preset_box.activated.emit(index)
            panel.confirm = lambda _parent, _request: True  # the person said yes
            panel.call_button.click()
            return False
        if args.scene == "api-paged":
            if panel.pages_summary.text().endswith("in 3 pages"):
                return True
            if panel.all_pages_button.isEnabled() and not api.get("all"):
                api["all"] = panel
                panel.all_pages_button.click()
            return False
        if args.scene == "api-post" and "201" in panel.status.text():
            panel.response.setCurrentIndex(1)  # the headers, Location among them
            return True
        if panel.banner.isVisible() and panel.banner.action_button.isVisible():
            panel.banner.action_button.click()  # Grant access
            return False
        if args.scene == "api-error" and api.get("failed"):
            return panel.status.text().startswith("The call to")
        if panel.status.text().startswith("200") and args.scene == "api-error":
            services = session.services
            assert services is not None and services.sandbox is not None
            from desktop_app.sandbox.faults import FaultSpec

            services.sandbox.add_fault(FaultSpec("api", reset=True))
            api["failed"] = panel
            panel.call_button.click()
            return False
        if panel.status.text().startswith("200"):
            tree = panel.result.tree
            for i in range(tree.topLevelItemCount()):
                item = tree.topLevelItem(i)
                if item is not None and item.text(0) == "value":
                    tree.expandItem(item)
                    tree.expandItem(item.child(0))
                    tree.setCurrentItem(item.child(0).child(1))
            return True
        return False

    def drive_inspector() -> bool:
        """The ID token inspected (after another token, for the diff); True once checked."""
        panel = window.tabs.inspector_panel
        window.tabs.select_panel("inspector")
        labels = [panel.source.itemText(i) for i in range(panel.source.count())]
        if "ID token" not in labels:
            return False
        if args.scene == "inspector-diff" and not outcome.get("other"):
            other = next((i for i, t in enumerate(labels) if t.startswith("Access token")), -1)
            if other < 0:
                return False
            outcome["other"] = True
            panel.source.setCurrentIndex(other)
            return False
        if panel.source.currentText() != "ID token":
            panel.source.setCurrentIndex(labels.index("ID token"))
            return False
        if args.scene == "inspector-diff":
            panel.views.setCurrentIndex(3)
            panel.ensureWidgetVisible(panel.views, 0, 0)
        return bool(panel.signature.property("outcome"))

    def grab() -> None:
        screen = QGuiApplication.primaryScreen()
        geometry = window.frameGeometry()
        shot = screen.grabWindow(0, geometry.x(), geometry.y(), geometry.width(), geometry.height())
        if shot.save(args.out, "PNG"):
            outcome["code"] = 0
        app.quit()

    QTimer.singleShot(100, tick)
    app.exec()
    session.shutdown(2.0)
    return int(outcome["code"])


if __name__ == "__main__":
    sys.exit(main())
