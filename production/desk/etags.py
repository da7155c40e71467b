"""The desk's live pages as last rendered, answered again from the store's change count.

The page asks for each live fragment every two seconds, and a packer reloads the board often.
What the board shows comes from the store, the session's form token and the time (packages
leave "recently shipped" after some days), so HTML rendered for a path and a session stays right
while the store's change count is the same and that time has not come. Then the answer is that
HTML again, or 304 to the browser that has it, without reading the board or rendering it; any
change renders it anew. The ETag is the hash of the HTML, so it changes exactly when what the
packer sees changes.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["Rendered", "RenderedPages"]

_KEPT = 64  # paths × sessions remembered; the oldest go first (this is only a shortcut)


@dataclass(frozen=True, slots=True)
class Rendered:
    html: str
    count: int  # the store's change count read before the page was rendered
    until: datetime | None  # when time alone changes the page
    tag: str = field(init=False)

    def __post_init__(self) -> None:
        digest = hashlib.sha256(self.html.encode()).hexdigest()[:32]
        object.__setattr__(self, "tag", f'"{digest}"')


class RenderedPages:
    """What was last rendered for each (path, session token); safe across threads."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, str], Rendered] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str], *, count: int, now: datetime) -> Rendered | None:
        """The page rendered for `key`, if it is still what the store and the time show."""
        with self._lock:
            kept = self._kept.get(key)
        if kept is None or kept.count != count or (kept.until is not None and now >= kept.until):
            return None
        return kept

    def keep(self, key: tuple[str, str], page: Rendered) -> Rendered:
        with self._lock:
            self._kept.pop(key, None)
            self._kept[key] = page
            while len(self._kept) > _KEPT:
                del self._kept[next(iter(self._kept))]
        return page
