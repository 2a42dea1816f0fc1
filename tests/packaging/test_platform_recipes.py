"""The Windows and macOS recipes, read here where they cannot run: the Inno Setup script, the spec,
make_dmg.sh and the installer workflow carry the fixes of issue 20 (items 4, 5 and 7), and the
numeric version the Windows version resource takes is derived from any PEP 440 version.

What only GitHub's runners show (ISCC compiling, signing, notarization, hdiutil) is listed in the
README's "What is tested where"."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.requirements import Requirement
from packaging.version import Version

from tests.conftest import REPO

# The oldest systems each pinned Qt runs on, as checked against PyPI: `pip download --no-deps
# --only-binary=:all: --platform macosx_13_0_universal2 PySide6-Essentials==6.11.3` finds
# pyside6_essentials-6.11.3-cp310-abi3-macosx_13_0_universal2.whl, with macosx_12_0 it finds
# none; Qt 6.11's "Qt for Windows" page: Windows 10 (1809 or later), build 17763.
QT_MINIMUMS = {"6.11.3": ("13.0", "10.0.17763")}


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


numeric = _load(REPO / "packaging" / "windows" / "numeric_version.py")
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
ISS = (REPO / "packaging" / "windows" / "lanyard.iss").read_text(encoding="utf-8")
SPEC = (REPO / "packaging" / "lanyard.spec").read_text(encoding="utf-8")
DMG = (REPO / "packaging" / "macos" / "make_dmg.sh").read_text(encoding="utf-8")
WORKFLOW = (REPO / ".github" / "workflows" / "installers.yml").read_text(encoding="utf-8")


def iss_sections(text: str) -> dict[str, list[str]]:
    """The Inno Setup script's lines by [Section], without comments (ISPP # lines are kept)."""
    sections: dict[str, list[str]] = {}
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        header = re.fullmatch(r"\[(\w+)\]", line)
        if header:
            current = header.group(1)
            continue
        sections.setdefault(current, []).append(line)
    return sections


def iss_entry(line: str) -> dict[str, str]:
    """One [Files]/[Icons] line: `Name: "value"; Flags: a b` as a dict."""
    fields = {}
    for part in re.findall(r'(\w+):\s*("[^"]*"|[^;]*)', line):
        fields[part[0]] = part[1].strip().strip('"')
    return fields


def workflow_job(name: str) -> str:
    match = re.search(rf"^  {name}:\n(.*?)(?=^  \w+:\n|\Z)", WORKFLOW, re.MULTILINE | re.DOTALL)
    assert match, name
    return match.group(1)


# -- item 7: a pre-release version gives a numeric a.b.c.d ------------------------------------


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("0.1.0", "0.1.0.0"),
        ("0.2.0rc1", "0.2.0.0"),
        ("1.0.dev3", "1.0.0.0"),
        ("1.4b2.post1+local.7", "1.4.0.0"),
        ("1!2.3.4.5", "2.3.4.5"),
        ("3", "3.0.0.0"),
    ],
)
def test_the_version_resource_number(version: str, expected: str) -> None:
    assert numeric.numeric_version(version) == expected


@pytest.mark.parametrize("version", ["", "v", "abc", "1.2.3.4.5", "70000.1", "0.1.65536"])
def test_a_version_windows_cannot_hold_is_refused(version: str) -> None:
    with pytest.raises(ValueError, match=r"version|a\.b\.c\.d"):
        numeric.numeric_version(version)


@given(
    st.lists(st.integers(0, 65535), min_size=1, max_size=4),
    st.sampled_from(["", "a1", "b2", "rc3", ".post4", ".dev5", "rc1.dev2", "+local"]),
)
def test_any_pep440_version_maps_to_its_release(release: list[int], suffix: str) -> None:
    version = ".".join(map(str, release)) + suffix
    expected = (*Version(version).release, 0, 0, 0)[:4]
    result = numeric.numeric_version(version)
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", result)
    assert tuple(int(p) for p in result.split(".")) == expected


def test_the_script_prints_pyprojects_number() -> None:
    result = subprocess.run(
        ["python3", str(REPO / "packaging" / "windows" / "numeric_version.py")],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert result.stdout == numeric.numeric_version(PYPROJECT["project"]["version"]) + "\n"


# -- item 5: the Qt release is pinned, and the minimum systems are its own ---------------------


def test_the_package_extra_pins_qt_and_the_recipes_state_its_minimums() -> None:
    pins = [Requirement(r) for r in PYPROJECT["project"]["optional-dependencies"]["package"]]
    qt = [r for r in pins if r.name.lower() == "pyside6-essentials"]
    assert len(qt) == 1
    (spec,) = list(qt[0].specifier)
    assert spec.operator == "=="
    assert spec.version in QT_MINIMUMS, f"check the minimum systems of Qt {spec.version}"
    mac, windows = QT_MINIMUMS[spec.version]
    # the pin must be one the run-time dependency allows
    (main,) = [
        Requirement(r)
        for r in PYPROJECT["project"]["dependencies"]
        if r.lower().startswith("pyside6-essentials")
    ]
    assert main.specifier.contains(spec.version)
    assert f'MACOS_MINIMUM = "{mac}"' in SPEC
    assert '"LSMinimumSystemVersion": MACOS_MINIMUM' in SPEC
    assert f"MinVersion={windows}" in iss_sections(ISS)["Setup"]


# -- item 7: signing, version resource, the console program on PATH ---------------------------


def test_the_inno_script_signs_both_programs_the_uninstaller_and_setup() -> None:
    sections = iss_sections(ISS)
    setup = sections["Setup"]
    assert "VersionInfoVersion={#AppVersionNumeric}" in setup
    at = setup.index("#ifdef SignTool")
    assert setup[at + 1 : at + 4] == ["SignTool={#SignTool}", "SignedUninstaller=yes", "#endif"]
    files = [iss_entry(line) for line in sections["Files"] if line.startswith("Source:")]
    by_source = {f["Source"]: f for f in files}
    for program in ("lanyard.exe", "lanyard-cli.exe"):
        assert "{#SignFlag}" in by_source[f"{{#BundleDir}}\\{program}"]["Flags"]
    rest = by_source["{#BundleDir}\\*"]
    assert rest["Excludes"] == "lanyard.exe,lanyard-cli.exe"  # not copied twice, unsigned
    assert '#define SignFlag " sign"' in sections["Files"]


def test_the_inno_script_puts_the_folder_on_the_users_path_and_takes_it_off() -> None:
    code = "\n".join(iss_sections(ISS)["Code"])
    assert "ChangesEnvironment=yes" in iss_sections(ISS)["Setup"]
    install = code[code.index("procedure CurStepChanged") :]
    assert "ssPostInstall" in install and "PathWithout(Paths, ExpandConstant('{app}'))" in install
    uninstall = code[code.index("procedure CurUninstallStepChanged") :]
    assert "usUninstall" in uninstall
    assert "SetUserPath(PathWithout(Paths, ExpandConstant('{app}')))" in uninstall


def test_the_windows_job_checks_exit_codes_and_finds_the_compiler_again() -> None:
    job = workflow_job("windows")
    assert job.count("-Wait -PassThru") == 3  # setup, the windowed program, the uninstaller
    assert 'throw "setup exited with' in job and 'throw "uninstaller exited with' in job
    choco = job.index("choco install innosetup")
    assert "$iscc = Find-Iscc" in job[choco:]  # looked up again after installing
    assert "/DAppVersionNumeric=${{ steps.version.outputs.numeric }}" in job
    assert "python packaging/windows/numeric_version.py" in job
    assert '"/DSignTool=lanyardsign"' in job and "/Slanyardsign=" in job
    assert "Get-AuthenticodeSignature" in job
    assert 'lanyard-cli.exe" --version' in job
    assert "-ne 2" in job  # the windowed program refuses --version without a console
    assert "dist\\lanyard-*-setup.exe" not in job  # no more signing of Setup alone, afterwards


# -- item 4 and 7: notarization finds its profile; hdiutil is retried --------------------------


def test_notarytool_is_told_the_keychain_the_profile_was_stored_in() -> None:
    job = workflow_job("macos")
    store = re.search(r"notarytool store-credentials .*?--keychain \"\$keychain\"", job, re.DOTALL)
    assert store
    assert 'echo "LANYARD_NOTARY_KEYCHAIN=$keychain" >> "$GITHUB_ENV"' in job
    assert 'keychain=(--keychain "$LANYARD_NOTARY_KEYCHAIN")' in DMG
    submit = next(line for line in DMG.splitlines() if "notarytool submit" in line)
    assert '${keychain[@]+"${keychain[@]}"}' in submit and "--keychain-profile" in submit


def test_the_macos_job_checks_every_frameworks_links_before_codesign() -> None:
    job = workflow_job("macos")
    check = job.index('for link in "$fw/Versions/Current" "$fw/$name" "$fw/Resources"; do')
    assert check < job.index("codesign --verify --deep --strict dist/Lanyard.app")
    assert '[ "$found" -gt 0 ]' in job


def test_make_dmg_retries_hdiutil_a_bounded_number_of_times() -> None:
    assert 'until hdiutil create -volname "Lanyard $version"' in DMG
    assert re.search(r'if \[ "\$attempt" -ge \d+ \]; then', DMG)
    subprocess.run(["bash", "-n", str(REPO / "packaging" / "macos" / "make_dmg.sh")], check=True)
