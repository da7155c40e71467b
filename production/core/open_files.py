"""The daemon's own open-file limit, raised to what the system allows it.

Many systems start services with a soft limit of 1024 (some containers 128) under a hard limit
of a million: the desk's connections, the store, the inbox watcher, render workers' pipes and
the hot folders all draw from the one soft limit. Raising soft to hard needs no privilege.
"""

from __future__ import annotations

import resource

__all__ = ["raise_open_file_limit"]


def raise_open_file_limit() -> tuple[int, int]:
    """Raise this process's soft RLIMIT_NOFILE to its hard limit; (before, after).

    Where the system refuses (a hard limit it will not grant as soft), the limit stays as it
    was: the daemon runs with fewer files rather than not at all.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == hard:
        return soft, soft
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ValueError, OSError):
        return soft, soft
    return soft, hard
