"""The local engine: one worker in this process, one batch of jobs at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from gigs_core.batch.jobs import Job, Segment
from gigs_core.batch.runner import RunnerSpec
from gigs_core.batch.worker import BatchWorker, JobOutcome
from gigs_core.errors import GigsError


class LocalEngine:
    """Loads the models once, here, with torch pinned to ``threads`` CPU threads."""

    def __init__(self, spec: RunnerSpec, *, threads: int):
        self.worker = BatchWorker(spec, threads)

    def check(self, segments: list[Segment], categories: list[str]) -> GigsError | None:
        return self.worker.check(segments, categories)

    def run(self, batches: Iterable[list[Job]], on_outcomes: Callable[[list[Job], list[JobOutcome]], None]) -> None:
        for batch in batches:
            on_outcomes(batch, self.worker.process(batch))

    def close(self) -> None:
        """Nothing to release: the models go with this process."""
