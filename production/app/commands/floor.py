"""Commands of the production floor: the daemon and its jobs."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from production.app.commands.common import config_option, no_daemon_yet, settings_of
from production.app.startup import early_signal
from production.app.table import print_table
from production.app.wiring import amazon_client, floor_daemon, floor_lock, floor_pipeline
from production.config.settings import Settings
from production.floor.events import quiet
from production.floor.pipeline import Pipeline
from production.store import JobRecord, JobState
from production.store.factory import open_store

__all__ = ["add_commands", "run_daemon"]


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = sub.add_parser("run", help="run the production daemon until SIGTERM or Ctrl-C")
    config_option(run)
    run.set_defaults(command=run_daemon)

    jobs = sub.add_parser("jobs", help="list jobs and their states")
    jobs.add_argument("--state", choices=[s.value for s in JobState], help="only this state")
    jobs.add_argument("--json", action="store_true", help="one JSON object per job")
    config_option(jobs)
    jobs.set_defaults(command=_jobs)

    done = sub.add_parser("done", help="mark a queued job printed (by job id or ticket barcode)")
    done.add_argument("job", metavar="JOB-OR-BARCODE")
    config_option(done)
    done.set_defaults(command=_done)

    retry = sub.add_parser("retry", help="render a held job again once its cause is fixed")
    retry.add_argument("job", metavar="JOB")
    config_option(retry)
    retry.set_defaults(command=_retry)

    cancel = sub.add_parser("cancel", help="cancel an order and pull its files back")
    cancel.add_argument("order", metavar="ORDER")
    config_option(cancel)
    cancel.set_defaults(command=_cancel)


def _pipeline(settings: Settings) -> Pipeline:
    # The floor's JSON events belong in the daemon's log, not on a person's terminal; what a
    # command changes is in the store's audit trail, and it prints its own one-line result.
    return floor_pipeline(settings, log=quiet)


def _refuse_on_a_fresh_shop(settings: Settings, what: str) -> bool:
    """True (after one line on stderr) if no daemon has run yet: there is no `what` to change."""
    if (why := no_daemon_yet(settings)) is None:
        return False
    print(f"production: no {what} ({why})", file=sys.stderr)
    return True


def run_daemon(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    # First of all: a second daemon on this data folder must not claim, render or record a
    # thing (it would race the first for every zip); the lock is held until the process ends.
    with floor_lock(settings):
        pipeline = floor_pipeline(settings, render_workers=None)
        with amazon_client(settings) as client:
            daemon = floor_daemon(settings, pipeline, client)
            daemon.install_signal_handlers()
            if early_signal() is not None:
                daemon.stop()  # asked to stop while starting: stop cleanly before doing anything
            daemon.run()
    return 0


def _jobs(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    if (why := no_daemon_yet(settings)) is not None:
        if not args.json:  # no job is no JSON line: the output stays one object per job
            print(f"no jobs yet ({why})")
        return 0
    store = open_store(settings)
    try:
        jobs = store.jobs(state=JobState(args.state) if args.state else None)
    finally:
        store.close()
    if args.json:
        for job in jobs:
            print(json.dumps(_job_summary(job), ensure_ascii=False))
        return 0
    rows = [
        (job.job_id, job.order_id, job.surface, job.printer or "-", job.state.value,
         job.reason or "")
        for job in jobs
    ]  # fmt: skip
    print_table(("JOB", "ORDER", "SURFACE", "PRINTER", "STATE", "REASON"), rows, sys.stdout)
    return 0


def _job_summary(job: JobRecord) -> dict[str, Any]:
    return {
        "job_id": job.job_id,
        "order_id": job.order_id,
        "order_item_id": job.order_item_id,
        "surface": job.surface,
        "printer": job.printer,
        "state": job.state.value,
        "cause": job.cause,
        "reason": job.reason,
        "hot_paths": list(job.hot_paths),
        "attempts": job.attempts,
        "updated_at": job.updated_at.isoformat(timespec="seconds"),
    }


def _done(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    if _refuse_on_a_fresh_shop(settings, f"job {args.job.strip()!r}"):
        return 1
    pipeline = _pipeline(settings)
    try:
        job = pipeline.store.job(args.job.strip())
        if job is None:
            print(f"production: no job {args.job.strip()!r}", file=sys.stderr)
            return 1
        pipeline.mark_printed(job.job_id, reason="marked done by an operator")
    finally:
        pipeline.store.close()
    print(f"{job.job_id}: printed")
    return 0


def _retry(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    if _refuse_on_a_fresh_shop(settings, f"job {args.job!r}"):
        return 1
    pipeline = _pipeline(settings)
    try:
        pipeline.store.transition(
            args.job, JobState.RECEIVED, reason="retried by an operator", expect={JobState.HELD}
        )
    finally:
        pipeline.store.close()
    pipeline.folders.wake.touch()  # a running daemon renders it now, not at its next rescan
    print(f"{args.job}: will be rendered again")
    return 0


def _cancel(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    if _refuse_on_a_fresh_shop(settings, f"order {args.order!r}"):
        return 1
    pipeline = _pipeline(settings)
    try:
        messages = pipeline.cancel_order(args.order, reason="cancelled by an operator")
    finally:
        pipeline.store.close()
    for message in messages:
        print(message)
    print(f"order {args.order}: cancelled")
    return 0
