"""``gigs data info``. Heavy imports inside the command."""

from __future__ import annotations

import json

import click


@click.command("info")
@click.argument("spec")
@click.option("--check-images", is_flag=True, help="Decode every image and count the ones that fail.")
def info(spec: str, check_images: bool) -> None:
    """Summarise a dataset (SPEC: NAME or NAME:LOCATION; `gigs plugins` lists the formats)."""
    from gigs_core.data import open_dataset

    dataset = open_dataset(spec)
    summary = dataset.summary()
    if check_images:
        bad = dataset.check_images()
        summary["undecodable_images"] = len(bad)
        summary["undecodable_examples"] = bad[:10]
    click.echo(json.dumps(summary, indent=2))


def add_to(group: click.Group) -> None:
    group.add_command(info)
