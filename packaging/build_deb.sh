#!/usr/bin/env bash
# Build dist/lanyard_<version>_<arch>.deb from this checkout, in one command:
#   bash packaging/build_deb.sh
# Uses build/venv (created if missing) with the `package` extra (the pinned PyInstaller), renders the
# icons from the SVG, freezes Lanyard with packaging/lanyard.spec, then lays out and builds the
# package (packaging/linux/make_deb.py). Needs dpkg-dev (dpkg-shlibdeps) and binutils (strip).
# Reproducible: SOURCE_DATE_EPOCH defaults to the last commit's time and PYTHONHASHSEED is fixed,
# so the same checkout and the same installed packages give the same .deb.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

for tool in dpkg-deb dpkg-shlibdeps strip; do
  if ! command -v "$tool" >/dev/null; then
    echo "build_deb.sh: $tool is missing (apt-get install dpkg-dev binutils)" >&2
    exit 1
  fi
done

# A venv of its own, holding only Lanyard's run-time dependencies and the pinned PyInstaller:
# test tools in a development venv would be found by optional imports and frozen in too.
VENV=${LANYARD_BUILD_VENV:-build/venv}
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi
# every time: refreshes the package metadata (version, README) the bundle carries
# (the Secret Service support, secretstorage on jeepney, is a normal dependency: pure Python)
"$VENV/bin/python" -m pip install --quiet -e ".[package]"

if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || stat -c %Y pyproject.toml)
fi
export SOURCE_DATE_EPOCH
export PYTHONHASHSEED=0
umask 022

start=$(date +%s)
rm -rf build/icons dist/lanyard
"$VENV/bin/python" packaging/render_icons.py build/icons >/dev/null
"$VENV/bin/pyinstaller" packaging/lanyard.spec --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller
frozen=$(date +%s)
"$VENV/bin/python" packaging/linux/make_deb.py --bundle dist/lanyard --icons build/icons --out dist
echo "build time:     $((frozen - start)) s PyInstaller, $(($(date +%s) - frozen)) s package"
