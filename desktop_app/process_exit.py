"""A terminal command's process ends without the interpreter's teardown.

Once ``lanyard whoami`` or ``lanyard token`` has written its answer, what is left of a normal
exit is tearing down every module and object of msal, requests and Lanyard, one by one: about
25 ms of a 180 ms whoami (issue 19, item 4), for memory the kernel frees at once with the
process. What a normal exit does that matters is done first: the atexit functions (logging's
flush and close, weakref finalizers such as a temporary folder's removal, coverage's report), then
stdout and stderr flushed. A thread that is not a daemon still running (none is, after a terminal
command) gets the normal exit, which waits for it.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn

# what CPython exits with when flushing stdout or stderr at the end fails (Py_RunMain)
EXIT_FLUSH_FAILED = 120


def end_process(code: int) -> NoReturn:
    main = threading.main_thread()
    if any(t is not main and not t.daemon and t.is_alive() for t in threading.enumerate()):
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # the windowed lanyard.exe (console.py)
            continue
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader left (EPIPE), or it was closed
            code = EXIT_FLUSH_FAILED
    os._exit(code)
