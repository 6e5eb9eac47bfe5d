"""The ``gigs`` root command: ``--version``, ``--debug``, logging, and the command groups.

Errors become one-line messages in :class:`gigs_core.cli.group.GigsGroup`.
"""

from __future__ import annotations

import logging
import sys

import click

from gigs_core import __version__
from gigs_core.cli.group import GigsGroup


@click.group(cls=GigsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="gigs")
@click.option("--debug", is_flag=True, help="Show full tracebacks instead of one-line errors.")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug).")
@click.pass_context
def cli(ctx: click.Context, debug: bool, verbose: int) -> None:
    """gigs: modify an item image so that a chosen group of users prefers it more.

    Inverts the item into a pretrained generator, then optimises distinct latent
    shifts that raise a visually-aware recommender's preference (GIGS, Kumar et
    al., PeerJ Computer Science 2025).
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@cli.group(cls=GigsGroup)
def data() -> None:
    """Inspect and prepare datasets."""


def _add_commands() -> None:
    from gigs_core.cli import batch_command, compare_command, data_commands, plugins_command, run_command, train_command
    from gigs_core.cli.eval_command import build_eval_command
    from gigs_core.cli.plugin_commands import add_plugin_commands

    cli.add_command(run_command.build_run_command())
    cli.add_command(batch_command.build_batch_command())
    cli.add_command(compare_command.build_compare_command())
    cli.add_command(build_eval_command())
    cli.add_command(plugins_command.plugins)
    cli.add_command(train_command.train)
    data_commands.add_to(data)
    add_plugin_commands(cli)


_add_commands()
