"""One worker of an engine: builds its runner once, then takes batches of jobs of one
segment and returns one outcome per job — a run, or the job's one-line error.

A photo that does not decode fails its own job; when a whole call fails, its jobs are
run again one by one, so one bad job never takes the others with it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gigs_core.batch.jobs import Job, Segment
from gigs_core.batch.runner import RunnerSpec, build_runner
from gigs_core.errors import GigsError

if TYPE_CHECKING:
    from gigs_core.report.result import GigsRun

log = logging.getLogger(__name__)


@dataclass
class JobOutcome:
    """A finished job: its ``run``, or the ``error`` that stopped it."""

    key: str
    run: GigsRun | None = None
    error: str | None = None


def one_line(error: BaseException) -> str:
    """An error as one line: a gigs error's own message; anything else with its type."""
    text = " ".join(str(error).split()) or "no message"
    return text if isinstance(error, GigsError) else f"{type(error).__name__}: {text}"


class BatchWorker:
    """Loads the models of ``spec`` once (torch pinned to ``threads`` CPU threads, so results
    match across engines); an error while loading is kept and returned by :meth:`check`."""

    def __init__(self, spec: RunnerSpec, threads: int):
        import torch

        torch.set_num_threads(threads)
        self.runner, self.error = None, None
        try:
            self.runner = build_runner(spec)
        except GigsError as exc:
            self.error = exc

    def check(self, segments: list[Segment], categories: list[str]) -> GigsError | None:
        """The loading error, or the first segment whose users are unknown, or the first item
        category a conditional generator cannot draw, or ``None``."""
        from gigs_core.method.conditioning import generator_for_category

        if self.error is not None:
            return self.error
        try:
            for segment in segments:
                self.runner.segment_users(segment)
            for category in categories:
                generator_for_category(self.runner.generator, category)
        except GigsError as exc:
            return exc
        return None

    def process(self, jobs: list[Job]) -> list[JobOutcome]:
        """Outcomes of ``jobs`` (all of one segment), in order."""
        users = self.runner.segment_users(jobs[0].segment)
        outcomes: dict[str, JobOutcome] = {}
        ready = []
        for job in jobs:
            try:
                photo, notes = self.runner.load_photo(job.item)
            except GigsError as exc:
                outcomes[job.key] = JobOutcome(job.key, error=one_line(exc))
                continue
            ready.append((job, photo, notes))
        if ready:
            outcomes.update(self._run(ready, users))
        return [outcomes[job.key] for job in jobs]

    def _run(self, ready, users: list[int]) -> dict[str, JobOutcome]:
        import torch

        jobs = [job for job, _, _ in ready]
        try:
            runs = self.runner.run(torch.cat([photo for _, photo, _ in ready]), [job.item for job in jobs],
                                   jobs[0].segment, users, [job.seed for job in jobs])
        except Exception as exc:  # a failed job is recorded with its error, whatever it was
            if len(ready) == 1:
                log.info("job %s failed: %s", jobs[0].key, exc)
                return {jobs[0].key: JobOutcome(jobs[0].key, error=one_line(exc))}
            log.info("a call of %d jobs failed (%s); running them one by one", len(ready), exc)
            return {key: outcome for one in ready for key, outcome in self._run([one], users).items()}
        outcomes = {}
        for (job, _, notes), run in zip(ready, runs):
            run.notes = [f"batch job {job.key}: item {job.item.id!r} for segment {job.segment.name!r}, "
                         f"seed {job.seed}", *notes, *run.notes]
            outcomes[job.key] = JobOutcome(job.key, run=run)
        return outcomes
