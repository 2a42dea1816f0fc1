"""Turn the PyInstaller folder into a Debian package with dpkg-deb, reproducibly.

    SOURCE_DATE_EPOCH=... python packaging/linux/make_deb.py --bundle dist/lanyard \
        --icons build/icons --out dist

Lays out the package tree (the bundle under /opt/lanyard, /usr/bin/lanyard, the desktop entry,
hicolor icons, AppStream metainfo, copyright and changelog), derives Depends with dpkg-shlibdeps
from the bundle's ELF files, and builds lanyard_<version>_<arch>.deb. Every file gets the same
mtime (SOURCE_DATE_EPOCH), root ownership and 0644/0755 modes, so the same inputs give the same
bytes. Prints the bundle size, the .deb size and the installed size.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
APP_ID = "io.github.lanyard.Lanyard"
MAINTAINER = "The Lanyard team <lanyard@users.noreply.github.com>"
INSTALL_DIR = "opt/lanyard"
# Plugins a desktop may load but Lanyard runs without (X11 is always there: Qt falls back to xcb
# under XWayland): what only they need is Recommended, not Depended on.
OPTIONAL_ELF = re.compile(
    r"plugins/(platformthemes/libqgtk3|platforms/libqwayland|wayland-[^/]+/)|libQt6WaylandClient"
)
DESCRIPTION = """\
Description: Sign in with Microsoft Entra ID and see your profile and app roles
 Lanyard is a desktop program for people who sign in with Microsoft Entra ID
 (Azure AD). Sign in once in your own web browser, and Lanyard shows your
 Microsoft Graph profile and photo, and the app roles in your sign-in. It
 keeps you signed in across restarts with an encrypted token cache.
 .
 Run "lanyard --sandbox" for an offline demo against a built-in identity
 provider.
"""


def project_version() -> str:
    with open(REPO / "pyproject.toml", "rb") as handle:
        version: str = tomllib.load(handle)["project"]["version"]
    return version


def is_elf(path: Path) -> bool:
    if path.is_symlink() or not path.is_file():
        return False
    with open(path, "rb") as handle:
        return handle.read(4) == b"\x7fELF"


def copy_bundle(bundle: Path, target: Path) -> None:
    shutil.copytree(bundle, target, symlinks=True)


def copy_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def write_file(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def gzip_bytes(data: bytes, epoch: int) -> bytes:
    """gzip -9n: no file name, a fixed timestamp."""
    with tempfile.SpooledTemporaryFile() as raw:
        with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=raw, mtime=epoch) as gz:
            gz.write(data)
        raw.seek(0)
        return raw.read()


def changelog(version: str, epoch: int) -> bytes:
    when = format_datetime(datetime.fromtimestamp(epoch, UTC))
    return (
        f"lanyard ({version}) unstable; urgency=medium\n\n"
        f"  * Lanyard {version}.\n\n"
        f" -- {MAINTAINER}  {when}\n"
    ).encode()


def metainfo(version: str, epoch: int) -> bytes:
    text = (REPO / "resources" / f"{APP_ID}.metainfo.xml").read_text(encoding="utf-8")
    day = datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d")
    release = f'<release version="{version}" date="{day}"/>'
    if "<!-- @RELEASES@ -->" not in text:
        raise SystemExit("the metainfo file has lost its <!-- @RELEASES@ --> marker")
    return text.replace("<!-- @RELEASES@ -->", release).encode()


def lay_out(root: Path, bundle: Path, icons: Path, version: str, epoch: int) -> None:
    copy_bundle(bundle, root / INSTALL_DIR)
    (root / "usr/bin").mkdir(parents=True)
    (root / "usr/bin/lanyard").symlink_to(f"/{INSTALL_DIR}/lanyard")
    share = root / "usr/share"
    copy_file(REPO / "resources/lanyard.desktop", share / "applications/lanyard.desktop")
    copy_file(
        REPO / "resources/icons/lanyard.svg", share / "icons/hicolor/scalable/apps/lanyard.svg"
    )
    pngs = sorted((icons / "hicolor").glob("*/apps/lanyard.png"))
    if not pngs:
        raise SystemExit(f"no PNG icons in {icons}: run packaging/render_icons.py first")
    for png in pngs:
        copy_file(png, share / "icons/hicolor" / png.relative_to(icons / "hicolor"))
    write_file(share / f"metainfo/{APP_ID}.metainfo.xml", metainfo(version, epoch))
    doc = share / "doc/lanyard"
    copy_file(REPO / "packaging/linux/copyright", doc / "copyright")
    write_file(doc / "changelog.gz", gzip_bytes(changelog(version, epoch), epoch))


def shlibdeps(root: Path, files: list[Path]) -> list[str]:
    """dpkg-shlibdeps' answer for these ELF files: ['libc6 (>= 2.34)', ...]."""
    if not files:
        return []
    private = sorted({str(p.parent) for p in root.joinpath(INSTALL_DIR).rglob("*.so*")})
    with tempfile.TemporaryDirectory() as work:
        # dpkg-shlibdeps reads the package names from debian/control in its working directory
        Path(work, "debian").mkdir()
        Path(work, "debian/control").write_text(
            "Source: lanyard\n\nPackage: lanyard\nArchitecture: any\n", encoding="utf-8"
        )
        result = subprocess.run(
            [
                "dpkg-shlibdeps",
                "-O",
                "--warnings=0",
                "--ignore-missing-info",  # the bundle's own libraries come from no package
                *(f"-l{d}" for d in private),
                *map(str, files),
            ],
            cwd=work,
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise SystemExit(f"dpkg-shlibdeps failed:\n{result.stderr}")
    match = re.search(r"^shlibs:Depends=(.*)$", result.stdout, re.MULTILINE)
    return [d.strip() for d in match.group(1).split(",")] if match else []


def package_name(dependency: str) -> str:
    return dependency.split()[0]


def dependencies(root: Path) -> tuple[list[str], list[str]]:
    elves = sorted(p for p in root.joinpath(INSTALL_DIR).rglob("*") if is_elf(p))
    optional = [p for p in elves if OPTIONAL_ELF.search(str(p.relative_to(root)))]
    core = [p for p in elves if p not in optional]
    depends = shlibdeps(root, core)  # the keyring needs none: secretstorage speaks D-Bus itself
    needed = {package_name(d) for d in depends}
    recommends = [d for d in shlibdeps(root, optional) if package_name(d) not in needed]
    return depends, recommends


def normalise(root: Path, epoch: int) -> None:
    """Modes 0755 for directories and executables, 0644 for the rest; one mtime for all."""
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_symlink():
            os.utime(path, (epoch, epoch), follow_symlinks=False)
            continue
        if path.is_dir():
            path.chmod(0o755)
        else:
            path.chmod(0o755 if path.stat().st_mode & 0o111 else 0o644)
        os.utime(path, (epoch, epoch))
    root.chmod(0o755)
    os.utime(root, (epoch, epoch))


def tree_size_kib(root: Path) -> int:
    """What dpkg-gencontrol would write as Installed-Size: KiB, each file rounded up."""
    total = 0
    for path in root.rglob("*"):
        if path.is_relative_to(root / "DEBIAN"):
            continue
        size = path.lstat().st_size if path.is_symlink() or path.is_file() else 0
        total += (size + 1023) // 1024 or 1
    return total


def write_control(
    root: Path, version: str, arch: str, depends: list[str], recommends: list[str]
) -> int:
    installed = tree_size_kib(root)
    fields = [
        "Package: lanyard",
        f"Version: {version}",
        f"Architecture: {arch}",
        f"Maintainer: {MAINTAINER}",
        f"Installed-Size: {installed}",
        f"Depends: {', '.join(depends)}",
    ]
    if recommends:
        fields.append(f"Recommends: {', '.join(recommends)}")
    fields += ["Section: utils", "Priority: optional"]
    debian = root / "DEBIAN"
    (debian / "control").write_text("\n".join(fields) + "\n" + DESCRIPTION, encoding="utf-8")
    sums = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and not path.is_relative_to(debian):
            digest = hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
            sums.append(f"{digest}  {path.relative_to(root)}")
    (debian / "md5sums").write_text("\n".join(sums) + "\n", encoding="utf-8")
    return installed


def human(size_bytes: float) -> str:
    return f"{size_bytes / 1_000_000:.1f} MB"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=REPO / "dist" / "lanyard")
    parser.add_argument("--icons", type=Path, default=REPO / "build" / "icons")
    parser.add_argument("--out", type=Path, default=REPO / "dist")
    parser.add_argument("--work", type=Path, default=REPO / "build" / "deb")
    # xz -6 (dpkg-deb's default): -9 saves under 1 MB here and takes twice as long
    parser.add_argument("--compression-level", default="6")
    args = parser.parse_args(argv)
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0")) or None
    if epoch is None:
        raise SystemExit("set SOURCE_DATE_EPOCH (packaging/build_deb.sh does)")
    for tool in ("dpkg-deb", "dpkg-shlibdeps"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing: apt-get install dpkg-dev")
    version = project_version()
    arch = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()

    root = args.work / "root"
    if args.work.exists():
        shutil.rmtree(args.work)
    args.work.mkdir(parents=True)
    lay_out(root, args.bundle, args.icons, version, epoch)
    (root / "DEBIAN").mkdir()  # dpkg-shlibdeps finds the package root ($ORIGIN) by it
    depends, recommends = dependencies(root)
    normalise(root, epoch)
    installed_kib = write_control(root, version, arch, depends, recommends)
    normalise(root / "DEBIAN", epoch)

    args.out.mkdir(parents=True, exist_ok=True)
    deb = args.out / f"lanyard_{version}_{arch}.deb"
    subprocess.run(
        [
            "dpkg-deb",
            "--root-owner-group",
            "-Zxz",
            f"-z{args.compression_level}",
            "--build",
            str(root),
            str(deb),
        ],
        check=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": str(epoch)},
        stdout=subprocess.DEVNULL,
    )
    bundle_bytes = sum(
        p.lstat().st_size for p in args.bundle.rglob("*") if p.is_file() or p.is_symlink()
    )
    print(f"Depends: {', '.join(depends)}")
    print(f"Recommends: {', '.join(recommends)}")
    print(f"bundle size:    {human(bundle_bytes)} ({args.bundle})")
    print(f".deb size:      {human(deb.stat().st_size)} ({deb})")
    print(f"installed size: {human(installed_kib * 1024)} (Installed-Size {installed_kib} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
