"""The floor's event log: one structured event per state change, as a line of JSON on stderr.

Events carry ids, states, causes and durations, never buyer text (names, addresses, the words
on a design): a log is kept longer than the data it describes. The daemon logs them; a
one-off command at a terminal (`production done`) keeps `quiet`: what it changed is in the
store's audit trail, and the person reads the command's own one-line answer.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

__all__ = ["EventLog", "json_lines", "quiet"]

EventLog = Callable[[dict[str, object]], None]
"""Receives one structured event per state change; never buyer text."""


def json_lines(event: dict[str, object]) -> None:
    # One write per line: threads (intake, companions, desk) log beside the loop, and a print
    # writes the text and its newline separately, which could splice two events into one line.
    sys.stderr.write(json.dumps(event, ensure_ascii=False, default=str) + "\n")
    sys.stderr.flush()


def quiet(event: dict[str, object]) -> None:
    """An event log that keeps nothing (the store's audit trail has every state change)."""
