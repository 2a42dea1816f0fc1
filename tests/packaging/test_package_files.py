"""The packaging inputs, checked without building anything: the desktop entry and AppStream
metainfo validate, the icons render in every size and container, the copyright file names every
Python distribution the bundle carries."""

from __future__ import annotations

import importlib.util
import re
import struct
import subprocess
import tomllib
from importlib.metadata import distribution
from pathlib import Path
from types import ModuleType

from packaging.requirements import Requirement
from PySide6.QtGui import QImage

from tests.conftest import REPO
from tests.support.deb_package import runtime_resources
from tests.support.xvfb import require

VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_deb = load(REPO / "packaging" / "linux" / "make_deb.py")
render_icons = load(REPO / "packaging" / "render_icons.py")


def test_desktop_entry_validates() -> None:
    require("desktop-file-validate", "validates the desktop entry (desktop-file-utils)")
    entry = REPO / "resources" / "lanyard.desktop"
    result = subprocess.run(
        ["desktop-file-validate", str(entry)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout


def test_metainfo_validates_with_the_release_filled_in(tmp_path: Path) -> None:
    require("appstreamcli", "validates the AppStream metainfo (appstream)")
    target = tmp_path / f"{make_deb.APP_ID}.metainfo.xml"
    target.write_bytes(make_deb.metainfo(VERSION, 1_767_225_600))  # 2026-01-01
    assert f'<release version="{VERSION}" date="2026-01-01"/>' in target.read_text()
    result = subprocess.run(
        ["appstreamcli", "validate", "--no-net", "--strict", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_changelog_is_a_debian_changelog_of_this_version() -> None:
    text = make_deb.changelog(VERSION, 1_767_225_600).decode()
    assert text.startswith(f"lanyard ({VERSION}) unstable; urgency=medium\n")
    assert re.search(r"\n -- .+ <.+@.+>  Thu, 01 Jan 2026 00:00:00 \+0000\n$", text)


def test_icons_render_in_every_size_and_container(qapp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    written = render_icons.render_all(tmp_path)
    for size in render_icons.HICOLOR_SIZES:
        image = QImage(str(tmp_path / f"hicolor/{size}x{size}/apps/lanyard.png"))
        assert (image.width(), image.height()) == (size, size)
        assert image.pixelColor(size // 2, size // 2).alpha() == 255  # the badge, not empty
    assert len(written) == len(render_icons.HICOLOR_SIZES) + 2

    ico = (tmp_path / "lanyard.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", ico)
    assert (reserved, kind, count) == (0, 1, len(render_icons.ICO_SIZES))
    for index, size in enumerate(sorted(render_icons.ICO_SIZES)):
        width, _, _, _, _, bits, length, offset = struct.unpack_from(
            "<BBBBHHII", ico, 6 + 16 * index
        )
        assert (width or 256, bits) == (size, 32)
        image = QImage.fromData(ico[offset : offset + length], "PNG")
        assert image.width() == size

    icns = (tmp_path / "lanyard.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack_from(">I", icns, 4)[0] == len(icns)
    position, kinds = 8, []
    while position < len(icns):
        kind, length = (
            icns[position : position + 4],
            struct.unpack_from(">I", icns, position + 4)[0],
        )
        image = QImage.fromData(icns[position + 8 : position + length], "PNG")
        assert image.width() == dict(render_icons.ICNS_TYPES)[kind]
        kinds.append(kind)
        position += length
    assert kinds == [kind for kind, _ in render_icons.ICNS_TYPES]


def runtime_distributions() -> set[str]:
    """Lanyard's installed run-time dependencies, recursively (what PyInstaller can bundle)."""
    seen: set[str] = set()
    todo: list[tuple[str, frozenset[str]]] = [("lanyard", frozenset())]
    while todo:
        name, extras = todo.pop()
        dist = distribution(name)
        key = re.sub(r"[-_.]+", "-", dist.metadata["Name"]).lower()
        if key in seen and not extras:
            continue
        seen.add(key)
        for line in dist.requires or []:
            requirement = Requirement(line)
            wanted = requirement.marker is None or any(
                requirement.marker.evaluate({"extra": extra}) for extra in (*extras, "")
            )
            if wanted:
                todo.append((requirement.name, frozenset(requirement.extras)))
    return seen - {"lanyard"}


def test_copyright_names_every_bundled_distribution() -> None:
    text = re.sub(r"[-_.]+", "-", (REPO / "packaging/linux/copyright").read_text().lower())
    distributions = runtime_distributions()
    assert {"msal", "pyside6-essentials", "requests", "portalocker"} <= distributions
    assert not sorted(d for d in distributions if d not in text)


def test_the_bundle_spec_carries_every_resource_the_code_reads() -> None:
    """The installed app once served the unstyled fallback page: resources/pages was not in the
    PyInstaller bundle. Each file the code reads from resources/ is named in the spec's datas
    (tests/packaging/test_deb.py finds each in the built bundle too)."""
    needed = runtime_resources(REPO / "desktop_app")
    assert {"pages/landing.html", "icons/lanyard.svg"} <= needed
    spec = (REPO / "packaging" / "lanyard.spec").read_text(encoding="utf-8")
    for relative in sorted(needed):
        *folders, name = relative.split("/")
        parts = " / ".join(f'"{part}"' for part in ("resources", *folders, name))
        assert f'(str(REPO / {parts}), "{"/".join(("resources", *folders))}")' in spec, relative
