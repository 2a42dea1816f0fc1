"""``python -m tests.support.policy_bootstrap POLICY_FILE... -- LANYARD_ARGS...``: Lanyard's real
entry point with managed_policy's seam pointed at the files given (tests/support/policy.py), for
tests that run Lanyard as a child process. Test-only: the installed Lanyard has no way to be
pointed elsewhere. Like tests/integration/test_headless.py's CHILD, it ends stderr with whether
Qt was ever imported."""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    split = argv.index("--")
    from desktop_app.core import managed_policy
    from tests.support.policy import source_for

    sources = [source_for(Path(path)) for path in argv[:split]]
    managed_policy.platform_sources = lambda: sources  # type: ignore[assignment]
    from desktop_app.__main__ import main as lanyard

    code = lanyard(argv[split + 1 :])
    sys.stderr.write("QT-IMPORTED" if "PySide6" in sys.modules else "NO-QT")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
