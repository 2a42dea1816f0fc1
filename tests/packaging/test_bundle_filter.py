"""packaging/bundle_filter.py, the spec's trimming, on trees shaped like the real bundles: a macOS
Qt ``.framework`` keeps the symlinks codesign needs, what is dropped takes its links with it.

The TOC entries are spelled as PyInstaller 6.22's ``utils/osx.py:collect_files_from_framework_bundles``
and ``depend/bindepend.py`` make them; the kept ones are then laid out the way COLLECT does
(``os.symlink(src, dest)`` for a SYMLINK entry) and the result is walked on the real file system.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path
from types import ModuleType

from tests.conftest import REPO

Entry = tuple[str, str, str]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bundle_filter", REPO / "packaging" / "bundle_filter.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bundle_filter = _load()
LIB = "PySide6/Qt/lib"


def framework(source: Path, name: str) -> list[Entry]:
    """A versioned framework as PySide6's macOS wheel installs it, and its TOC entries."""
    root = source / LIB / f"{name}.framework"
    (root / "Versions" / "A" / "Resources").mkdir(parents=True)
    binary = root / "Versions" / "A" / name
    binary.write_bytes(b"\xcf\xfa\xed\xfe" + name.encode())
    (root / "Versions" / "A" / "Resources" / "Info.plist").write_text(f"<plist>{name}</plist>")
    dest = f"{LIB}/{name}.framework"
    return [
        (f"{dest}/Versions/A/{name}", str(binary), "BINARY"),
        (
            f"{dest}/Versions/A/Resources/Info.plist",
            str(binary.parent / "Resources/Info.plist"),
            "DATA",
        ),
        # collect_files_from_framework_bundles: Current -> A, <name> and Resources through it
        (f"{dest}/Versions/Current", "A", "SYMLINK"),
        (f"{dest}/{name}", f"Versions/Current/{name}", "SYMLINK"),
        (f"{dest}/Resources", "Versions/Current/Resources", "SYMLINK"),
        # bindepend: the library linked from the top-level folder
        (name, f"{dest}/Versions/A/{name}", "SYMLINK"),
    ]


def collect(entries: list[Entry], dist: Path) -> None:
    """Lay the entries out as PyInstaller's COLLECT does."""
    for dest, src, typecode in entries:
        target = dist / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        if typecode == "SYMLINK":
            os.symlink(src, target)
        else:
            shutil.copyfile(src, target)


def test_a_qt_framework_keeps_every_link_codesign_needs(tmp_path: Path) -> None:
    source = tmp_path / "site-packages"
    binaries: list[Entry] = []
    datas: list[Entry] = []
    for name in ("QtCore", "QtGui", "QtQml"):  # QtQml is excluded by the spec
        for entry in framework(source, name):
            (datas if entry[2] == "DATA" else binaries).append(entry)
    kept_binaries, kept_datas = bundle_filter.trim(binaries, datas)
    kept = kept_binaries + kept_datas
    dist = tmp_path / "dist"
    collect(kept, dist)

    links = sorted(dest for dest, _, typecode in kept if typecode == "SYMLINK")
    assert links == sorted(
        [
            *(
                f"{LIB}/{n}.framework/{p}"
                for n in ("QtCore", "QtGui")
                for p in ("Versions/Current", n, "Resources")
            ),
            "QtCore",
            "QtGui",
        ]
    )
    for name in ("QtCore", "QtGui"):
        root = dist / LIB / f"{name}.framework"
        assert os.readlink(root / "Versions" / "Current") == "A"
        assert (root / name).read_bytes().endswith(name.encode())  # through Current
        assert (root / "Resources" / "Info.plist").read_text() == f"<plist>{name}</plist>"
        assert (dist / name).resolve() == (root / "Versions" / "A" / name).resolve()
    # nothing of the dropped framework is left, not even a dangling link
    assert not any("QtQml" in dest for dest, _, _ in kept)
    for path in dist.rglob("*"):
        assert path.exists(), f"dangling: {path.relative_to(dist)}"


def test_links_are_judged_by_where_their_chain_ends(tmp_path: Path) -> None:
    (tmp_path / "lib.so.1.2").write_bytes(b"ELF")
    binaries: list[Entry] = [
        ("lib/libx.so.1.2", str(tmp_path / "lib.so.1.2"), "BINARY"),
        ("lib/libx.so.1", "libx.so.1.2", "SYMLINK"),
        ("lib/libx.so", "libx.so.1", "SYMLINK"),  # a chain: link -> link -> file
        ("libx.so", "lib/libx.so", "SYMLINK"),  # and a chain through a folder
        ("lib/dangling.so", "gone.so", "SYMLINK"),  # its target was never collected
        ("lib/loop-a", "loop-b", "SYMLINK"),
        ("lib/loop-b", "loop-a", "SYMLINK"),
        ("lib/absolute", "/usr/lib/libx.so", "SYMLINK"),
        ("lib/outside", "../../etc/passwd", "SYMLINK"),
        ("plugins-dir", "lib", "SYMLINK"),  # a folder that holds something kept
        ("empty-dir", "PySide6/Qt/plugins/sqldrivers", "SYMLINK"),  # a folder trimmed empty
        ("PySide6/Qt/plugins/sqldrivers/libqsqlite.dylib", str(tmp_path / "lib.so.1.2"), "BINARY"),
        # a link to a dropped file, and a link that pointed through that link
        ("QtQml", "PySide6/Qt/lib/QtQml.framework/QtQml", "SYMLINK"),
        ("qml-alias", "QtQml", "SYMLINK"),
    ]
    kept, _ = bundle_filter.trim(binaries, [])
    assert sorted(dest for dest, _, _ in kept) == sorted(
        ["lib/libx.so.1.2", "lib/libx.so.1", "lib/libx.so", "libx.so", "plugins-dir"]
    )
    collect(kept, tmp_path / "dist")
    assert (tmp_path / "dist" / "libx.so").read_bytes() == b"ELF"
    assert (tmp_path / "dist" / "plugins-dir" / "libx.so.1").read_bytes() == b"ELF"


def test_windows_spellings_are_the_same_paths() -> None:
    binaries: list[Entry] = [
        ("PySide6\\Qt6Core.dll", "C:\\py\\PySide6\\Qt6Core.dll", "BINARY"),
        ("Qt6Core.dll", "PySide6\\Qt6Core.dll", "SYMLINK"),
        ("PySide6\\Qt6Qml.dll", "C:\\py\\PySide6\\Qt6Qml.dll", "BINARY"),
        ("Qt6Qml.dll", "PySide6\\Qt6Qml.dll", "SYMLINK"),
        ("PySide6\\plugins\\platforms\\qwindows.dll", "C:\\q.dll", "BINARY"),
        ("PySide6\\plugins\\platforms\\qminimal.dll", "C:\\m.dll", "BINARY"),
    ]
    datas: list[Entry] = [
        ("PySide6\\translations\\qtbase_de.qm", "C:\\t.qm", "DATA"),
        ("PySide6\\translations\\qtbase_fr.qm", "C:\\f.qm", "DATA"),
        ("lanyard-0.1.0.dist-info\\RECORD", "C:\\RECORD", "DATA"),
        ("lanyard-0.1.0.dist-info\\METADATA", "C:\\METADATA", "DATA"),
    ]
    kept_binaries, kept_datas = bundle_filter.trim(binaries, datas)
    assert [e[0] for e in kept_binaries] == [
        "PySide6\\Qt6Core.dll",
        "Qt6Core.dll",
        "PySide6\\plugins\\platforms\\qwindows.dll",
    ]
    # Qt's translations in the languages Lanyard ships only (ui/translation.py)
    assert [e[0] for e in kept_datas] == [
        "PySide6\\translations\\qtbase_de.qm",
        "lanyard-0.1.0.dist-info\\METADATA",
    ]


def test_the_spec_uses_the_tested_filter() -> None:
    spec = (REPO / "packaging" / "lanyard.spec").read_text(encoding="utf-8")
    assert "from bundle_filter import trim" in spec
    assert "a.binaries, a.datas = trim(a.binaries, a.datas)" in spec
    assert "def target_kept" not in spec and "def keep" not in spec
