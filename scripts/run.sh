#!/usr/bin/env bash
# Run Lanyard from this checkout: creates .venv on first use and installs Lanyard into it.
# With nothing configured (no client id in flags, environment or config file) it starts the
# offline sandbox demo; pass your own flags to override.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.lanyard-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  # keyring support (PyGObject) builds only where its -dev packages are installed; without it
  # Lanyard says in its status bar that the token cache is a plaintext file, and why
  .venv/bin/python -m pip install --quiet -e ".[secret]" 2>/dev/null || {
    echo "Note: no keyring support (PyGObject did not build); for it: apt-get install" \
      "libgirepository1.0-dev libcairo2-dev pkg-config gir1.2-secret-1, then delete $stamp" >&2
    .venv/bin/python -m pip install --quiet -e .
  }
  touch "$stamp"
fi
config_file="${LANYARD_CONFIG:-${XDG_CONFIG_HOME:-$HOME/.config}/lanyard/config.toml}"
if [ "$#" -eq 0 ] && [ -z "${LANYARD_CLIENT_ID:-}" ] && ! grep -qs '^\s*client_id' "$config_file"; then
  set -- --sandbox
fi
exec .venv/bin/python -m desktop_app "$@"
