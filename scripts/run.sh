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
  # the keyring support (secretstorage, pure Python) comes with it: no compiler, no -dev packages
  .venv/bin/python -m pip install --quiet -e .
  touch "$stamp"
fi
config_file="${LANYARD_CONFIG:-${XDG_CONFIG_HOME:-$HOME/.config}/lanyard/config.toml}"
if [ "$#" -eq 0 ] && [ -z "${LANYARD_CLIENT_ID:-}" ] && ! grep -qs '^\s*client_id' "$config_file"; then
  set -- --sandbox
fi
exec .venv/bin/python -m desktop_app "$@"
