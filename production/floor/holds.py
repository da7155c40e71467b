"""What a person does about a held job: approve it, reject it, or have it tried again.

Some holds are the floor's own doubt about a print that exists: the proof does not look like
the preview Amazon showed the buyer (cause "proof"), or preflight found something a person
should look at (a photo under the resolution the template accepts, a missing glyph: "review").
A person who has looked may approve such a job: it goes on without the check that held it,
and who approved it and why are kept on the job, in its audit trail and on the ticket the
device gets. Every other cause names something outside the print that must be fixed first (a
font, a product template, a printer, the zip); approving cannot fix it, so it is refused with
what to fix instead. Rejecting cancels the job, whatever held it.

These run in whichever process the person acts from (the command line; the desk page, inside
the daemon) and change the store only, one transaction each: the daemon renders and delivers
what they release at its next pass. Before releasing a job they ask the daemon to re-read its
configuration (`reload`), so that what the person fixed is what the job renders with; after,
they wake it (`wake`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from printers.device import Withdrawal
from printers.hotfolder import withdraw
from production.core.clock import utc_now
from production.core.errors import HoldError, StoreError
from production.store import Approval, JobRecord, JobState, JobStore

__all__ = [
    "APPROVABLE_CAUSES",
    "MAX_NOTE_LENGTH",
    "Holds",
    "Rejection",
    "masters_exist",
    "what_to_fix",
]

APPROVABLE_CAUSES = frozenset({"proof", "review"})
"""Holds a person may clear by approving: the print exists and only needs a person's look."""

MAX_NOTE_LENGTH = 500  # characters of a person's reason kept; a note, not a document

# What a person does instead, for each cause approving cannot clear.
_FIXES = {
    "missing font": (
        "install the font (a .ttf or .otf file in one of the shop's [fonts] dirs) or name a "
        "substitute under [fonts.aliases] in shop.toml, then retry the job"
    ),
    "unknown product": (
        "add a [[product]] with the item's ASIN or SKU to products.toml, then retry the job"
    ),
    "configuration": "fix the configuration the reason names, then retry the job",
    "printer": (
        "reconnect or create the printer's hot folder (or fix printers.toml): the job goes on "
        "by itself once the folder is back"
    ),
    "no zip": (
        "download the customization zip from Seller Central (Manage Orders, the order, "
        "Customization) and drop it into the inbox"
    ),
    "companion": "make the companion items sendable at Amazon, then retry the job",
    "bad input": "the zip cannot be used as it is: reject the job, or drop a good zip in",
    "zip unreadable": "the stored zip cannot be read: drop the zip into the inbox again",
}
_OTHERWISE = "fix what the reason says, then retry the job"

_RELEASABLE = frozenset({JobState.RECEIVED, JobState.RENDERED, JobState.QUEUED, JobState.HELD})
_STILL_TO_MAKE = frozenset(
    {JobState.RECEIVED, JobState.RENDERED, JobState.QUEUED, JobState.PRINTED, JobState.HELD}
)


def what_to_fix(cause: str | None) -> str:
    """What a person must do about a job held for `cause`, when approving cannot clear it."""
    return _FIXES.get(cause or "", _OTHERWISE)


def masters_exist(masters: Path, job: JobRecord) -> bool:
    """Whether the job's rendered files are in the data folder: its ticket and a print file."""
    ticket = masters / f"{job.stem}.json"
    prints = [masters / f"{job.stem}{suffix}" for suffix in (".pdf", ".svg")]
    return ticket.is_file() and any(path.is_file() for path in prints)


@dataclass(frozen=True, slots=True)
class Rejection:
    """A rejected job, the files taken back for it, and what to do with its order now."""

    job: JobRecord
    taken_back: tuple[str, ...]  # one line per file taken back out of a hot folder
    order_advice: str


class Holds:
    """Approve, reject and retry held jobs in the store, telling a running daemon."""

    def __init__(
        self,
        store: JobStore,
        *,
        masters: Path,
        reload: Callable[[], None] = lambda: None,
        wake: Callable[[], None] = lambda: None,
        take_back: Callable[[Iterable[str]], Withdrawal] = withdraw,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.masters = masters
        self.reload = reload  # asks the daemon to re-read the configuration before it renders
        self.wake = wake  # the daemon renders or delivers what was released at once
        self.take_back = take_back
        self.clock = clock

    def approve(self, job_id: str, *, by: str, reason: str) -> JobRecord:
        """Send a job held for its proof or a review on, as rendered; `HoldError` if it is
        held for something approving cannot fix, or not held."""
        note = _note(reason)
        if not note:
            raise HoldError("say why it may be printed (a reason)", job_id=job_id)
        job = self._held(job_id, "approved")
        if job.cause not in APPROVABLE_CAUSES:
            raise HoldError(
                f"is held for {job.cause}, which approving cannot clear: {what_to_fix(job.cause)}",
                order_id=job.order_id,
                job_id=job_id,
            )
        approval = Approval(
            by=by, reason=note, at=self.clock(), cause=job.cause, held_for=job.reason or ""
        )
        # Rendered, then held: its files go to the device as they are. Without them (a data
        # folder restored from a backup), it is rendered again and the approval covers the
        # same hold found again.
        to = JobState.RENDERED if masters_exist(self.masters, job) else JobState.RECEIVED
        self.reload()
        try:
            record = self.store.transition(
                job_id,
                to,
                reason=f"approved by {by} ({job.cause} hold): {note}",
                expect={JobState.HELD},
                expect_cause=APPROVABLE_CAUSES,
                approval=approval,
            )
        except StoreError as exc:
            raise HoldError(f"changed meanwhile and {exc.message}", job_id=job_id) from exc
        self.wake()
        return record

    def reject(self, job_id: str, *, by: str, reason: str = "") -> Rejection:
        """Cancel a job that is not printed yet (held, mostly), taking back files it has at a
        device; `HoldError` if it is printed or over."""
        job = self.store.job(job_id)
        if job is None:
            raise HoldError("no such job in the job store", job_id=job_id)
        if job.state not in _RELEASABLE:
            raise HoldError(
                f"is {job.state} and cannot be rejected"
                + (": cancel the order instead" if job.state is JobState.PRINTED else ""),
                order_id=job.order_id,
                job_id=job_id,
            )
        note = _note(reason)
        why = f"rejected by {by}" + (f": {note}" if note else "")
        try:
            record = self.store.transition(job_id, JobState.CANCELLED, reason=why,
                                           expect=_RELEASABLE)  # fmt: skip
        except StoreError as exc:
            raise HoldError(f"changed meanwhile and {exc.message}", job_id=job_id) from exc
        pulled = self.take_back(record.hot_paths) if record.hot_paths else Withdrawal((), ())
        taken = tuple(f"took {path.name} back out of {path.parent}" for path in pulled.removed)
        return Rejection(record, taken, self._order_advice(record.order_id))

    def retry(self, job_id: str, *, by: str) -> JobRecord:
        """Render a held job again, with the configuration as it is now."""
        self._held(job_id, "retried")
        self.reload()
        try:
            record = self.store.transition(
                job_id, JobState.RECEIVED, reason=f"retried by {by}", expect={JobState.HELD}
            )
        except StoreError as exc:
            raise HoldError(f"changed meanwhile and {exc.message}", job_id=job_id) from exc
        self.wake()
        return record

    def retry_held(self, *, by: str, cause: str | None = None) -> list[JobRecord]:
        """Render again every held job (of `cause`, if given); the jobs released."""
        held = [j for j in self.store.jobs(state=JobState.HELD) if cause in (None, j.cause)]
        if held:
            self.reload()
        released = []
        for job in held:
            try:
                released.append(
                    self.store.transition(
                        job.job_id,
                        JobState.RECEIVED,
                        reason=f"retried by {by}",
                        expect={JobState.HELD},
                        expect_cause={job.cause} if job.cause else None,
                    )
                )
            except StoreError:
                continue  # released or rendered again meanwhile: nothing left to retry
        if released:
            self.wake()
        return released

    def held_causes(self) -> dict[str, int]:
        """How many jobs are held for each cause, for a person choosing what to retry."""
        counts: dict[str, int] = {}
        for job in self.store.jobs(state=JobState.HELD):
            counts[job.cause or "?"] = counts.get(job.cause or "?", 0) + 1
        return dict(sorted(counts.items()))

    def _held(self, job_id: str, what: str) -> JobRecord:
        job = self.store.job(job_id)
        if job is None:
            raise HoldError("no such job in the job store", job_id=job_id)
        if job.state is not JobState.HELD:
            raise HoldError(
                f"is not held (it is {job.state}): nothing to be {what}",
                order_id=job.order_id,
                job_id=job_id,
            )
        return job

    def _order_advice(self, order_id: str) -> str:
        left = [job for job in self.store.jobs(order_id=order_id) if job.state in _STILL_TO_MAKE]
        if not left:
            return (
                f"order {order_id} has no job left to make: cancel it in Seller Central "
                "(Amazon then refunds the buyer)"
            )
        jobs = "job" if len(left) == 1 else "jobs"
        return (
            f"order {order_id} still has {len(left)} {jobs}: ship those and cancel the rejected "
            f"item in Seller Central, or cancel the whole order there and with "
            f"`production cancel {order_id}`"
        )


def _note(text: str) -> str:
    """A person's reason on one line, as long as a note needs to be."""
    return " ".join(text.split())[:MAX_NOTE_LENGTH]
