"""Ending a finished command without the interpreter's teardown.

When `main` returns, Python frees every module and object one by one before the process ends:
about 70 ms after a render (NumPy, Pillow, reportlab, pdfium and ~300 modules), a quarter of
the text sample's whole run, for memory the kernel takes back at once anyway. A finished
command (one thread left) ends the way Python would, minus that freeing: the atexit handlers
run (logging's shutdown, temporary folders, the kept dataclass code), stdout and stderr are
flushed, then os._exit with the command's status. With threads still running, the ordinary
exit waits for them as usual.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn

__all__ = ["exit_now"]

_FLUSH_FAILED = 120  # what Python itself exits with when it cannot flush stdout at exit


def exit_now(code: int) -> NoReturn:
    if threading.active_count() > 1:
        sys.exit(code)  # someone's thread still works: Python's own exit joins it
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader went away, or the stream is closed
            code = code or _FLUSH_FAILED
    os._exit(code)
