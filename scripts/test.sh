#!/usr/bin/env bash
# Run Lanyard's checks and tests from this checkout: lint, format, types, then pytest.
# Creates .venv on first use. As root (CI) it also apt-get installs the system packages the
# tests drive for real (Xvfb and the libraries Qt's xcb platform plugin loads, the tools that
# build and validate the .deb, and the accessibility bus a screen reader reads).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

SYSTEM_PACKAGES=(
  xvfb xauth
  libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xfixes0 libxcb-xinerama0 libxcb-xkb1
  fonts-dejavu-core
  # the .deb tests: dpkg-shlibdeps, strip, desktop-file-validate, appstreamcli
  dpkg-dev binutils desktop-file-utils appstream
  # the token cache in a real Secret Service: a private D-Bus with gnome-keyring, and secret-tool
  # (libsecret's own client) to write and read items as a person or an older Lanyard would.
  # Lanyard itself needs none of it to build: secretstorage speaks D-Bus in pure Python
  dbus gnome-keyring libsecret-tools
  # the real-browser end-to-end test: Debian's chromium, and certutil to trust the sandbox CA
  chromium libnss3-tools
  # a window manager for the window-placement test (tests/gui/test_placement.py)
  openbox
  # pymsalruntime (msal[broker], in the test extra) loads WebKitGTK: with it, the broker tests
  # see what a Linux desktop without the Microsoft identity broker sees (no broker answers)
  libwebkit2gtk-4.1-0
  # the screen reader test: the accessibility bus (at-spi2-core) and pyatspi for Debian's
  # python3, the client that reads the window's tree as Orca does (tests/gui/test_atspi_tree.py)
  at-spi2-core python3-pyatspi
)
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  missing=()
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "== apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  echo "== not root: skipping apt-get; tests that need Xvfb or gnome-keyring skip when it is missing (fail under CI=true)"
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.lanyard-test-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[test]"
  touch "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"

echo "== ruff check"; ruff check .
echo "== ruff format --check"; ruff format --check .
echo "== mypy (strict)"; mypy
echo "== import-linter (the layers: pyproject.toml)"; lint-imports
echo "== pytest"
QT_QPA_PLATFORM=offscreen python -m pytest "$@"
