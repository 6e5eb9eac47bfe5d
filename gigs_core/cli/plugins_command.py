"""``gigs plugins``: everything plugins registered, with the distribution and version it came from."""

from __future__ import annotations

import json

import click

from gigs_core import extensions
from gigs_core.plugins import origin_of
from gigs_core.registry import KINDS, specs


def _backend_rows() -> list[dict]:
    rows = []
    for kind in KINDS:
        for name, spec in sorted(specs(kind).items()):
            rows.append(_row(kind.replace("_", "-"), name, spec.plugin, spec.description, spec.option_summary()))
    return rows


def _extension_rows() -> list[dict]:
    rows = [_row("dataset", name, entry.plugin, entry.description)
            for name, entry in sorted(extensions.datasets().items())]
    for name, entry in sorted(extensions.perceptual_distances().items()):
        shown = f"{name}:…" if entry.extra["takes_argument"] else name
        rows.append(_row("perceptual", shown, entry.plugin, entry.description))
    for kind in extensions.trainer_kinds():
        for name, entry in sorted(extensions.trainers(kind).items()):
            rows.append(_row(f"trainer:{kind}", name, entry.plugin, entry.description))
    default = extensions.default_run()
    if default is not None:
        rows.append(_row("default-run", default.name, default.plugin, default.description))
    return rows


def _row(kind: str, name: str, plugin: str, description: str, options: str = "") -> dict:
    origin = origin_of(plugin)
    return {"kind": kind, "name": name, "plugin": plugin, "distribution": origin.distribution,
            "version": origin.version, "description": description, "options": options}


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--options", "show_options", is_flag=True, help="Also list each backend's options.")
def plugins(as_json: bool, show_options: bool) -> None:
    """List what plugins registered: generators, recommenders, inverters, feature extractors,
    dataset formats, perceptual distances, trainers and the default run."""
    rows = _backend_rows() + _extension_rows()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    headers = ("kind", "name", "distribution", "version", "description")
    widths = [max(len(h), *(len(str(row[h])) for row in rows)) if rows else len(h) for h in headers[:-1]]
    click.echo("  ".join(h.upper().ljust(w) for h, w in zip(headers, widths)) + "  DESCRIPTION")
    for row in rows:
        click.echo("  ".join(str(row[h]).ljust(w) for h, w in zip(headers, widths)) + "  " + row["description"])
        if show_options and row["options"]:
            click.echo(" " * (widths[0] + 2) + "options: " + row["options"])
