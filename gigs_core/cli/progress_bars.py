"""Progress bars on a terminal, silence otherwise."""

from __future__ import annotations

import sys

import click


class PhaseBars:
    """A :class:`~gigs_core.method.progress.Progress` drawing one click bar per phase on a TTY."""

    def __init__(self, enabled: bool | None = None):
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._phase: str | None = None
        self._bar = None
        self._done = 0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if phase != self._phase:
            self.close()
            self._phase, self._done = phase, 0
            self._bar = click.progressbar(length=total, label=f"{phase:<10}", file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._done)
        self._done = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
