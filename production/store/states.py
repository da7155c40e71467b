"""The job state machine: which changes are allowed, and the functions that make them.

The main line is received → rendered → queued → printed → shipped → purged; a job may step back
one place before it ships (re-render, pull from a queue, reprint). `held` means a person must act
and always carries a cause; `cancelled` ends a job that has not shipped (or whose label,
bought through Amazon, was voided before the carrier had the package: it never left).
`TRANSITIONS` is the whole machine. Every backend creates jobs with `start_job` and changes
them with `apply_transition`, so the rules cannot drift apart between SQLite and whatever
comes later.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from production.core.errors import StoreError
from production.store.records import Approval, JobRecord, JobState, NewJob

__all__ = [
    "CLOSED_STATES",
    "INITIAL_STATES",
    "PURGEABLE_STATES",
    "TRANSITIONS",
    "apply_transition",
    "start_job",
]

_S = JobState

TRANSITIONS: Mapping[JobState, frozenset[JobState]] = {
    _S.RECEIVED: frozenset({_S.RENDERED, _S.HELD, _S.CANCELLED}),
    _S.RENDERED: frozenset({_S.QUEUED, _S.HELD, _S.CANCELLED, _S.RECEIVED}),
    _S.QUEUED: frozenset({_S.PRINTED, _S.HELD, _S.CANCELLED, _S.RENDERED}),
    _S.PRINTED: frozenset({_S.SHIPPED, _S.QUEUED, _S.CANCELLED}),
    # A label voided before the carrier had the package (the order was cancelled): it never left.
    _S.SHIPPED: frozenset({_S.PURGED, _S.CANCELLED}),
    _S.PURGED: frozenset(),
    _S.HELD: frozenset({_S.RECEIVED, _S.RENDERED, _S.CANCELLED}),
    _S.CANCELLED: frozenset({_S.PURGED}),
}

# States a job may be created in, and the ones `set_jobs` may replace: nothing has left the
# building yet, so re-planning an item can throw these away without losing a side effect.
INITIAL_STATES: frozenset[JobState] = frozenset({_S.RECEIVED, _S.RENDERED, _S.HELD})

# States `cancel_order` leaves alone: the goods are gone, or the job is already over.
CLOSED_STATES: frozenset[JobState] = frozenset({_S.SHIPPED, _S.PURGED, _S.CANCELLED})

# States whose buyer data is deleted once the retention period has passed: the order went out,
# or it never will. `purged` is where they go.
PURGEABLE_STATES: frozenset[JobState] = frozenset({_S.SHIPPED, _S.CANCELLED})


def start_job(
    new: NewJob,
    *,
    order_id: str,
    order_item_id: str,
    state: JobState,
    at: datetime,
    reason: str,
    cause: str | None,
) -> JobRecord:
    """A new job in `state`, or `StoreError` if a job may not start there (or lacks a cause)."""
    state = _state(new.job_id, state)
    if state not in INITIAL_STATES:
        allowed = ", ".join(sorted(INITIAL_STATES))
        raise StoreError(
            f"a new job cannot start as {state} (only {allowed})",
            order_id=order_id,
            job_id=new.job_id,
        )
    _check_cause(new.job_id, state, cause)
    return JobRecord(
        job_id=new.job_id,
        order_id=order_id,
        order_item_id=order_item_id,
        surface=new.surface,
        printer=new.printer,
        stem=new.stem,
        state=state,
        reason=reason or None,
        cause=cause,
        hot_paths=(),
        attempts=0,
        created_at=at,
        updated_at=at,
    )


def apply_transition(
    job: JobRecord,
    to: JobState,
    *,
    at: datetime,
    reason: str,
    cause: str | None,
    expect: Collection[JobState] | None,
    hot_paths: Sequence[str] | None,
    expect_cause: Collection[str] | None = None,
    approval: Approval | None = None,
) -> JobRecord:
    """The job after moving to `to`, or `StoreError` naming the job and both states.

    `expect_cause`: the change happens only if the job is held for one of those causes. An
    `approval` is recorded on the job; without one, the job keeps the approval it has.
    """
    to = _state(job.job_id, to)
    current = job.state
    if expect is not None and current not in expect:
        wanted = ", ".join(sorted(str(state) for state in expect)) or "nothing"
        raise StoreError(
            f"is {current}, expected {wanted} (cannot change from {current} to {to})",
            order_id=job.order_id,
            job_id=job.job_id,
        )
    if expect_cause is not None and job.cause not in expect_cause:
        wanted = ", ".join(sorted(expect_cause)) or "nothing"
        held = f"held for {job.cause}" if job.cause else str(current)
        raise StoreError(
            f"is {held}, expected held for {wanted}", order_id=job.order_id, job_id=job.job_id
        )
    if to not in TRANSITIONS[current]:
        raise StoreError(
            f"cannot change from {current} to {to}", order_id=job.order_id, job_id=job.job_id
        )
    _check_cause(job.job_id, to, cause)
    return dataclasses.replace(
        job,
        state=to,
        reason=reason or None,
        cause=cause,  # None unless entering HELD, so leaving HELD clears it
        attempts=job.attempts + 1 if (current, to) == (_S.HELD, _S.RECEIVED) else job.attempts,
        hot_paths=job.hot_paths if hot_paths is None else tuple(hot_paths),
        updated_at=at,
        approval=job.approval if approval is None else approval,
    )


def _check_cause(job_id: str, state: JobState, cause: str | None) -> None:
    if state == _S.HELD and not cause:
        raise StoreError("a held job needs a cause (what a person must fix)", job_id=job_id)
    if state != _S.HELD and cause is not None:
        raise StoreError(f"a cause is only recorded for held jobs, not {state}", job_id=job_id)


def _state(job_id: str, value: str) -> JobState:
    # Callers such as the command line may hand over a plain string.
    try:
        return JobState(value)
    except ValueError as exc:
        raise StoreError(f"unknown job state {value!r}", job_id=job_id) from exc
