"""The ETags of the desk's live fragments, answered from the store's change count.

The page asks for each live fragment every two seconds. A fragment is rendered from the store,
the session's CSRF token and the time (packages leave "recently shipped" after some days), so
the tag last sent for a fragment and a session stays right while the store's change count is
the same and that time has not come: then the answer is 304 without reading the board or
rendering it. Otherwise the fragment is rendered, and its tag is the hash of the HTML, so it
changes exactly when what the packer sees changes.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime

__all__ = ["FragmentTags", "tag_of"]

_KEPT = 256  # fragments × sessions remembered; the oldest go first (a tag is only a shortcut)


@dataclass(frozen=True, slots=True)
class _Sent:
    count: int  # the store's change count read before the fragment was rendered
    until: datetime | None  # when time alone changes the fragment
    tag: str


def tag_of(html: str) -> str:
    return '"' + hashlib.sha256(html.encode()).hexdigest()[:32] + '"'


class FragmentTags:
    """What was last sent for each (fragment path, session token); safe across threads."""

    def __init__(self) -> None:
        self._sent: dict[tuple[str, str], _Sent] = {}
        self._lock = threading.Lock()

    def still(self, key: tuple[str, str], *, count: int, now: datetime, tag: str | None) -> bool:
        """Whether `tag`, the browser's, is the one sent for `key` and still true now."""
        if tag is None:
            return False
        with self._lock:
            sent = self._sent.get(key)
        return (
            sent is not None
            and sent.tag == tag
            and sent.count == count
            and (sent.until is None or now < sent.until)
        )

    def remember(
        self, key: tuple[str, str], *, count: int, until: datetime | None, tag: str
    ) -> None:
        with self._lock:
            self._sent.pop(key, None)
            self._sent[key] = _Sent(count, until, tag)
            while len(self._sent) > _KEPT:
                del self._sent[next(iter(self._sent))]
