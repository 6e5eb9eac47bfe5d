"""The settings a resumed training run continues with (``gigs train … --resume``)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable

import click
from click.core import ParameterSource

log = logging.getLogger(__name__)


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
