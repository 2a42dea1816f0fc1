"""The a.b.c.d a Windows version resource takes (Inno Setup's VersionInfoVersion), from the
version in pyproject.toml, which may be a pre-release ("0.2.0rc1", "1.0.dev3") that Windows
refuses: the release numbers, padded to four, each at most 65535.

    python packaging/windows/numeric_version.py            # pyproject.toml's version
    python packaging/windows/numeric_version.py 0.2.0rc1   # -> 0.2.0.0
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

# PEP 440's release part; what follows (a, b, rc, .post, .dev, +local) has no place in a.b.c.d
_RELEASE = re.compile(r"^\s*v?(?:\d+!)?(\d+(?:\.\d+)*)")


def numeric_version(version: str) -> str:
    match = _RELEASE.match(version)
    if not match:
        raise ValueError(f"{version!r} is not a PEP 440 version")
    parts = [int(p) for p in match.group(1).split(".")]
    if len(parts) > 4 or any(p > 65535 for p in parts):
        raise ValueError(f"{version!r} does not fit a.b.c.d with each at most 65535")
    return ".".join(str(p) for p in [*parts, 0, 0, 0][:4])


def main(argv: list[str]) -> int:
    if argv:
        version = argv[0]
    else:
        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        version = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    try:
        print(numeric_version(version))
    except ValueError as exc:
        print(f"numeric_version.py: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
