"""The settings a resumed training run continues with (``gigs train … --resume``)."""

from __future__ import annotations

import dataclasses
import logging
import sys
from collections.abc import Callable, Iterable
from typing import TypeVar

import click
from click.core import ParameterSource

log = logging.getLogger(__name__)
T = TypeVar("T")


def resumed_config(stored, given, ctx: click.Context, changeable: Iterable[str]):
    """The run's ``stored`` settings (a dataclass), with the ``changeable`` ones given on the
    command line taking over; any other setting given there that differs is reported and ignored."""
    changeable = set(changeable)

    def explicit(name: str) -> bool:
        return name in ctx.params and ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE

    changes = {field.name: getattr(given, field.name) for field in dataclasses.fields(stored)
               if field.name in changeable and explicit(field.name)}
    ignored = [f"{field.name}={getattr(given, field.name)!r} (run has {getattr(stored, field.name)!r})"
               for field in dataclasses.fields(stored)
               if field.name not in changeable and explicit(field.name)
               and getattr(given, field.name) != getattr(stored, field.name)]
    if ignored:
        log.warning("resuming with the run's stored settings; ignored: %s", ", ".join(ignored))
    if changes:
        log.warning("resuming with changed settings: %s", changes)
    return dataclasses.replace(stored, **changes)


def train_with_progress(train: Callable[..., T]) -> T:
    """``train(progress=…)`` with a progress bar on a terminal (its length and label follow the
    trainer's phases), plain ``train()`` otherwise (logs, CI)."""
    if not sys.stderr.isatty():
        return train()
    with click.progressbar(length=1, label="training", file=sys.stderr, show_pos=True) as bar:

        def progress(phase: str, done: int, total: int) -> None:
            bar.length, bar.label = total, phase
            bar.update(done - bar.pos)

        return train(progress=progress)


def echo_training_result(result, what: str = "generator") -> None:
    """The last line of a resumable training run: done, or where it stopped and how to go on
    (``what`` names the model file the run writes)."""
    if result.finished:
        click.echo(f"done: {result.steps} steps in {result.seconds:.0f} s; {what} {result.generator_path}")
        return
    so_far = f"; {what} so far {result.generator_path}" if result.generator_path is not None else ""
    click.echo(f"stopped at step {result.steps} ({result.seconds:.0f} s){so_far}; continue with --resume")
