"""`production demo`: a throwaway shop that runs the real daemon on the sample zips.

The shop's configuration is copied, then every folder it names (inbox, data, hot and done
folders) is moved inside the demo's own folder, so a demo never drops sample jobs into a real
shop's printers. The samples are dropped into the inbox the way an operator would, and the
daemon runs until every one of them has reached a hot folder (or is held for a person).
"""

from __future__ import annotations

import dataclasses
import shutil
import time
from pathlib import Path
from typing import TextIO

from production.app.table import print_table
from production.app.wiring import floor_daemon, floor_pipeline
from production.config.settings import Settings, load_settings
from production.customization.samples import SAMPLES_DIR, sample_zips
from production.floor.folders import Folders
from production.floor.inbox import Inbox
from production.store import JobRecord, JobState
from production.store.factory import open_store

__all__ = ["DEMO_TIMEOUT_SECONDS", "run_demo"]

DEMO_TIMEOUT_SECONDS = 120.0
_DEMO_SETTLE_SECONDS = 0.2  # the samples are copied whole at once: no need to wait long


def throwaway_shop(config: Path, folder: Path) -> Settings:
    """The shop of `config`, with every folder it writes to moved under `folder`."""
    copied = folder / "config"
    copied.mkdir(parents=True, exist_ok=True)
    for toml in config.glob("*.toml"):
        shutil.copyfile(toml, copied / toml.name)
    settings = load_settings(copied)
    printers = {
        key: dataclasses.replace(
            printer,
            hot_folder=folder / "hot" / printer.id,
            done_folder=folder / "done" / printer.id if printer.done_folder else None,
        )
        for key, printer in settings.printers.items()
    }
    shop = dataclasses.replace(settings.shop, inbox=folder / "inbox", data_dir=folder / "data")
    for printer in printers.values():
        printer.hot_folder.mkdir(parents=True, exist_ok=True)
        if printer.done_folder is not None:
            printer.done_folder.mkdir(parents=True, exist_ok=True)
    return dataclasses.replace(settings, shop=shop, printers=printers)


def run_demo(config: Path, folder: Path, *, out: TextIO, err: TextIO) -> int:
    zips = sample_zips()
    if not zips:
        print(f"production: no sample zips in {SAMPLES_DIR} (samples/make_samples.py)", file=err)
        return 1
    settings = throwaway_shop(config, folder)
    folders = Folders(settings.shop.data_dir)
    folders.root.mkdir(parents=True, exist_ok=True)
    inbox = Inbox(settings.shop.inbox, folders.claimed, settle_seconds=_DEMO_SETTLE_SECONDS)
    events: list[dict[str, object]] = []
    pipeline = floor_pipeline(settings, log=events.append, inbox=inbox)
    store = pipeline.store
    daemon = floor_daemon(settings, pipeline, None, rescan_seconds=0.5)
    print(
        f"A throwaway shop in {folder}: dropping {len(zips)} sample zips into its inbox", file=out
    )
    inbox.prepare()
    for path in zips:
        shutil.copyfile(path, settings.shop.inbox / path.name)
    deadline = time.monotonic() + DEMO_TIMEOUT_SECONDS

    def settled() -> bool:
        if time.monotonic() > deadline:
            return True
        items = store.items()
        busy = store.jobs(state=JobState.RECEIVED) + store.jobs(state=JobState.RENDERED)
        return len(items) + _rejected(inbox) >= len(zips) and not busy

    started = time.monotonic()
    daemon.run(until=settled)
    elapsed = time.monotonic() - started
    store = open_store(settings)
    try:
        jobs = store.jobs()
        rows = [_row(job) for job in jobs]
    finally:
        store.close()
    print(file=out)
    print_table(("JOB", "PRINTER", "STATE", "FILE"), rows, out)
    queued = sum(1 for job in jobs if job.state is JobState.QUEUED)
    print(
        f"\n{len(jobs)} job(s) from {len(zips)} zips in {elapsed:.1f} s: {queued} in hot folders "
        f"(each PDF with its JSON ticket), {len(jobs) - queued} held.",
        file=out,
    )
    if len(store_items := {job.order_item_id for job in jobs}) < len(zips):
        print(f"production: only {len(store_items)} of {len(zips)} zips were taken in", file=err)
        return 1
    return 0 if queued == len(jobs) else 1


def _rejected(inbox: Inbox) -> int:
    try:
        return sum(1 for p in inbox.rejected.iterdir() if not p.name.endswith(".reason.txt"))
    except FileNotFoundError:
        return 0


def _row(job: JobRecord) -> tuple[str, ...]:
    pdfs = [p for p in job.hot_paths if p.endswith(".pdf")]
    shown = pdfs[0] if pdfs else (job.hot_paths[0] if job.hot_paths else job.reason or "")
    return (job.job_id, job.printer or "-", job.state.value, shown)
