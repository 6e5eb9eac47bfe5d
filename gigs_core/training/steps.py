"""The step loop of a resumable generator trainer: step s draws its randomness from the run's
seed and s alone, the losses are averaged per logging window into ``log.jsonl``, and a
checkpoint is written every ``checkpoint_every`` steps and where the loop stops."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import torch

from gigs_core.method.progress import Progress, no_progress
from gigs_core.training.run_files import append_log


class RunState(Protocol):
    """What the loop reads and advances: steps done and training seconds so far (both restored on resume)."""

    step: int
    seconds: float


def step_generator(seed: int, step: int) -> torch.Generator:
    """The CPU generator of step ``step``'s random draws: seeded from the run's seed and the step
    only, so a resumed run draws exactly what an uninterrupted one would."""
    return torch.Generator().manual_seed(seed * 1_000_003 + step)


def window_means(window: list[dict[str, float]]) -> dict[str, float]:
    """Each quantity's mean over the steps of a logging window that recorded it (in first-seen order)."""
    names = list(dict.fromkeys(name for record in window for name in record))
    means = {}
    for name in names:
        values = [record[name] for record in window if name in record]
        means[name] = sum(values) / len(values)
    return means


def run_steps(run: RunState, *, out_dir: Path, steps: int, max_steps: int | None, seed: int, log_every: int,
              checkpoint_every: int, train_step: Callable[[torch.Generator], dict[str, float]],
              checkpoint: Callable[[], Path], progress: Progress = no_progress) -> Path:
    """Call ``train_step(step_generator(seed, run.step))`` (it returns the step's losses by name)
    until ``run.step`` reaches ``steps``, or ``max_steps`` when that comes first; append each
    window of ``log_every`` steps' mean losses to ``log.jsonl``; call ``checkpoint()`` (with
    ``run.seconds`` brought up to date) every ``checkpoint_every`` steps and at the stop, unless
    the last step was one. Returns what the last ``checkpoint()`` returned (the generator's path)."""
    started, seconds_at_start = time.perf_counter(), run.seconds

    def elapsed() -> float:
        return seconds_at_start + time.perf_counter() - started

    def save() -> Path:
        run.seconds = elapsed()
        return checkpoint()

    window: list[dict[str, float]] = []
    saved = None
    stop = steps if max_steps is None else min(steps, max_steps)
    while run.step < stop:
        window.append(train_step(step_generator(seed, run.step)))
        run.step += 1
        progress("training", run.step, steps)
        if run.step % log_every == 0:
            append_log(out_dir, {"step": run.step, **window_means(window), "seconds": round(elapsed(), 2)})
            window = []
        if run.step % checkpoint_every == 0:
            saved = save()
    if saved is None or run.step % checkpoint_every:
        saved = save()
    return saved
