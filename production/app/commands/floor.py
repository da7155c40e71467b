"""Commands of the production floor: the daemon and its jobs."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from production.app.commands.common import config_option, no_daemon_yet, settings_of
from production.app.commands.jobs import add_jobs_command
from production.core.errors import StoreError

if TYPE_CHECKING:
    from production.config.settings import Settings
    from production.floor.holds import Holds
    from production.floor.pipeline import Pipeline

__all__ = ["add_commands", "run_daemon"]


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = sub.add_parser(
        "run", help="run the production daemon until SIGTERM or Ctrl-C (SIGHUP: re-read config)"
    )
    config_option(run)
    run.set_defaults(command=run_daemon)

    add_jobs_command(sub)

    done = sub.add_parser("done", help="mark a queued job printed (by job id or ticket barcode)")
    done.add_argument("job", metavar="JOB-OR-BARCODE")
    config_option(done)
    done.set_defaults(command=_done)

    retry = sub.add_parser(
        "retry",
        help="render held jobs again once their cause is fixed (the daemon re-reads its config)",
    )
    which = retry.add_mutually_exclusive_group(required=True)
    which.add_argument("job", metavar="JOB", nargs="?", help="this held job")
    which.add_argument("--cause", metavar="CAUSE", help="every job held for CAUSE (see `jobs`)")
    which.add_argument("--all", action="store_true", help="every held job")
    config_option(retry)
    retry.set_defaults(command=_retry)

    approve = sub.add_parser(
        "approve", help="print a job held by its proof or a review anyway, saying why"
    )
    approve.add_argument("job", metavar="JOB")
    approve.add_argument(
        "--reason", required=True, metavar="TEXT", help="why it may be printed (kept with the job)"
    )
    config_option(approve)
    approve.set_defaults(command=_approve)

    reject = sub.add_parser("reject", help="cancel a held job (its order goes on without it)")
    reject.add_argument("job", metavar="JOB")
    reject.add_argument("--reason", default="", metavar="TEXT", help="why (kept with the job)")
    config_option(reject)
    reject.set_defaults(command=_reject)

    replace = sub.add_parser(
        "replace",
        help="render an order item again from a corrected zip (one the inbox set aside in "
        "rejected/), while none of its jobs is printed",
    )
    replace.add_argument("zip", type=Path, metavar="ZIP")
    config_option(replace)
    replace.set_defaults(command=_replace)

    cancel = sub.add_parser("cancel", help="cancel an order and pull its files back")
    cancel.add_argument("order", metavar="ORDER")
    config_option(cancel)
    cancel.set_defaults(command=_cancel)


def _pipeline(settings: Settings) -> Pipeline:
    # The floor's JSON events belong in the daemon's log, not on a person's terminal; what a
    # command changes is in the store's audit trail, and it prints its own one-line result.
    from production.app.wiring import floor_pipeline
    from production.floor.events import quiet

    return floor_pipeline(settings, log=quiet)


def _refuse_on_a_fresh_shop(settings: Settings, what: str) -> bool:
    """True (after one line on stderr) if no daemon has run yet: there is no `what` to change."""
    if (why := no_daemon_yet(settings)) is None:
        return False
    print(f"production: no {what} ({why})", file=sys.stderr)
    return True


def _holds(pipeline: Pipeline) -> Holds:
    """Held jobs as a person at this terminal changes them, telling a running daemon."""
    from production.floor.holds import Holds
    from production.floor.reloading import ask_daemon_to_reload

    return Holds(
        pipeline.store,
        masters=pipeline.folders.masters,
        reload=lambda: ask_daemon_to_reload(pipeline.folders),
        wake=pipeline.folders.wake.touch,  # the daemon acts now, not at its next rescan
    )


def _person() -> str:
    """Who is at this terminal, for the audit trail: the OS user."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return f"uid {os.getuid()}"


def run_daemon(args: argparse.Namespace) -> int:
    from production.app.startup import early_signal
    from production.app.wiring import amazon_client, floor_daemon, floor_lock, floor_pipeline
    from production.core.open_files import raise_open_file_limit
    from production.floor.render_limits import cap_data
    from production.floor.storecheck import check_before_start, check_opened, refusal
    from renderers.preload import preload

    # Before anything is opened: the desk's connections and the floor share this one limit.
    raise_open_file_limit()
    settings = settings_of(args)
    # First of all: a second daemon on this data folder must not claim, render or record a
    # thing (it would race the first for every zip); the lock is held until the process ends.
    with floor_lock(settings):
        check_before_start(settings)  # damaged, or missing from a shop that has run before
        try:
            pipeline = floor_pipeline(settings, render_workers=None)
        except StoreError as exc:
            raise refusal(settings, exc) from exc
        try:
            check_opened(settings, pipeline.store)  # opened read-only: refused now, not at a zip
        except StoreError:
            pipeline.store.close()
            raise
        if pipeline.render_pool is None:
            # Rendering here, in the daemon: one run-away render must not take the rest down;
            # what a render may import is imported first, not charged to the render needing it.
            preload()
            cap_data(settings.limits)
        with amazon_client(settings) as client:
            daemon = floor_daemon(settings, pipeline, client)
            daemon.install_signal_handlers()
            if early_signal() is not None:
                daemon.stop()  # asked to stop while starting: stop cleanly before doing anything
            daemon.run()
    return 0


def _done(args: argparse.Namespace) -> int:
    from production.store.records import JobState  # not loaded for the parser: render's start

    already_done = frozenset({JobState.PRINTED, JobState.SHIPPED, JobState.PURGED})
    settings = settings_of(args)
    code = args.job.strip()
    if _refuse_on_a_fresh_shop(settings, f"job {code!r}"):
        return 1
    pipeline = _pipeline(settings)
    try:
        job = pipeline.store.job(code)
        if job is None:
            print(f"production: no job {code!r}", file=sys.stderr)
            return 1
        if job.state not in already_done:
            try:
                job = pipeline.mark_printed(job.job_id, reason="marked done by an operator")
            except StoreError:
                # Printed meanwhile (its RIP's done folder, a second scanner)? Then all is well.
                job = pipeline.store.job(job.job_id) or job
                if job.state not in already_done:
                    raise
            else:
                print(f"{job.job_id}: printed")
                return 0
    finally:
        pipeline.store.close()
    # A double scan is normal on a floor: say so, and succeed.
    print(f"{job.job_id}: already {job.state.value}")
    return 0


def _retry(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    what = f"job {args.job!r}" if args.job is not None else "held jobs"
    if _refuse_on_a_fresh_shop(settings, what):
        return 1
    pipeline = _pipeline(settings)
    holds = _holds(pipeline)
    try:
        if args.job is not None:
            holds.retry(args.job, by=_person())
            print(f"{args.job}: will be rendered again")
            return 0
        before = holds.held_causes()
        jobs = holds.retry_held(by=_person(), cause=args.cause)
    finally:
        pipeline.store.close()
    for job in jobs:
        print(f"{job.job_id}: will be rendered again")
    if not jobs:
        what = f"for {args.cause!r}" if args.cause else "at all"
        held = ", ".join(f"{cause} ({count})" for cause, count in before.items())
        print(f"no job is held {what}" + (f"; held now: {held}" if held else ""))
    else:
        print(f"{len(jobs)} {'job' if len(jobs) == 1 else 'jobs'} will be rendered again")
    return 0


def _approve(args: argparse.Namespace) -> int:
    from production.store.records import JobState

    pipeline = _pipeline(settings_of(args))
    try:
        job = _holds(pipeline).approve(args.job, by=_person(), reason=args.reason)
    finally:
        pipeline.store.close()
    goes = f"to printer {job.printer}" if job.printer else "on"
    how = "as rendered" if job.state is JobState.RENDERED else "once rendered again"
    print(f"{job.job_id}: approved; the daemon sends it {goes} {how}")
    return 0


def _reject(args: argparse.Namespace) -> int:
    pipeline = _pipeline(settings_of(args))
    try:
        rejection = _holds(pipeline).reject(args.job, by=_person(), reason=args.reason)
    finally:
        pipeline.store.close()
    for line in rejection.taken_back:
        print(f"{rejection.job.job_id}: {line}")
    print(f"{rejection.job.job_id}: rejected (cancelled); {rejection.order_advice}")
    return 0


def _replace(args: argparse.Namespace) -> int:
    from production.floor.replacing import replace_item

    settings = settings_of(args)
    if _refuse_on_a_fresh_shop(settings, "order item to replace"):
        return 1
    pipeline = _pipeline(settings)
    try:
        messages = replace_item(
            args.zip,
            store=pipeline.store,
            devices=pipeline.devices,
            rejected=pipeline.inbox.rejected,
            wake=pipeline.folders.wake,
        )
    except OSError as exc:
        print(f"production: {args.zip}: cannot be read ({exc.strerror or exc})", file=sys.stderr)
        return 1
    finally:
        pipeline.store.close()
    for message in messages:
        print(message)
    return 0


def _cancel(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    if _refuse_on_a_fresh_shop(settings, f"order {args.order!r}"):
        return 1
    from production.app.wiring import amazon_client, label_buyer

    pipeline = _pipeline(settings)
    try:
        with amazon_client(settings) as client:
            label_buyer(pipeline, client)  # voids the order's labels, if the shop buys them
            messages = pipeline.cancel_order(args.order, reason="cancelled by an operator")
    finally:
        pipeline.store.close()
    for message in messages:
        print(message)
    print(f"order {args.order}: cancelled")
    return 0
