"""Which jobs to run, in which batches, and streaming their outcomes to the store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gigs_core.batch.jobs import Job
from gigs_core.batch.store import JobStore
from gigs_core.batch.worker import JobOutcome


@dataclass
class BatchCounts:
    """What happened to the batch's jobs in this run."""

    total: int = 0
    already_done: int = 0
    failed_before: int = 0
    """Jobs that had failed in an earlier run and were not retried (no ``--retry-failed``)."""
    done_now: int = 0
    failed_now: int = 0


def pending_jobs(jobs: list[Job], store: JobStore, retry_failed: bool) -> tuple[list[Job], BatchCounts]:
    """The jobs still to run: not finished, and not failed before unless ``retry_failed``."""
    counts = BatchCounts(total=len(jobs))
    todo = []
    for job in jobs:
        if store.is_done(job.key):
            counts.already_done += 1
        elif not retry_failed and store.failure(job.key) is not None:
            counts.failed_before += 1
        else:
            todo.append(job)
    return todo, counts


def make_batches(jobs: list[Job], size: int) -> list[list[Job]]:
    """Consecutive jobs of the same segment, at most ``size`` per batch (one engine call)."""
    batches: list[list[Job]] = []
    for job in jobs:
        if batches and len(batches[-1]) < size and batches[-1][0].segment == job.segment:
            batches[-1].append(job)
        else:
            batches.append([job])
    return batches


def run_jobs(engine, todo: list[Job], store: JobStore, counts: BatchCounts, *, batch_size: int,
             progress: Callable[[str, int, int], None]) -> BatchCounts:
    """Run ``todo`` on ``engine``, writing each outcome as it arrives; ``progress("jobs", done, total)``."""
    progress("jobs", 0, len(todo))

    def record(batch: list[Job], outcomes: list[JobOutcome]) -> None:
        for job, outcome in zip(batch, outcomes):
            if outcome.run is not None:
                store.save_run(job.key, outcome.run)
                counts.done_now += 1
            else:
                store.save_failure(job, outcome.error)
                counts.failed_now += 1
        progress("jobs", counts.done_now + counts.failed_now, len(todo))

    engine.run(make_batches(todo, batch_size), record)
    return counts
