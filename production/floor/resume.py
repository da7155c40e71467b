"""Jobs held because their printer could not be reached, sent on once it can be again.

A hot folder on a network share goes away and comes back; nobody should have to retry each
job it held. Every pass, the jobs held with cause "printer" whose printer's hot folder is
there and writable again are delivered from the files they were rendered into (as rendered:
a person's approval on them stays). A printer still away costs a directory lookup and
nothing else, no log line and no busy pass, so a missing folder never makes the loop spin;
a job that is held again for another reason (its files do not suit the printer as it is
set up now) is not tried again before `retry_seconds` have passed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from printers.device import Device
from production.core.errors import ProductionError, StoreError
from production.floor.holds import masters_exist
from production.store import JobRecord, JobState

if TYPE_CHECKING:
    from production.floor.pipeline import Pipeline

__all__ = ["DEFAULT_RESUME_RETRY_SECONDS", "PRINTER_CAUSE", "PrinterResume", "reachable"]

PRINTER_CAUSE = "printer"
DEFAULT_RESUME_RETRY_SECONDS = 60.0


def reachable(device: Device) -> bool:
    """Whether the printer's hot folder is there and can be written into."""
    folder = device.printer.hot_folder
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


class PrinterResume:
    """The daemon's pass step that sends printer holds on once their printer is back."""

    def __init__(
        self,
        pipeline: Pipeline,
        *,
        retry_seconds: float = DEFAULT_RESUME_RETRY_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.pipeline = pipeline
        self.retry_seconds = retry_seconds
        self.monotonic = monotonic
        self._tried: dict[str, float] = {}  # job id -> when it was last sent on and held again

    def __call__(self) -> int:
        """Send on what can go; the number of jobs that reached their printer (or went back to
        be rendered), so that the pass is busy only when something moved."""
        pipeline = self.pipeline
        now = self.monotonic()
        moved = 0
        held = [j for j in pipeline.store.jobs(state=JobState.HELD) if j.cause == PRINTER_CAUSE]
        # Forget jobs a person released meanwhile.
        self._tried = {j.job_id: self._tried[j.job_id] for j in held if j.job_id in self._tried}
        for job in held:
            device = pipeline.devices.get(job.printer or "")
            if device is None or not reachable(device):
                continue
            if now - self._tried.get(job.job_id, now - self.retry_seconds) < self.retry_seconds:
                continue
            record = self._resume(job, device)
            if record is None or record.state is JobState.HELD:
                self._tried[job.job_id] = now
            else:
                self._tried.pop(job.job_id, None)
                moved += 1
        return moved

    def _resume(self, job: JobRecord, device: Device) -> JobRecord | None:
        pipeline = self.pipeline
        reason = f"printer {device.printer.id} can be reached again"
        # Its files gone (a data folder restored from a backup): it is rendered again.
        rendered = masters_exist(pipeline.folders.masters, job)
        to = JobState.RENDERED if rendered else JobState.RECEIVED
        if rendered:
            try:
                device.files(pipeline.approved_masters(job)[0])
            except ProductionError:
                return None  # the files do not suit the printer: a person retries it
        try:
            record = pipeline.store.transition(
                job.job_id, to, reason=reason, expect={JobState.HELD}, expect_cause={PRINTER_CAUSE}
            )
        except StoreError:
            return None  # released by a person meanwhile
        if record.state is JobState.RECEIVED:
            return record  # the pass renders it
        return pipeline.deliver_job(record)
