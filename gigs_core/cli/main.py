"""The ``gigs`` root command: error handling, ``--version``, and command groups.

This is the one place where gigs errors become a one-line message and an exit
code: user mistakes exit with 2, anything else with 1; ``--debug`` re-raises so
the traceback is shown.
"""

from __future__ import annotations

import logging
import sys

import click

from gigs_core import __version__
from gigs_core.errors import GigsError, UserInputError


class GigsGroup(click.Group):
    """A click group that turns gigs errors into clean messages."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except GigsError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(2 if isinstance(exc, UserInputError) else 1)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)


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
def train() -> None:
    """Train backends (generators, recommenders, classifiers) on a dataset."""


@cli.group(cls=GigsGroup)
def data() -> None:
    """Inspect and prepare datasets."""


def _add_commands() -> None:
    from gigs_core import plugins
    from gigs_core.cli import data_commands, plugins_command, run_command, train_classifier
    from gigs_core.demo import cli as demo_cli

    cli.add_command(run_command.run)
    cli.add_command(plugins_command.plugins)
    cli.add_command(demo_cli.demo)
    train.add_command(train_classifier.classifier)
    data_commands.add_to(data)
    plugins.call_each("register_commands", lambda _plugin: {"cli": cli})


_add_commands()
