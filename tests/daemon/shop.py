"""A shop in a temporary folder, driven one daemon pass at a time with a hand-wound clock."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from production.config.settings import DEFAULT_CONFIG_DIR, load_settings
from production.customization.samples import SAMPLES_DIR
from production.floor.daemon import Daemon
from production.floor.folders import Folders
from production.floor.inbox import Inbox
from production.floor.pipeline import Pipeline
from production.floor.render_pool import RendererFactory, RenderPool
from production.floor.rendering import ItemRenderer
from production.retention.purge import Retention
from production.store import JobRecord, JobState
from production.store.factory import open_store_in, store_file

SETTLE = 2.0
PRINTERS = ("uv-1", "sub-1", "laser-1")  # the printers of config/printers.toml


def make_config(folder: Path, *, settle_seconds: float | None = None) -> Path:
    """A copy of the default configuration with the hot and done folders its printers name."""
    folder.mkdir(parents=True, exist_ok=True)
    for toml in DEFAULT_CONFIG_DIR.glob("*.toml"):
        shutil.copyfile(toml, folder / toml.name)
    for printer in PRINTERS:
        (folder / "hot" / printer).mkdir(parents=True)
    (folder / "done" / "uv-1").mkdir(parents=True)
    if settle_seconds is not None:
        shop_toml = folder / "shop.toml"
        text, count = re.subn(
            r"(?m)^settle_seconds = \S+",
            f"settle_seconds = {settle_seconds}",
            shop_toml.read_text(),
        )
        assert count == 1, "config/shop.toml has no settle_seconds line to change"
        shop_toml.write_text(text)
    return folder


def sample(name: str) -> Path:
    return SAMPLES_DIR / f"{name}.zip"


def renumbered(path: Path, number: int) -> bytes:
    """A sample zip made into another order: every id in it gets `number` mixed in."""
    source = zipfile.ZipFile(path)
    ids = set(re.findall(rb"9000000000\d{4}|900-\d{7}-\d{7}", source.read(_document(source))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data, name = source.read(info), info.filename
            for old in ids:
                new = _new_id(old, number)
                data = data.replace(old, new)
                name = name.replace(old.decode(), new.decode())
            archive.writestr(name, data)
    return out.getvalue()


def _document(source: zipfile.ZipFile) -> str:
    return next(n for n in source.namelist() if n.endswith((".json", ".xml")))


def _new_id(old: bytes, number: int) -> bytes:
    text = old.decode()
    if text.startswith("900-"):
        return f"901-{number:07d}-{text[-7:]}".encode()
    return f"8{number:05d}{text[6:]}".encode()


@dataclass
class Clock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float = SETTLE + 0.1) -> None:
        self.now += seconds


@dataclass
class Shop:
    root: Path
    clock: Clock = field(default_factory=Clock)
    events: list[dict[str, object]] = field(default_factory=list)
    render_workers: int = 0  # worker processes that render, as in `production run`; 0: inline
    renderer_factory: RendererFactory = ItemRenderer  # what each worker renders with

    def __post_init__(self) -> None:
        self.config = make_config(self.root / "config")
        self.daemon = self._daemon()

    def _daemon(self) -> Daemon:
        settings = load_settings(self.config)
        folders = Folders(settings.shop.data_dir)
        folders.root.mkdir(parents=True, exist_ok=True)
        self.store = open_store_in(folders.root)
        inbox = Inbox(
            settings.shop.inbox, folders.claimed, settle_seconds=SETTLE, monotonic=self.clock
        )
        pipeline = Pipeline(settings, self.store, log=self.events.append, inbox=inbox)
        if self.render_workers:
            pipeline.render_pool = RenderPool(
                settings, self.render_workers, factory=self.renderer_factory
            )
        # As the composition root wires it: buyer data deleted at the end of every pass.
        retention = Retention(settings, self.store, log=self.events.append)
        daemon = Daemon(
            pipeline, watch=False, monotonic=self.clock, after_pass=[retention.purge_due]
        )
        daemon.initialize()
        return daemon

    def restart(self) -> None:
        """A new daemon on the same folders and store (config re-read, as after a restart)."""
        self.daemon.shutdown()
        self.daemon = self._daemon()

    @property
    def store_file(self) -> Path:
        """The SQLite file of the shop's store, for tests that look inside it."""
        return store_file(self.daemon.pipeline.folders.root)

    @property
    def inbox(self) -> Path:
        return self.config / "inbox"

    def hot(self, printer: str = "uv-1") -> Path:
        return self.config / "hot" / printer

    def done(self, printer: str = "uv-1") -> Path:
        return self.config / "done" / printer

    def drop(self, data: bytes, name: str) -> Path:
        self.inbox.mkdir(exist_ok=True)
        path = self.inbox / name
        path.write_bytes(data)
        return path

    def settle(self) -> None:
        """Two passes: the first sees the files, the second (after the settle time) takes them."""
        self.daemon.loop()
        self.clock.advance()
        self.daemon.loop()

    def jobs(self, state: JobState | None = None) -> list[JobRecord]:
        return self.store.jobs(state=state)

    def job(self, job_id: str) -> JobRecord:
        job = self.store.job(job_id)
        assert job is not None, job_id
        return job

    def ticket(self, job: JobRecord) -> dict[str, object]:
        [path] = [p for p in job.hot_paths if p.endswith(".json")]
        ticket: dict[str, object] = json.loads(Path(path).read_text())
        return ticket

    def close(self) -> None:
        self.daemon.shutdown()
