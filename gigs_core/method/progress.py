"""Progress reporting: library loops call a ``Progress`` callback; the CLI draws bars."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Called as ``progress(phase, 0, total)`` when a phase starts, then as
    ``progress(phase, done, total)`` after each optimisation step."""

    def __call__(self, phase: str, done: int, total: int) -> None: ...


def no_progress(phase: str, done: int, total: int) -> None:
    """The default: report nothing."""
