"""``python -m tests.benchmarks``: Lanyard's performance figures (see perf.py)."""

import sys

from tests.benchmarks.perf import main

sys.exit(main())
