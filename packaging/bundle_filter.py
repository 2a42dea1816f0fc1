"""What packaging/lanyard.spec keeps of PyInstaller's Analysis: importable, so tests/packaging can
check it on trees shaped like the real bundles without running PyInstaller.

A TOC entry is ``(dest, src, typecode)``; for typecode ``SYMLINK`` (PyInstaller 6), ``src`` is the
link's target, relative to the directory of ``dest`` (COLLECT does ``os.symlink(src, dest)``). On
macOS, PyInstaller's ``collect_files_from_framework_bundles`` adds the links every Qt ``.framework``
needs -- ``Versions/Current -> A``, ``QtCore -> Versions/Current/QtCore``, ``Resources ->
Versions/Current/Resources`` -- which point at directories and through other links, and without
which ``codesign --verify --deep --strict`` (and so notarization) refuses the bundle.
"""

from __future__ import annotations

import posixpath
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

Entry = tuple[str, str, str]

# Qt plugins to keep, by type -> plugin names (file name without lib prefix and extension).
# A type not listed here is dropped entirely.
QT_PLUGINS: dict[str, set[str] | None] = {
    "platforms": {"qxcb", "qwayland", "qoffscreen", "qwindows", "qcocoa"},
    "platformthemes": {"qxdgdesktopportal", "qgtk3"},
    "platforminputcontexts": {
        "composeplatforminputcontextplugin",
        "ibusplatforminputcontextplugin",
    },
    "iconengines": {"qsvgicon"},
    "imageformats": {"qjpeg", "qsvg", "qgif", "qico", "qwebp", "qicns"},
    "styles": {"qmodernwindowsstyle", "qwindowsvistastyle", "qmacstyle"},
    "xcbglintegrations": None,  # None: every plugin of the type
    "wayland-shell-integration": {"xdg-shell"},  # what desktop compositors speak
    "wayland-decoration-client": None,  # title bars where the compositor draws none (GNOME)
    # wayland-graphics-integration-client is for OpenGL: Lanyard's widgets paint with the CPU
}
# Qt shared libraries that must not ride along as link-time dependencies of what is kept:
# libQt6Qml.so.6 (Linux), Qt6Qml.dll (Windows), QtQml.framework (macOS), ...
QT_LIB_EXCLUDES = re.compile(
    r"Qt6?(Qml|Quick|Pdf|WebEngine|VirtualKeyboard|OpenGL|WlShellIntegration"
    r"|EglFSDeviceIntegration|EglFsKmsSupport)"  # eglfs: full-screen embedded, not shipped
)
# Installer records in a dist-info (PyInstaller collects whole dist-info folders when the code calls
# importlib.metadata.version): they name the build machine's paths and files, and nothing reads them.
INSTALLER_RECORDS = re.compile(r"\.dist-info[/\\](direct_url\.json|RECORD|INSTALLER|REQUESTED)$")


def _posix(path: str) -> str:
    """A TOC path in one spelling (Windows' dest names use backslashes), normalized."""
    return posixpath.normpath(path.replace("\\", "/"))


def plugin_wanted(dest: str) -> bool:
    parts = Path(_posix(dest)).parts
    if "plugins" not in parts:
        return True
    rest = parts[parts.index("plugins") + 1 :]
    if len(rest) < 2:
        return True
    kind, name = rest[0], Path(rest[-1]).name
    wanted = QT_PLUGINS.get(kind, set())
    if wanted is None:
        return True
    stem = name.split(".")[0]
    stem = stem[3:] if stem.startswith("lib") else stem
    return stem in wanted


# Qt's own words (standard buttons, context menus) in the languages Lanyard ships
# (desktop_app/ui/translation.py); Qt's other translations are left out
QT_TRANSLATIONS = re.compile(r"qtbase_(de|ar)\.qm$")


def lib_wanted(dest: str) -> bool:
    return not QT_LIB_EXCLUDES.search(dest)


def from_the_system(entry: Entry, platform: str = sys.platform) -> bool:
    """A distribution's shared library (Linux): the package Depends on it rather than carrying a
    copy that would miss the distribution's security updates. Python's own library and extension
    modules stay, wherever that Python was installed."""
    dest, source, typecode = entry
    if not platform.startswith("linux") or typecode != "BINARY" or "/" in dest:
        return False
    if not Path(dest).name.startswith("lib") or Path(dest).name.startswith("libpython"):
        return False
    return str(Path(source).resolve()).startswith(("/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/"))


def keep(entry: Entry, platform: str = sys.platform) -> bool:
    """Whether an entry survives the trimming, on its own merits (its links are judged later)."""
    dest = entry[0]
    return (
        plugin_wanted(dest)
        and lib_wanted(dest)
        and not from_the_system(entry, platform)
        and not INSTALLER_RECORDS.search(dest)
        and not (
            entry[2] != "SYMLINK"
            and "/translations/" in dest.replace("\\", "/")
            and not QT_TRANSLATIONS.search(dest)
        )
    )


class _Tree:
    """The bundle as the kept entries will lay it out: files, the folders holding them, links."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.files: set[str] = set()
        self.links: dict[str, str] = {}
        for dest, src, typecode in entries:
            if typecode == "SYMLINK":
                self.links[_posix(dest)] = src.replace("\\", "/")
            else:
                self.files.add(_posix(dest))
        self.dirs = {"."}
        for path in (*self.files, *self.links):
            parent = posixpath.dirname(path)
            while parent and parent not in self.dirs:
                self.dirs.add(parent)
                parent = posixpath.dirname(parent)

    def resolve(self, path: str, hops: int = 0) -> str | None:
        """Where ``path`` leads once every link on the way (in any component) is followed; None
        for a loop, an absolute target or one outside the bundle."""
        if hops > 40 or path.startswith("../") or path == "..":  # 40: the kernel's own limit
            return None
        parts = path.split("/")
        for i in range(1, len(parts) + 1):
            head = "/".join(parts[:i])
            target = self.links.get(head)
            if target is None:
                continue
            if posixpath.isabs(target):
                return None
            joined = posixpath.join(posixpath.dirname(head), target, *parts[i:])
            return self.resolve(posixpath.normpath(joined), hops + 1)
        return path

    def leads_somewhere(self, link: str) -> bool:
        """A link whose chain ends at a kept file or at a folder that holds something kept."""
        end = self.resolve(link)
        return end is not None and end not in self.links and (end in self.files or end in self.dirs)


def trim(binaries: Sequence[Entry], datas: Sequence[Entry]) -> tuple[list[Entry], list[Entry]]:
    """Analysis' binaries and datas with what Lanyard does not use left out, and every symlink
    kept whose chain still leads to something kept (a file, or a folder such as a framework's
    ``Versions/A``); a link left dangling by what was dropped is dropped too."""
    kept_binaries = [e for e in binaries if keep(e)]
    kept_datas = [e for e in datas if keep(e)]
    while True:  # dropping a link may leave another (pointing through it) dangling: repeat
        tree = _Tree([*kept_binaries, *kept_datas])

        def good(entry: Entry, tree: _Tree = tree) -> bool:
            return entry[2] != "SYMLINK" or tree.leads_somewhere(_posix(entry[0]))

        new_binaries = [e for e in kept_binaries if good(e)]
        new_datas = [e for e in kept_datas if good(e)]
        if len(new_binaries) + len(new_datas) == len(kept_binaries) + len(kept_datas):
            return new_binaries, new_datas
        kept_binaries, kept_datas = new_binaries, new_datas
