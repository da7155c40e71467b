"""A corrected zip for an order item already in the shop: kept, and rendered on request.

A buyer who fixes a typo after ordering sends the shop a second zip for the same order item.
The daemon cannot tell a correction from a stray copy, and must not silently print either over
the other: an identical zip is a duplicate (deleted, as before), a different one goes to
`inbox/rejected/` with a reason naming the jobs it conflicts with. `production replace ZIP`
then makes it the item's zip and renders the item again, as long as none of its jobs has been
printed: jobs waiting in a hot folder are taken back out first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from printers.device import Device
from printers.hotfolder import withdraw
from production.core.errors import HoldError
from production.core.files import remove_files, write_atomically
from production.customization import parse_members, read_zip
from production.store import ItemRecord, JobRecord, JobState, JobStore

__all__ = ["REPLACEABLE_STATES", "conflict_reason", "replace_item"]

# Nothing of these has been printed: a new design can take their place.
REPLACEABLE_STATES = frozenset(
    {JobState.RECEIVED, JobState.RENDERED, JobState.HELD, JobState.QUEUED}
)
_REPLACED = "replaced"  # the cause a job is held for while its item's zip is being replaced


def conflict_reason(known: ItemRecord, jobs: Sequence[JobRecord]) -> str:
    """Why a different zip for a known item was set aside (ids and states only, no buyer data)."""
    listed = ", ".join(f"{job.job_id} ({job.state})" for job in jobs) or "no job yet"
    return (
        f"order item {known.order_item_id} of order {known.order_id} is already in the shop "
        f"from another zip with different content (jobs: {listed}); nothing was changed. "
        "To print this design instead, run `production replace --config DIR` on this file "
        "(while none of the item's jobs is printed)"
    )


def replace_item(
    path: Path, *, store: JobStore, devices: Mapping[str, Device], rejected: Path, wake: Path
) -> list[str]:
    """Make the zip at `path` its item's zip and have the item rendered again; what was done.

    `devices`: the printers, to take files back from; `rejected`: the inbox's folder of zips set
    aside (a zip replaced from there is removed); `wake`: touched to wake a running daemon.

    `HoldError` (nothing changed) if the item is unknown, has no zip yet, has this very zip,
    or has a job that is printed, shipped, cancelled or purged.
    """
    data = path.read_bytes()
    item = parse_members(read_zip(data, source="zip"), source="zip").item
    known = store.item(item.order_item_id)
    if known is None or not known.zip_path:
        raise HoldError(
            "is not in the shop with a zip yet: drop this zip into the inbox instead",
            item_id=item.order_item_id,
        )
    digest = hashlib.sha256(data).hexdigest()
    if digest == known.digest:
        raise HoldError(
            "already has this very zip: nothing to replace", item_id=known.order_item_id
        )
    jobs = store.jobs(order_item_id=known.order_item_id)
    _check_replaceable(jobs)
    # Held first (the daemon leaves a held job be), so that no old design goes out meanwhile.
    messages = [line for job in jobs for line in _set_aside(store, devices, job)]
    write_atomically(Path(known.zip_path), data)
    store.set_item_zip(known.order_item_id, zip_path=known.zip_path, digest=digest)
    for job in jobs:
        _render_again(store, job)
    if path.parent.resolve() == rejected.resolve():
        # It is the item's zip now, under data/zips/: the copy set aside (and why) goes.
        remove_files([path, path.with_name(path.name + ".reason.txt")])
    wake.touch()  # a running daemon renders it now, not at its next rescan
    messages.append(f"order item {known.order_item_id}: zip replaced; it is rendered again")
    return messages


def _check_replaceable(jobs: Sequence[JobRecord]) -> None:
    for job in jobs:
        if job.state not in REPLACEABLE_STATES:
            raise HoldError(
                f"is {job.state}: an item with a printed job is not replaced (reprint it by "
                "hand, or cancel the order and take the corrected zip in as a new one)",
                job_id=job.job_id,
            )
    for job in jobs:
        if job.state is JobState.QUEUED and any(not Path(p).exists() for p in job.hot_paths):
            raise HoldError(
                f"its files were taken by printer '{job.printer}' already: it may be printing; "
                "mark it done or wait for it, then reprint by hand",
                job_id=job.job_id,
            )


def _set_aside(store: JobStore, devices: Mapping[str, Device], job: JobRecord) -> list[str]:
    """Hold a rendered or queued job and take its files out of the hot folder; what was done."""
    if job.state not in (JobState.RENDERED, JobState.QUEUED):
        return []
    store.transition(
        job.job_id, JobState.HELD, cause=_REPLACED, expect={job.state}, hot_paths=[],
        reason="its item's zip is being replaced",
    )  # fmt: skip
    if not job.hot_paths:
        return []
    device = devices.get(job.printer or "")
    pulled = device.withdraw(job.hot_paths) if device is not None else withdraw(job.hot_paths)
    return [f"{job.job_id}: took {p.name} back out of {p.parent}" for p in pulled.removed]


def _render_again(store: JobStore, job: JobRecord) -> None:
    reason = "its item's zip was replaced"
    current = store.job(job.job_id)
    if current is None or current.state is JobState.RECEIVED:
        return
    store.transition(job.job_id, JobState.RECEIVED, reason=reason, expect={JobState.HELD})
