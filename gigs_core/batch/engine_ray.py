"""The Ray engine: workers are Ray actors that load the models once and take batches of
jobs; the driver (this process) streams their outcomes to the output folder as they come.

Without ``address`` it starts a Ray instance on this machine (and stops it at the end);
with one (``auto``, ``HOST:PORT``, ``ray://HOST:10001``) it joins that cluster, whose nodes
need gigs and the same plugins installed. A process already connected to Ray (``ray.init``
called before) is used as it is. Each worker asks for ``threads`` CPUs, and one GPU when
the cluster has GPUs and ``--device`` is not ``cpu``. A worker that dies (killed, out of
memory) is restarted and its batch retried up to :data:`RETRIES` times; after that, the
batch's jobs are recorded as failed and the others go on.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable

from gigs_core.batch.jobs import Job, Segment
from gigs_core.batch.runner import RunnerSpec
from gigs_core.batch.worker import BatchWorker, JobOutcome, one_line
from gigs_core.errors import GigsError, UserInputError

#: Restarts of a dead worker, and retries of the batch it held.
RETRIES = 3
#: Batches queued on each worker, so it never waits for the driver.
IN_FLIGHT = 2


def import_ray():
    try:
        import ray
    except ImportError:
        raise UserInputError('--engine ray needs Ray, which is not installed: pip install "gigs[ray]"') from None
    return ray


class RayEngine:
    """``workers`` actors of :class:`~gigs_core.batch.worker.BatchWorker` on a Ray cluster."""

    def __init__(self, spec: RunnerSpec, *, threads: int, workers: int, address: str | None = None):
        ray = self.ray = import_ray()
        self.started_here = not ray.is_initialized()
        if self.started_here:
            resources = {"address": address} if address else {"num_cpus": workers * threads}
            ray.init(**resources, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
        gpus = 1 if spec.device != "cpu" and ray.cluster_resources().get("GPU", 0) >= 1 else 0
        actor = ray.remote(BatchWorker).options(num_cpus=threads, num_gpus=gpus, max_restarts=RETRIES,
                                                max_task_retries=RETRIES)
        self.actors = [actor.remote(spec, threads) for _ in range(workers)]

    def check(self, segments: list[Segment], categories: list[str]) -> GigsError | None:
        return self.ray.get(self.actors[0].check.remote(segments, categories))

    def run(self, batches: Iterable[list[Job]], on_outcomes: Callable[[list[Job], list[JobOutcome]], None]) -> None:
        queue, pending = deque(batches), {}

        def submit(actor) -> None:
            if queue:
                batch = queue.popleft()
                pending[actor.process.remote(batch)] = (actor, batch)

        for actor in self.actors:
            for _ in range(IN_FLIGHT):
                submit(actor)
        while pending:
            (ready,), _ = self.ray.wait(list(pending), num_returns=1)
            actor, batch = pending.pop(ready)
            try:
                outcomes = self.ray.get(ready)
            except self.ray.exceptions.RayError as exc:
                error = f"the worker failed {RETRIES + 1} times: {one_line(exc)[:300]}"
                outcomes = [JobOutcome(job.key, error=error) for job in batch]
            on_outcomes(batch, outcomes)
            submit(actor)

    def close(self) -> None:
        for actor in self.actors:
            self.ray.kill(actor)
        if self.started_here:
            self.ray.shutdown()
