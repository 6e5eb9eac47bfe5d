"""Progress for the CLI: bars on a terminal; timed lines everywhere else.

A run at the paper's settings can take half an hour, and a batch job or a log
file must show that it is alive and when it will end: without a terminal, each
phase prints an estimate after its first steps, then a line at most every
``interval`` seconds, and its total at the end.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import click

#: Steps a phase runs before its first estimate (fewer if the phase is shorter).
ESTIMATE_AFTER = 5


def format_duration(seconds: float) -> str:
    """``42s``, ``7m05s``, ``2h03m``."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class CliProgress:
    """A :class:`~gigs_core.method.progress.Progress` for the CLI: one click bar per phase on a
    terminal, else timed lines on stderr (see the module's description); nothing when disabled.
    A phase's clock starts at its first call (``done = 0`` from gigs' own loops)."""

    def __init__(self, enabled: bool = True, terminal: bool | None = None, interval: float = 30.0,
                 clock: Callable[[], float] = time.monotonic):
        self.enabled = enabled
        self.terminal = sys.stderr.isatty() if terminal is None else terminal
        self.interval, self.clock = interval, clock
        self._phase: str | None = None
        self._bar = None
        self._done = 0
        self._started = self._last_line = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if phase != self._phase:
            self.close()
            self._phase, self._done, self._started = phase, 0, self.clock()
            self._last_line = self._started
            if self.terminal:
                self._bar = click.progressbar(length=total, label=f"{phase:<10}", file=sys.stderr)
                self._bar.__enter__()
        if self._bar is not None:
            self._bar.update(done - self._done)
        elif done:
            self._line(phase, done, total)
        self._done = done

    def _line(self, phase: str, done: int, total: int) -> None:
        now = self.clock()
        elapsed = now - self._started
        per_step = elapsed / done
        if done == total:
            click.echo(f"{phase}: {total:,} steps in {format_duration(elapsed)} ({per_step:.2f} s/step)", err=True)
        elif done == min(ESTIMATE_AFTER, total) or now - self._last_line >= self.interval:
            click.echo(f"{phase}: step {done:,}/{total:,}, {per_step:.2f} s/step, "
                       f"about {format_duration(per_step * (total - done))} left", err=True)
        else:
            return
        self._last_line = now

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
        self._phase = None
