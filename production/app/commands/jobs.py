"""`production jobs`: the jobs and their states, filtered and paged by the store itself.

A shop's history grows by thousands of jobs a month, so the listing never loads it whole: by
default it shows the most recent jobs that match (`--limit`) and says how many earlier ones it
left out; `--limit 0` lists them all, read from the store one page at a time and written as
they come (`--json`: one object per line, as before).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from production.app.commands.common import config_option, no_daemon_yet, settings_of
from production.app.table import print_table

if TYPE_CHECKING:
    from production.config.settings import Settings
    from production.store import JobRecord, JobStore

__all__ = ["DEFAULT_LIMIT", "add_jobs_command"]

DEFAULT_LIMIT = 200  # a screenful or two; the line after it says how to see more
PAGE = 1000  # jobs read at a time when every one is listed


def add_jobs_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    jobs = sub.add_parser("jobs", help="list jobs and their states (the most recent first shown)")
    jobs.add_argument(
        "--state", choices=_States(), metavar="STATE", help="only this state: %(choices)s"
    )
    jobs.add_argument("--order", metavar="ORDER", help="only the jobs of this order")
    jobs.add_argument(
        "--since",
        type=_moment,
        metavar="DATE",
        help="only jobs created at DATE or later (ISO 8601; UTC unless it says)",
    )
    jobs.add_argument(
        "--limit",
        type=_count,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"the N most recent matching jobs (default {DEFAULT_LIMIT}; 0: all)",
    )
    jobs.add_argument("--json", action="store_true", help="one JSON object per job")
    config_option(jobs)
    jobs.set_defaults(command=_jobs)  # fmt: skip


def _jobs(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    if (why := no_daemon_yet(settings)) is not None:
        if not args.json:  # no job is no JSON line: the output stays one object per job
            print(f"no jobs yet ({why})")
        return 0
    from production.store.records import JobState

    filters: dict[str, Any] = {
        "state": JobState(args.state) if args.state else None,
        "order_id": args.order,
        "since": args.since,
    }
    from production.store.factory import open_store  # only once there is a store to read

    store = open_store(settings)
    try:
        if args.limit == 0:
            jobs: Iterator[JobRecord] | list[JobRecord] = _every_job(store, filters)
            left_out = 0
        else:
            jobs = store.jobs(**filters, limit=args.limit, newest_first=True)[::-1]
            left_out = store.count_jobs(**filters) - len(jobs) if len(jobs) == args.limit else 0
        if args.json:
            for job in jobs:
                sys.stdout.write(json.dumps(_job_summary(job, settings), ensure_ascii=False) + "\n")
        else:
            _print_rows(jobs)
    finally:
        store.close()
    if left_out:
        # After the table for a person; on stderr with --json, whose stdout is only jobs.
        earlier = "earlier job" if left_out == 1 else "earlier jobs"
        hint = "--limit 0 lists all; --since, --order and --state narrow it"
        print(f"({left_out} {earlier} not shown: {hint})",
              file=sys.stderr if args.json else sys.stdout)  # fmt: skip
    return 0


def _every_job(store: JobStore, filters: dict[str, Any]) -> Iterator[JobRecord]:
    """Every matching job in creation order, a page at a time (memory stays one page)."""
    after = None
    while page := store.jobs(**filters, after=after, limit=PAGE):
        yield from page
        after = page[-1]


def _print_rows(jobs: Iterator[JobRecord] | list[JobRecord]) -> None:
    rows = [
        (job.job_id, job.order_id, _surface(job), job.printer or "-", job.state.value,
         _reason(job))
        for job in jobs
    ]  # fmt: skip
    print_table(("JOB", "ORDER", "SURFACE", "PRINTER", "STATE", "REASON"), rows, sys.stdout)


class _States(Iterable[str]):
    """The job states `--state` takes, looked up when it is given or shown: a command that
    does not list jobs (`render`) does not load the store to build its parser."""

    def __iter__(self) -> Iterator[str]:
        from production.store.records import JobState

        return iter([state.value for state in JobState])

    def __contains__(self, value: object) -> bool:
        return value in list(self)


def _surface(job: JobRecord) -> str:
    from production.floor.placeholders import ALL_SURFACES

    # An item that could not be rendered at all has one job for the whole of it.
    return "(whole item)" if job.surface == ALL_SURFACES else job.surface


def _reason(job: JobRecord) -> str:
    from production.store.records import JobState

    reason = job.reason or ""
    if job.state is JobState.HELD and job.cause:
        return f"{job.cause}: {reason}" if reason else job.cause
    return reason


def _job_summary(job: JobRecord, settings: Settings) -> dict[str, Any]:
    from production.floor.folders import files_now

    printer = settings.printers.get(job.printer or "")
    approval = job.approval
    return {
        "job_id": job.job_id,
        "order_id": job.order_id,
        "order_item_id": job.order_item_id,
        "surface": job.surface,
        "printer": job.printer,
        "state": job.state.value,
        "cause": job.cause,
        "reason": job.reason,
        # Where the files are now: a RIP moves them to its done folder, or takes them away.
        "hot_paths": files_now(job.hot_paths, printer.done_folder if printer else None),
        "attempts": job.attempts,
        "approval": None if approval is None else {
            "by": approval.by, "reason": approval.reason, "cause": approval.cause,
            "at": approval.at.isoformat(timespec="seconds"),
        },
        "updated_at": job.updated_at.isoformat(timespec="seconds"),
    }  # fmt: skip


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date: {text!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"not a number of jobs: {text!r}")
    return int(text)
