"""Fewer steps at equal quality: learning-rate schedules and per-item early stopping.

Both are off in the paper's settings (a constant rate, a fixed number of steps). The
stopping rule is the same for both phases: an item stops once its last ``patience``
steps brought less than ``tolerance`` of the progress it made since the first step
(inversion: the fall of its loss; shifting: the rise of its mean group preference).
A stopped item's latents are held where they were, so an item stops at the same step
and ends in the same place whatever else is in its batch; the loop ends when every
item has stopped.
"""

from __future__ import annotations

import math

import torch

from gigs_core.config import Schedule

#: How often (in steps) the loop asks whether every item has stopped: the one question that
#: waits for the device, so it is not asked every step.
STOP_CHECK_EVERY = 10


def schedule_factor(schedule: Schedule, step: int, steps: int) -> float:
    """The multiplier of the base learning rate at ``step`` (0-based) of ``steps``."""
    if schedule == "constant":
        return 1.0
    return 0.5 * (1.0 + math.cos(math.pi * step / steps))


def set_learning_rate(optimizer: torch.optim.Optimizer, base_rates: list[float], factor: float) -> None:
    """Every parameter group's rate set to its base rate times ``factor``."""
    for group, base in zip(optimizer.param_groups, base_rates):
        group["lr"] = base * factor


class PlateauStop:
    """Per-item early stopping on a value that should fall (``minimize``) or rise.

    ``update(values)`` takes the ``B`` values after a step and returns the ``B`` flags of the
    items that have stopped (stopped items stay stopped); it never waits for the device.
    ``patience = 0`` never stops anything.
    """

    def __init__(self, items: int, patience: int, tolerance: float, *, minimize: bool, device: torch.device):
        self.patience, self.tolerance, self.sign = patience, tolerance, (1.0 if minimize else -1.0)
        self.stopped = torch.zeros(items, dtype=torch.bool, device=device)
        self.stopped_at = torch.full((items,), -1, dtype=torch.long, device=device)
        self._best: list[torch.Tensor] = []
        self._first: torch.Tensor | None = None
        self._steps = 0

    def update(self, values: torch.Tensor) -> torch.Tensor:
        if not self.patience:
            return self.stopped
        cost = self.sign * values.detach().float()
        self._steps += 1
        if self._first is None:
            self._first = cost
        best = cost if not self._best else torch.minimum(self._best[-1], cost)
        self._best.append(best)
        if len(self._best) > self.patience:
            recent = self._best[-1 - self.patience] - best
            progress = self._first - best
            newly = ~self.stopped & (recent < self.tolerance * progress.clamp_min(torch.finfo(progress.dtype).tiny))
            self.stopped_at = torch.where(newly, self._steps, self.stopped_at)
            self.stopped = self.stopped | newly
            self._best = self._best[-1 - self.patience:]
        return self.stopped

    def snapshot(self, values: torch.Tensor) -> torch.Tensor | None:
        """``values`` before an optimiser step, for :meth:`hold`; ``None`` (no copy) when nothing can stop."""
        return values.detach().clone() if self.patience else None

    def hold(self, values: torch.Tensor, before: torch.Tensor | None) -> None:
        """After the step: the stopped items' rows of ``values`` put back to ``before``."""
        if before is not None:
            hold_stopped(values, before, self.stopped)

    def all_stopped(self, step: int) -> bool:
        """Whether every item has stopped, asked only every :data:`STOP_CHECK_EVERY` steps."""
        return bool(self.patience) and (step + 1) % STOP_CHECK_EVERY == 0 and bool(self.stopped.all())

    def steps_taken(self, total: int) -> list[int]:
        """Per item, the steps that moved it: where it stopped, else all ``total``."""
        return torch.where(self.stopped_at >= 0, self.stopped_at, total).tolist()


def hold_stopped(values: torch.Tensor, before: torch.Tensor, stopped: torch.Tensor) -> None:
    """In place after an optimiser step: the rows (items) of ``values`` that had stopped put back
    to ``before`` (their values before the step), so that momentum does not move them."""
    mask = stopped.view(-1, *[1] * (values.ndim - 1))
    values.copy_(torch.where(mask, before, values))
