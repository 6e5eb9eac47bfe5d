"""``gigs plugins``: every backend, with the distribution and version it came from."""

from __future__ import annotations

import json

import click

from gigs_core.registry import KINDS, specs


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--options", "show_options", is_flag=True, help="Also list each backend's options.")
def plugins(as_json: bool, show_options: bool) -> None:
    """List registered generators, recommenders, inverters and feature extractors."""
    rows = []
    for kind in KINDS:
        for name, spec in sorted(specs(kind).items()):
            origin = spec.origin
            rows.append(
                {
                    "kind": kind.replace("_", "-"),
                    "name": name,
                    "plugin": spec.plugin,
                    "distribution": origin.distribution,
                    "version": origin.version,
                    "description": spec.description,
                    "options": spec.option_summary(),
                }
            )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    headers = ("kind", "name", "distribution", "version", "description")
    widths = [max(len(h), *(len(str(row[h])) for row in rows)) if rows else len(h) for h in headers[:-1]]
    click.echo("  ".join(h.upper().ljust(w) for h, w in zip(headers, widths)) + "  DESCRIPTION")
    for row in rows:
        click.echo("  ".join(str(row[h]).ljust(w) for h, w in zip(headers, widths)) + "  " + row["description"])
        if show_options:
            click.echo(" " * (widths[0] + 2) + "options: " + row["options"])
