"""The C allocator of a render worker: memory a render freed kept for the next one.

A text render allocates and frees tens of megabytes of pictures (the proof's rasters, Pillow's
and NumPy's buffers). glibc's malloc gives every block of 128 KiB or more to the kernel when it
is freed (mmap threshold) and trims the heap's free top at 128 KiB: the next render asks for the
same memory again, page by page, and each page is a fault the kernel zeroes. That was about 900
faults and 2.5 ms of system time per text render, a tenth of its time. Raised thresholds keep
the memory in the worker, as the next render will need it anyway; what a worker may hold stays
capped by `render_limits.cap_memory` (the address space counts the kept memory as it counts the
memory in use).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

__all__ = ["KEEP_FREED_BYTES", "MMAP_THRESHOLD_BYTES", "keep_freed_memory"]

_M_TRIM_THRESHOLD = -1  # mallopt(3) parameters, glibc's malloc.h
_M_MMAP_THRESHOLD = -3

KEEP_FREED_BYTES = 64 * 1024 * 1024
"""Free memory at the top of the heap is given back only past this much."""

MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
"""Blocks smaller than this come from the heap, not each from a mapping of its own (glibc's
largest dynamic threshold on 64-bit systems; set, it stays there)."""


def keep_freed_memory() -> bool:
    """Tell glibc's malloc to keep freed memory (the thresholds above); False where the C
    library is not glibc or does not take them (the defaults then stay)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        mallopt = libc.mallopt
        if not hasattr(libc, "gnu_get_libc_version"):
            return False  # musl has a mallopt that does nothing
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    # The mmap threshold first: setting either one stops glibc's own adjustment of both.
    return bool(
        mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
        and mallopt(_M_TRIM_THRESHOLD, KEEP_FREED_BYTES)
    )
