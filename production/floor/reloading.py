"""Re-reading the shop's configuration while the daemon runs, when a person asks for it.

A person fixes the configuration (a font alias in shop.toml, a template in products.toml, a
hot folder in printers.toml) and releases the held job; the job must be rendered with what
they fixed, without a restart. So the daemon re-reads its configuration folder when:

- a command releases jobs (`production retry`, any form; `production approve`): it writes a
  new token into `data_dir/reload` (`ask_daemon_to_reload`) before it changes the store;
- the desk page's Retry or Approve is pressed (`ConfigReload.request`, same process);
- the daemon gets SIGHUP (`systemctl reload production`).

It looks at the start of every pass and again just before rendering jobs a person released,
so a retry is rendered with the configuration as it was when the retry was made.

What changes at once: printers and their devices, products and templates, fonts (folders,
aliases: the font index is built again), assets, the shop's name on tickets, the settle time,
retention days, and the render workers, which are started again with the new settings (each
builds its renderer from them). What keeps its old value until a restart, said in the log
line: the data folder, the inbox, the number of render workers, `[desk]` and `[amazon]` (their
servers and clients were built at start), and whether companion items are handled at all.

A configuration that does not load (or whose fonts or devices cannot be set up) changes
nothing: the daemon goes on with the one it has and logs the error in one line.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from production.config.settings import Settings, load_settings
from production.core.clock import utc_now
from production.core.errors import ProductionError
from production.core.files import write_atomically
from production.floor.folders import Folders

if TYPE_CHECKING:
    from production.floor.pipeline import Pipeline

__all__ = ["ConfigReload", "ask_daemon_to_reload", "restart_needed"]

Loader = Callable[[Path], Settings]
Reloaded = Callable[[Settings], None]


def ask_daemon_to_reload(folders: Folders) -> None:
    """Ask a daemon running on this data folder to re-read its configuration before its next
    render (from another process: the command line)."""
    folders.root.mkdir(parents=True, exist_ok=True)
    write_atomically(folders.reload, uuid.uuid4().hex.encode(), sync_folder=False)


def restart_needed(old: Settings, new: Settings) -> list[str]:
    """What differs between `old` and `new` that a running daemon cannot take over."""
    changed = []
    for name, before, after in (
        ("[shop] data_dir", old.shop.data_dir, new.shop.data_dir),
        ("[shop] inbox", old.shop.inbox, new.shop.inbox),
        ("[shop] render_workers", old.shop.render_workers, new.shop.render_workers),
        ("[desk]", old.desk, new.desk),
        ("[amazon]", old.amazon, new.amazon),
        ("companion items in products.toml", _companions(old), _companions(new)),
    ):
        if before != after:
            changed.append(name)
    return changed


def _companions(settings: Settings) -> bool:
    return any(product.companions for product in settings.products)


def _kept_until_restart(old: Settings, new: Settings) -> Settings:
    shop = dataclasses.replace(
        new.shop,
        data_dir=old.shop.data_dir,
        inbox=old.shop.inbox,
        render_workers=old.shop.render_workers,
    )
    return dataclasses.replace(new, shop=shop, desk=old.desk, amazon=old.amazon)


class ConfigReload:
    """Knows when a person asked for the configuration to be read again, and does it."""

    def __init__(
        self,
        pipeline: Pipeline,
        *,
        load: Loader = load_settings,
        on_reload: Sequence[Reloaded] = (),
    ) -> None:
        self.pipeline = pipeline
        self.load = load
        # Told the settings after the pipeline took them (buyer-data deletion, the watcher).
        self.on_reload = list(on_reload)
        self._asked = False
        self._token = b""

    def start(self) -> None:
        """Take the configuration as loaded now; what asks from here on is asked anew."""
        self._token = self._read_token()
        # A retry asks for the configuration to be read again before its job renders.
        self.pipeline.before_rerender = self.check

    def request(self) -> None:
        """Re-read before the next render (from any thread, or a signal handler)."""
        self._asked = True

    def check(self) -> bool:
        """Re-read the configuration if asked since the last look; True if it was re-read."""
        token = self._read_token()
        if not self._asked and token == self._token:
            return False
        self._asked, self._token = False, token
        return self.reload()

    def reload(self) -> bool:
        """Re-read the configuration folder now; False (and one error line) if it is kept."""
        old = self.pipeline.settings
        try:
            new = self.load(old.root)
            kept = restart_needed(old, new)
            new = _kept_until_restart(old, new)
            changed = new != old
            if changed:  # else the render workers need not start again
                self.pipeline.reconfigure(new)
        except Exception as exc:  # noqa: BLE001 - whatever is wrong, the old configuration runs on
            self._log_kept(exc)
            return False
        if changed:
            for reloaded in self.on_reload:
                reloaded(new)
        event: dict[str, object] = {
            "time": _now(),
            "state": "config reloaded",
            "changed": changed,
            "printers": len(new.printers),
            "products": len(new.products),
        }
        if kept:
            event |= {
                "level": "warning",
                "restart_needed": kept,
                "reason": "changed in the configuration, but kept as they were until the daemon "
                f"is restarted: {', '.join(kept)}",
            }
        self.pipeline.log(event)
        return True

    def _log_kept(self, exc: Exception) -> None:
        reason = str(exc) if isinstance(exc, ProductionError) else type(exc).__name__
        self.pipeline.log(
            {
                "time": _now(),
                "state": "config kept",
                "level": "error",
                "cause": "configuration",
                # One line: a TOML error's message may span several.
                "reason": " ".join(f"the configuration was not reloaded: {reason}".split()),
            }
        )

    def _read_token(self) -> bytes:
        try:
            return self.pipeline.folders.reload.read_bytes()
        except OSError:
            return b""


def _now() -> str:
    return utc_now().isoformat(timespec="milliseconds")
