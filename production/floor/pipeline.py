"""The daemon's work on one order item: take its zip in, render it, deliver it, notice it done.

Every step reads the store, does one side effect, and records it; each step can be repeated
after a crash at any line and ends in the same place. The zip is the daemon's own copy under
`data_dir/zips/`, the master files are under `data_dir/masters/` (kept until the order
ships), and the hot folders get a copy of the masters.
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from printers.device import Device
from printers.hotfolder import withdraw
from printers.kinds import devices_for
from printers.tickets import ApprovalLine, JobTicket
from production.amazon.flatfile import looks_like_flat_file
from production.config.settings import Settings
from production.core.clock import utc_now
from production.core.errors import ProductionError, StoreError
from production.core.files import (
    DurableFile,
    fsync_folder,
    move_file,
    remove_partial_files,
    write_group,
)
from production.core.model import Customization
from production.core.stems import TICKET_SUFFIX
from production.customization import ZipMembers, parse_members, read_zip
from production.floor.events import EventLog, json_lines
from production.floor.folders import Folders, files_now
from production.floor.inbox import Inbox
from production.floor.jobsheets import JobSheets
from production.floor.placeholders import NO_ZIP_YET, placeholder_job
from production.floor.render_limits import KILL_GRACE_SECONDS, too_slow
from production.floor.render_pool import (
    BrokenProcessPool,
    RenderedJob,
    Renderer,
    RenderOutcome,
    RenderPool,
    RenderTask,
    hold_reason,
    render_task,
)
from production.floor.rendering import ItemRenderer
from production.floor.replacing import conflict_reason
from production.floor.staging import clear_staging, discard_staged, place_staged
from production.floor.ticketing import ItemFacts
from production.store import ItemRecord, JobRecord, JobState, JobStore, NewItem, NewJob

__all__ = ["Pipeline"]

_DELIVERY_GROUP = 16  # jobs delivered in one transaction by `deliver_rendered` (after a restart)


class Pipeline:
    """The steps of the floor, each safe to repeat."""

    def __init__(
        self,
        settings: Settings,
        store: JobStore,
        *,
        renderer: ItemRenderer | None = None,
        log: EventLog = json_lines,
        inbox: Inbox | None = None,
        render_workers: int = 0,
        devices: Mapping[str, Device] | None = None,
    ) -> None:
        if renderer is not None and render_workers:
            raise ValueError("a renderer given renders inline: it needs render_workers=0")
        self.settings = settings
        self.store = store
        self._renderer: Renderer | None = renderer
        self._own_renderer = renderer is None  # built here, from the settings: rebuilt with them
        # Worker processes that render while this thread writes (`production run`); None: the
        # pipeline renders inline, in this thread (tests and one-off commands).
        self.render_pool = RenderPool(settings, render_workers) if render_workers > 0 else None
        self.log = log
        # Each printer of printers.toml as the device its `kind` names (a hot folder by default).
        self.devices = dict(devices) if devices is not None else devices_for(settings.printers)
        # Given by the caller (tests): kept as they are when the configuration is re-read.
        self._own_devices = devices is None
        self.folders = Folders(settings.shop.data_dir)
        self.job_sheets = JobSheets(settings)  # for printers with `job_sheet = true`
        # Takes an order report dropped into the inbox (set when Amazon is configured).
        self.order_reports: Callable[[bytes], dict[str, object]] | None = None
        self.inbox = inbox or Inbox(
            settings.shop.inbox, self.folders.claimed, settle_seconds=settings.shop.settle_seconds
        )
        # Items take_in recorded, still read and parsed, for the renders that follow (at most a
        # render window's worth): reading and inflating the zip again is a fifth of the time of
        # a photo order.
        self._just_taken: dict[str, tuple[ZipMembers, Customization]] = {}
        # How many items `render_items` can begin now without waiting for a render: the daemon
        # takes that many zips in at once.
        self.intake_room = 1
        # Ship-by dates Amazon intake saw for zips it has put into `claimed/`, by order item id;
        # set on intake's thread, taken by `take_in`. Lost in a crash: intake fills it in later.
        self._ship_by: dict[str, datetime] = {}
        # Called after the jobs a person released are read and before they render: the daemon
        # re-reads the configuration there if asked, so a retry renders with what was fixed.
        self.before_rerender: Callable[[], object] = lambda: None
        # Told of every order cancelled here, after its jobs (the labels bought for it are
        # voided through this): each returns what it did, in lines for the operator.
        self.cancel_hooks: list[Callable[[str], list[str]]] = []
        # Items whose render was begun but never recorded, because an error stopped the pass
        # (a full disk, a locked store): `render_received` renders those without jobs again.
        self._unrecorded: list[str] = []
        self._renders = 0  # renders begun: each one's files are staged under its own prefix
        # While changes are committed together (`_committed_together`): their events, logged
        # once the transaction is committed, never for a change that was rolled back.
        self._held_events: list[tuple[JobRecord, float | None]] | None = None

    @property
    def renderer(self) -> Renderer:
        """The inline renderer, built when first needed (never, with a render pool)."""
        if self._renderer is None:
            self._renderer = ItemRenderer(self.settings)
        return self._renderer

    @renderer.setter
    def renderer(self, renderer: Renderer) -> None:
        self._renderer = renderer
        self._own_renderer = False

    def reconfigure(self, settings: Settings) -> None:
        """Go on with `settings`: the printers' devices, the renderer's fonts and templates,
        the render workers (started again with them); all of it, or, raising, none.

        The data folder and the inbox stay as they are (the daemon checks they did not change).
        Called on the loop's thread between passes, when no render is in hand.
        """
        devices = devices_for(settings.printers) if self._own_devices else self.devices
        renderer = self._renderer
        if self._own_renderer and renderer is not None:
            renderer = ItemRenderer(settings)  # the font index of the new font folders
        if self.render_pool is not None:
            self.render_pool.reconfigure(settings)
        self.settings = settings
        self.devices = devices
        self._renderer = renderer
        self.job_sheets.reconfigure(settings)
        self.inbox.settle_seconds = settings.shop.settle_seconds

    def missing_folders(self) -> list[tuple[str, Path]]:
        """The printers' hot and done folders that do not exist: (what, folder), one each."""
        missing: dict[Path, str] = {}
        for printer in self.settings.printers.values():
            for what, folder in (("hot", printer.hot_folder), ("done", printer.done_folder)):
                if folder is not None and not folder.is_dir() and folder not in missing:
                    missing[folder] = f"{what} folder of printer '{printer.id}'"
        return [(what, folder) for folder, what in missing.items()]

    def prepare(self) -> None:
        """Create the working folders and take back what a crash left half-done."""
        self.folders.create()
        clear_staging(self.folders.rendering)  # before any render: nothing there is a job's
        self.inbox.prepare()
        if self.render_pool is not None:
            self.render_pool.start()
        for path in sorted(self.folders.zips.glob("*.zip")):
            # Moved out of `claimed/` but never recorded: take it in again.
            known = self.store.item(path.stem)
            if known is None or not known.zip_path:
                move_file(path, self.folders.claimed / f"0-recovered__{path.name}")
        # Recorded, then the process died before the first render.
        self.render_items(
            item.order_item_id
            for item in self.store.items()
            if not self.store.jobs(order_item_id=item.order_item_id)
        )
        folders = [self.folders.masters, self.folders.zips, self.folders.claimed]
        folders.append(self.inbox.rejected)  # a reason file, or a file moved back across disks
        for folder in folders:
            remove_partial_files(folder)
        for device in self.devices.values():
            device.tidy()

    def close(self, *, at_once: bool = False) -> None:
        """Stop the render workers, if any (the store is closed by its owner); `at_once`: also
        those in the middle of a render."""
        if self.render_pool is not None:
            self.render_pool.close(at_once=at_once)

    # -- intake ------------------------------------------------------------------------------

    def take_in(self, claimed: Path) -> str | None:
        """Record a claimed zip as an order item; the item id, or None if it was refused."""
        return next(iter(self.take_in_all([claimed])), None)

    def take_in_all(self, claimed: Sequence[Path]) -> list[str]:
        """Record claimed zips as order items (as `take_in`); the ids of those taken in.

        Each is moved into `zips/`, and that folder synced once for all of them before any is
        recorded: a record never names a zip whose move a power cut could undo. Two zips of one
        item are taken one after the other, as the second is then a duplicate (or a conflict).
        """
        batch: list[_Taken] = []
        taken: list[str] = []
        try:
            for path in claimed:
                read = self._read_claimed(path)
                if read is None:
                    continue
                if any(t.read.item_id == read.item_id for t in batch):
                    taken += self._record_taken(batch)
                    batch = []
                moved = self._move_claimed(path, read)
                if moved is not None:
                    batch.append(moved)
        except BaseException:
            # What was moved into `zips/` is recorded, and rendered by `render_received`.
            self._unrecorded += [*taken, *self._record_taken(batch)]
            raise
        return taken + self._record_taken(batch)

    def _read_claimed(self, claimed: Path) -> _Read | None:
        """A claimed zip read and parsed; None (the file given back, rejected) if it cannot be."""
        started = time.monotonic()
        try:
            data = claimed.read_bytes()
            if looks_like_flat_file(data):
                self._order_report(claimed, data)
                return None
            limits = self.settings.limits
            members = read_zip(data, source="inbox", limits=limits)
            customization = parse_members(members, source="inbox", limits=limits)
        except ProductionError as exc:
            self._reject(claimed, str(exc))
            return None
        except OSError as exc:
            self._reject(claimed, f"the file cannot be read ({exc.strerror or exc})")
            return None
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the shop on one file
            self._reject(claimed, f"internal error ({type(exc).__name__}); please report it")
            return None
        digest = hashlib.sha256(data).hexdigest()
        return _Read(customization.item.order_item_id, members, customization, digest, started)

    def _move_claimed(self, claimed: Path, read: _Read) -> _Taken | None:
        """Move a read zip into `zips/` (not yet durable); None if it is refused (a conflict)
        or needs nothing (a duplicate)."""
        item = read.customization.item
        known = self.store.item(item.order_item_id)
        if known is not None and known.zip_path and known.digest != read.digest:
            # Another design for an item in hand (the buyer's correction): kept for a person.
            self._reject(
                claimed, conflict_reason(known, self.store.jobs(order_item_id=known.order_item_id))
            )
            return None
        if known is not None and (known.zip_path or self._purged(item.order_item_id)):
            # Taken before; or shipped and purged, when a copy must neither stay nor print again.
            claimed.unlink(missing_ok=True)
            self._event("duplicate", order=item.order_id, item=item.order_item_id)
            return None
        zip_path = self.folders.zips / f"{item.order_item_id}.zip"
        move_file(claimed, zip_path, durable=False)  # synced by `_record_taken`, before its record
        return _Taken(read, zip_path, known is not None)

    def _record_taken(self, batch: Sequence[_Taken]) -> list[str]:
        """Sync `zips/` once, then record each zip moved there; their item ids."""
        if not batch:
            return []
        fsync_folder(self.folders.zips)
        for taken in batch:
            self._record_item(taken)
        return [taken.read.item_id for taken in batch]

    def _record_item(self, taken: _Taken) -> None:
        read, zip_path = taken.read, str(taken.zip_path)
        item = read.customization.item
        if taken.known:
            # Amazon announced the item without a zip; an operator has dropped it in.
            self.store.set_item_zip(item.order_item_id, zip_path=zip_path, digest=read.digest)
        else:
            # Not durable on its own (a power cut may undo it, and `prepare` then takes the zip
            # in again from `zips/`): the durable commit of its render makes it so, before any
            # of its files is delivered.
            self.store.add_item(
                NewItem(
                    order_item_id=item.order_item_id,
                    order_id=item.order_id,
                    asin=item.asin,
                    sku=item.sku,
                    quantity=item.quantity,
                    zip_path=zip_path,
                    digest=read.digest,
                    ship_by=self._ship_by.pop(item.order_item_id, None),
                ),
                durable=False,
            )
        self._just_taken[item.order_item_id] = (read.members, read.customization)
        self._event("received", order=item.order_id, item=item.order_item_id, started=read.started)

    def expect_ship_by(self, order_item_id: str, ship_by: datetime) -> None:
        """Amazon's ship-by date for a zip about to be put into `claimed/`."""
        self._ship_by[order_item_id] = ship_by

    def _purged(self, order_item_id: str) -> bool:
        jobs = self.store.jobs(order_item_id=order_item_id)
        return bool(jobs) and all(job.state is JobState.PURGED for job in jobs)

    def expect_zip(self, item: NewItem, *, reason: str) -> list[JobRecord]:
        """An item Amazon announced without its zip: held until one is dropped into the inbox."""
        if not self.store.add_item(item):
            return []
        jobs = self.store.set_jobs(
            item.order_item_id,
            [placeholder_job(item.order_id, item.order_item_id)],
            state=JobState.HELD,
            reason=reason,
            cause="no zip",
        )
        for record in jobs:
            self._event_job(record, None)
        return jobs

    def _order_report(self, claimed: Path, data: bytes) -> None:
        if self.order_reports is None:
            self._reject(
                claimed,
                "this is an order report: the pipeline downloads its zips only when Amazon is "
                "configured ([amazon] in shop.toml and the SPAPI_* variables)",
            )
            return
        try:
            summary = self.order_reports(data)
        finally:
            # It lists buyer names and addresses: never kept, whatever became of it.
            claimed.unlink(missing_ok=True)
        self.log({"time": utc_now().isoformat(timespec="milliseconds"), "state": "order report"}
                 | summary)  # fmt: skip

    def _reject(self, claimed: Path, reason: str) -> None:
        size = claimed.stat().st_size if claimed.exists() else None
        target = self.inbox.reject(claimed, reason)
        # Where the operator finds it and how large it is, but not its name: operators name
        # downloads after buyers ("Happy Birthday Sam.zip"), and the log outlives the order.
        # The `.reason.txt` beside the file itself says why.
        self._event("rejected", folder=str(target.parent), bytes=size, reason=reason)

    # -- rendering ---------------------------------------------------------------------------

    def render_item(self, order_item_id: str) -> list[JobRecord]:
        """Render every surface of an item into the masters; held jobs if it cannot be."""
        begun = self._begin_render(order_item_id)
        return begun if isinstance(begun, list) else self._record_render(begun)

    def render_items(self, item_ids: Iterable[str], *, deliver: bool = False) -> int:
        """Render items (as `render_item`), and deliver their rendered jobs if `deliver`.

        With a render pool, several are rendered at once: `item_ids` is read only as far as
        there is room (the daemon takes the next zip in only then), and each render is
        recorded here, in order, while the workers go on with the next ones. The number of
        items.
        """
        window: deque[_Render] = deque()
        # One rendering per worker and one waiting, besides the one being recorded: the workers
        # never wait for this thread, and at most this many items' zips are held in memory.
        room = 1 if self.render_pool is None else 2 * self.render_pool.workers + 1
        count = 0
        beginning: str | None = None
        ids = iter(item_ids)
        try:
            while True:
                self.intake_room = room - len(window)
                order_item_id = next(ids, None)
                if order_item_id is None:
                    break
                count += 1
                beginning = order_item_id
                begun = self._begin_render(order_item_id)
                beginning = None
                if isinstance(begun, list):
                    continue
                window.append(begun)
                while len(window) >= room:
                    self._finish_group(window, deliver=deliver)
            while window:
                self._finish_group(window, deliver=deliver)
        except BaseException:
            # Taken in, perhaps rendered, not recorded: the next `render_received` sees to them.
            self._unrecorded += [render.item.order_item_id for render in window]
            for render in window:
                if render.task.stage is not None:
                    discard_staged(render.task.stage)
            if beginning is not None:
                self._unrecorded.append(beginning)
            raise
        finally:
            self._just_taken.clear()  # taken in and not begun (a stop): rendered from the zip
            self.intake_room = 1
        return count

    def _begin_render(self, order_item_id: str) -> _Render | list[JobRecord]:
        """Start rendering an item, in the pool or here; held jobs if there is nothing to render."""
        item = self.store.item(order_item_id)
        if item is None:
            return []
        if not item.zip_path:
            jobs = self.store.set_jobs(
                order_item_id,
                [placeholder_job(item.order_id, order_item_id)],
                state=JobState.HELD,
                reason=NO_ZIP_YET,
                cause="no zip",
            )
            for record in jobs:
                self._event_job(record, None)
            return jobs
        started = time.monotonic()
        facts = ItemFacts(ship_by=item.ship_by)
        just_taken = self._just_taken.pop(order_item_id, None)
        if just_taken is not None:
            # The same bytes as the zip in the store: take_in moved that very file there.
            members, customization = just_taken
            task = RenderTask(
                order_item_id, members=members, customization=customization, facts=facts
            )
        else:
            task = RenderTask(order_item_id, zip_path=item.zip_path, facts=facts)
        if self.render_pool is None:
            return _Render(
                item, task, started, outcome=render_task(self.renderer, task, self.settings.limits)
            )
        # The worker writes the masters into the staging folder: only their names come back.
        task = replace(task, stage=self._stage(order_item_id))
        return _Render(item, task, started, future=self.render_pool.submit(task))

    def _stage(self, order_item_id: str) -> str:
        """A prefix for one render's staged files that no other render's begins with."""
        self._renders += 1
        return f"{self.folders.rendering / order_item_id}-{self._renders}."

    def _finish_group(self, window: deque[_Render], *, deliver: bool) -> None:
        """Record (and deliver) the first render of `window` and those after it that are
        finished too, together (group commit); then take them out of `window`.

        One transaction records them all, after one sync of `masters/`; one more delivers
        their jobs. A thread that falls behind the workers so records several renders for the
        price of one: each transaction's fsync of the store, each folder's.
        """
        group = [window[0]]
        for render in list(window)[1:]:
            if not render.finished():
                break
            group.append(render)
        recorded = self._record_renders(group)
        if deliver:
            # The records just committed; one changed since (cancelled) is caught by its delivery
            # (`expect`), a job kept from before by `deliver_rendered` at the end of the pass.
            jobs = [job for jobs in recorded for job in jobs if job.state is JobState.RENDERED]
            self.deliver_jobs(jobs)
        for _ in group:
            window.popleft()

    def _record_render(self, render: _Render) -> list[JobRecord]:
        """Write a finished render's masters and record its jobs (rendered, or held)."""
        return self._record_renders([render])[0]

    def _record_renders(self, renders: Sequence[_Render]) -> list[list[JobRecord]]:
        """Record finished renders in one transaction (`_record_outcome` each), their masters
        placed first and `masters/` synced once before it is committed."""
        try:
            # Waited for before the transaction: the store is not held while a worker renders.
            outcomes = [self._outcome(render) for render in renders]
            with self._committed_together():
                recorded = [
                    self._record_outcome(render, outcome)
                    for render, outcome in zip(renders, outcomes, strict=True)
                ]
                if any(placed for _, placed in recorded):
                    fsync_folder(self.folders.masters)  # every rename of the group, durable
            return [jobs for jobs, _ in recorded]
        finally:
            for render in renders:
                if render.task.stage is not None:
                    discard_staged(render.task.stage)  # the files of jobs kept, or not recorded

    def _record_outcome(
        self, render: _Render, outcome: RenderOutcome
    ) -> tuple[list[JobRecord], bool]:
        """Record one render's jobs, inside `_record_renders`' transaction; and whether staged
        masters were placed (their folder is synced before that transaction commits)."""
        item, started = render.item, render.started
        if outcome.held is not None:
            cause, reason = outcome.held
            placeholder = placeholder_job(item.order_id, item.order_item_id)
            jobs = self.store.set_jobs(
                item.order_item_id, [placeholder], state=JobState.HELD, reason=reason, cause=cause
            )
            for record in jobs:
                self._event_job(record, started)
            return jobs, False
        new_jobs = [NewJob(job.job_id, job.surface, job.printer, job.stem) for job in outcome.jobs]
        # Made durable by the jobs' next change (rendered, or held), committed before any file
        # of theirs is delivered; undone by a power cut, the item has no jobs and renders again.
        added = self.store.set_jobs(
            item.order_item_id, new_jobs, state=JobState.RECEIVED, reason="zip read", durable=False
        )
        for record in added:
            self._event_job(record, None)
        # Jobs already queued or further along keep their files: only the new ones are written.
        fresh = {record.job_id: record for record in added}
        outputs = [job for job in outcome.jobs if job.job_id in fresh]
        if sent := {name: data for job in outputs for name, data in job.files.items()}:
            write_group(self.folders.masters, sent)
        staged = [name for job in outputs for name in job.staged]
        if staged:
            assert render.task.stage is not None
            place_staged(render.task.stage, staged, self.folders.masters, sync=False)
        return [self._after_render(job, fresh[job.job_id], started) for job in outputs], bool(
            staged
        )

    def _outcome(self, render: _Render) -> RenderOutcome:
        if render.future is None:
            assert render.outcome is not None
            return render.outcome
        try:
            return self._waited(render.future)
        except BrokenProcessPool:
            # A worker died under this item or beside it (killed, out of memory, a crash in a
            # C library, or stopped for another item's time limit): render it again in a new
            # pool, where an item that kills its worker by itself is held and the others go on.
            assert self.render_pool is not None
            try:
                return self._waited(self.render_pool.submit(render.task))
            except BrokenProcessPool:
                return RenderOutcome(held=("internal error", self._died()))
            except Exception as exc:  # noqa: BLE001 - held, as a failure while rendering inline
                return RenderOutcome(held=hold_reason(exc))
        except FutureTimeout:
            return RenderOutcome(held=hold_reason(too_slow(self.settings.limits)))
        except Exception as exc:  # noqa: BLE001 - e.g. a result that could not be sent back
            return RenderOutcome(held=hold_reason(exc))

    def _waited(self, future: Future[RenderOutcome]) -> RenderOutcome:
        """The worker's outcome; past the time limit and a grace (a C call the worker's alarm
        cannot interrupt), the workers are killed and `FutureTimeout` raised.

        Futures are waited for in the order they were submitted, so this one has started (or
        is next) when the wait begins: the limit counted from here is never shorter than its.
        """
        assert self.render_pool is not None
        try:
            return future.result(timeout=self.settings.limits.render_seconds + KILL_GRACE_SECONDS)
        except FutureTimeout:
            # The others in hand fail with BrokenProcessPool and are rendered again.
            self.render_pool.close(at_once=True)
            raise

    def _died(self) -> str:
        limits = self.settings.limits
        return (
            "the render process ended while rendering this item, twice (a crash, or memory"
            f" past {limits.render_memory_mib:,} MiB: render_memory_mib in shop.toml [limits])"
        )

    def _after_render(self, job: RenderedJob, added: JobRecord, started: float) -> JobRecord:
        # A proof that does not look like the buyer's preview needs the comparison picture
        # (the desk shows it); anything else preflight holds needs a look at the PDF.
        cause, holds = ("proof" if job.proof_hold else "review"), "; ".join(job.holds)
        approval = added.approval
        if job.holds and approval is not None and approval.covers(cause, holds):
            # Rendered again (a retry after the printer was away) and held for the very thing
            # a person approved: it goes on, as approved.
            record = self.store.transition(
                job.job_id,
                JobState.RENDERED,
                reason=f"rendered; the {cause} hold stays approved by {approval.by}",
                expect={JobState.RECEIVED},
            )
        elif job.holds:
            record = self.store.transition(
                job.job_id, JobState.HELD, reason=holds, cause=cause, expect={JobState.RECEIVED}
            )
        else:
            record = self.store.transition(
                job.job_id,
                JobState.RENDERED,
                reason=job.rendered_reason,
                expect={JobState.RECEIVED},
            )
        self._event_job(record, started)
        return record

    def render_received(self) -> int:
        """Render again every item with a job back in RECEIVED (a retry, or after a crash)."""
        items = dict.fromkeys(j.order_item_id for j in self.store.jobs(state=JobState.RECEIVED))
        for order_item_id in dict.fromkeys(self._unrecorded):
            if order_item_id not in items and not self.store.jobs(order_item_id=order_item_id):
                items[order_item_id] = None
        self._unrecorded.clear()
        if items:
            self.before_rerender()
        return self.render_items(items)

    # -- delivery ----------------------------------------------------------------------------

    def deliver_rendered(self) -> int:
        jobs = self.store.jobs(state=JobState.RENDERED)
        for start in range(0, len(jobs), _DELIVERY_GROUP):
            self.deliver_jobs(jobs[start : start + _DELIVERY_GROUP])
        return len(jobs)

    def deliver_jobs(self, jobs: Sequence[JobRecord]) -> list[JobRecord]:
        """`deliver_job` for each, their records committed in one transaction: each job's files
        are durable in the hot folder before it, as they are before a job's own."""
        if not jobs:
            return []
        with self._committed_together():
            return [self.deliver_job(job) for job in jobs]

    def deliver_job(self, job: JobRecord) -> JobRecord:
        started = time.monotonic()
        device = self.devices.get(job.printer or "")
        if device is None and job.printer is not None:
            # Rendered for a printer since taken out of printers.toml (re-read while it ran):
            # never "nothing to print", which would lose the job.
            record = self.store.transition(
                job.job_id, JobState.HELD, cause="printer", expect={JobState.RENDERED},
                reason=f"printer '{job.printer}' is not in printers.toml any more: add it back, "
                       "or retry the job to render it for the printer its template names now",
            )  # fmt: skip
            self._event_job(record, started)
            return record
        if device is None:
            # Options only with no template: nothing to print, a person takes it from stock.
            record = self.store.transition(
                job.job_id, JobState.QUEUED, reason="nothing to print", expect={JobState.RENDERED}
            )
            self._event_job(record, started)
            return record
        masters, unapproved = self.approved_masters(job)
        if unapproved is not None:
            cause, reason = unapproved
            record = self.store.transition(
                job.job_id, JobState.HELD, reason=reason, cause=cause, expect={JobState.RENDERED}
            )
            self._event_job(record, started)
            return record
        try:
            # The device's own files: its format, mirrored if it prints mirrored (the masters
            # never are), with a ticket that says so, and the job sheet if the printer takes one.
            files = self.job_sheets.add(device.files(masters), device.printer)
        except ProductionError as exc:
            record = self.store.transition(
                job.job_id, JobState.HELD, reason=exc.message, cause="printer",
                expect={JobState.RENDERED},
            )  # fmt: skip
            self._event_job(record, started)
            return record
        if any(name in device.finished() for name in files):
            # A crash came between delivery and its record, and the device already took it.
            paths = [str(device.printer.hot_folder / name) for name in files]
            record = self.store.transition(
                job.job_id, JobState.QUEUED, reason="already taken by the device",
                expect={JobState.RENDERED}, hot_paths=paths,
            )  # fmt: skip
            self._event_job(record, started)
            return record
        try:
            written = device.deliver(files)
        except ProductionError as exc:
            record = self.store.transition(
                job.job_id, JobState.HELD, reason=exc.message, cause="printer",
                expect={JobState.RENDERED},
            )  # fmt: skip
        else:
            try:
                record = self.store.transition(
                    job.job_id, JobState.QUEUED, reason=f"in the hot folder of {device.printer.id}",
                    expect={JobState.RENDERED}, hot_paths=[str(p) for p in written],
                )  # fmt: skip
            except StoreError:
                # Cancelled (or changed by a person) while its files were being written: the
                # files must not stay for the device to print.
                device.withdraw(written)
                current = self.store.job(job.job_id)
                if current is None or current.state is JobState.RENDERED:
                    raise
                return current
        self._event_job(record, started)
        return record

    def approved_masters(self, job: JobRecord) -> tuple[dict[str, bytes], tuple[str, str] | None]:
        """The job's masters with a person's approval on the ticket, or the hold (cause,
        reason) that still stops it: a device never gets a ticket whose `hold` is not empty."""
        masters = self._master_files(job)
        name = f"{job.stem}{TICKET_SUFFIX}"
        if name not in masters:
            return masters, None
        try:
            ticket = JobTicket.from_json(masters[name])
        except ProductionError:
            return masters, None  # not ours to judge: the device says what is wrong with it
        holds = ticket.hold or ticket.overridden
        if not holds:
            return masters, None
        proof = any(f.rule == "proof" and f.severity == "hold" for f in ticket.findings)
        cause, reason = ("proof" if proof else "review"), "; ".join(holds)
        approval = job.approval
        if approval is None or not approval.covers(cause, reason):
            return masters, (cause, reason)
        line = ApprovalLine(approval.by, approval.reason, approval.at, approval.cause)
        return {**masters, name: ticket.approved(line).to_json()}, None

    def _master_files(self, job: JobRecord) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        for suffix in (".pdf", ".svg", ".json"):
            path = self.folders.masters / f"{job.stem}{suffix}"
            if path.exists():
                # Durable since its render was recorded: a hot folder on the same disk gets a
                # hard link of it, not another copy to write and flush.
                files[path.name] = DurableFile(path.read_bytes(), path)
        return files

    # -- feedback and cancellation -------------------------------------------------------------

    def collect_finished(self) -> int:
        """Mark queued jobs printed whose file the device moved to its done folder."""
        changed = 0
        for printer_id, device in self.devices.items():
            if not device.reports_done:
                continue
            names = device.finished()
            if not names:
                continue
            for job in self.store.jobs(state=JobState.QUEUED):
                # Whichever of the files it was given the device moves on (the print file, the
                # ticket): the job is done.
                delivered = {Path(path).name for path in job.hot_paths}
                if job.printer == printer_id and delivered & names:
                    self.mark_printed(job.job_id, reason=f"in the done folder of {printer_id}")
                    changed += 1
        return changed

    def mark_printed(self, job_id: str, *, reason: str) -> JobRecord:
        """A queued job is printed; its files are recorded where they are now (the device's
        done folder, for a RIP that moves them there), not where they were delivered."""
        job = self.store.job(job_id)
        device = self.devices.get(job.printer or "") if job is not None else None
        done = device.printer.done_folder if device is not None else None
        paths = files_now(job.hot_paths, done) if job is not None else None
        record = self.store.transition(
            job_id, JobState.PRINTED, reason=reason, expect={JobState.QUEUED}, hot_paths=paths
        )
        self._event_job(record, None)
        if self.store.ready_to_ship(record.order_id):  # one row, not the whole history
            self._event("ready to ship", order=record.order_id)
        return record

    def cancel_order(self, order_id: str, *, reason: str) -> list[str]:
        """Cancel an order's jobs and take their files back out of the hot folders."""
        messages = []
        for job in self.store.cancel_order(order_id, reason=reason):
            messages += self._withdraw(job)
        for hook in self.cancel_hooks:
            messages += hook(order_id)
        return messages

    def hold_order(self, order_id: str, *, reason: str, cause: str) -> list[str]:
        """Hold an order's jobs not yet printed and take their files back out of the hot folders.

        Used when something outside the print files stops the order (its companion items
        cannot be fulfilled); a person's Retry on a job releases it again.
        """
        messages = []
        for job in self.store.hold_order(order_id, reason=reason, cause=cause):
            messages += self._withdraw(job)
        return messages

    def _withdraw(self, job: JobRecord) -> list[str]:
        """Pull a stopped job's files back out of the hot folder; what became of each."""
        device = self.devices.get(job.printer or "")
        # What the device has finished with (in its done folder) is no longer waiting there.
        done = device.printer.done_folder if device is not None else None
        finished = [Path(p) for p in job.hot_paths if done is not None and Path(p).parent == done]
        paths = [p for p in job.hot_paths if Path(p) not in finished]
        # A printer taken out of printers.toml still has the files it was given: take them back.
        pulled = device.withdraw(paths) if device is not None else withdraw(paths)
        self._event_job(job, None)
        messages = [f"{job.job_id}: took {p.name} back out of {p.parent}" for p in pulled.removed]
        for path in [*pulled.gone, *finished]:
            if path.suffix == ".pdf":
                messages.append(f"{job.job_id}: {path.name} was already taken by the device")
        return messages

    # -- events ------------------------------------------------------------------------------

    def report_error(self, exc: Exception) -> None:
        """Log a failure that stopped a pass; the pass is tried again later."""
        if isinstance(exc, ProductionError):
            self._event("error", cause=exc.cause, reason=str(exc))
        elif isinstance(exc, OSError):
            self._event("error", cause="file system", reason=exc.strerror or type(exc).__name__)
        else:
            self._event("error", cause="internal error", reason=type(exc).__name__)

    @contextmanager
    def _committed_together(self) -> Iterator[None]:
        """The store's changes in the block as one transaction (each still whole or nothing),
        committed durably at its end; the jobs' events logged once it is, and not at all if
        the block raises (nothing of it is then recorded)."""
        if self._held_events is not None:
            yield  # inside one already: part of it
            return
        held: list[tuple[JobRecord, float | None]] = []
        self._held_events = held
        try:
            with self.store.bulk():
                yield
        finally:
            self._held_events = None
        for job, started in held:
            self._event_job(job, started)

    def _event_job(self, job: JobRecord, started: float | None) -> None:
        if self._held_events is not None:
            self._held_events.append((job, started))
            return
        event: dict[str, object] = {
            "time": utc_now().isoformat(timespec="milliseconds"),
            "job": job.job_id,
            "order": job.order_id,
            "state": job.state.value,
        }
        if started is not None:
            event["duration_ms"] = round((time.monotonic() - started) * 1000, 1)
        if job.state is JobState.HELD:
            event["cause"] = job.cause
            event["reason"] = job.reason
        self.log(event)

    def _event(self, state: str, *, started: float | None = None, **fields: object) -> None:
        event: dict[str, object] = {"time": utc_now().isoformat(timespec="milliseconds")}
        event |= {key: value for key, value in fields.items()}
        event["state"] = state
        if started is not None:
            event["duration_ms"] = round((time.monotonic() - started) * 1000, 1)
        self.log(event)


@dataclass(frozen=True, slots=True)
class _Read:
    """A claimed zip, read and parsed by take_in."""

    item_id: str
    members: ZipMembers
    customization: Customization
    digest: str
    started: float  # monotonic time take_in began with it


@dataclass(frozen=True, slots=True)
class _Taken:
    """A read zip moved into `zips/`, to be recorded once that folder is synced."""

    read: _Read
    zip_path: Path
    known: bool  # the item is in the store already (Amazon announced it without a zip)


@dataclass(slots=True)
class _Render:
    """An item being rendered: in the pool (`future`), or done inline (`outcome`)."""

    item: ItemRecord
    task: RenderTask
    started: float
    outcome: RenderOutcome | None = None
    future: Future[RenderOutcome] | None = None

    def finished(self) -> bool:
        """Rendered (or failed): its outcome can be had without waiting."""
        return self.outcome is not None or (self.future is not None and self.future.done())
