"""The click group every gigs command group uses: the one place where gigs errors
become a one-line message and an exit code (user mistakes, usage errors included, 2;
anything else 1;
``--debug`` re-raises so the traceback is shown)."""

from __future__ import annotations

import click

from gigs_core.errors import GigsError, UserInputError


class GigsGroup(click.Group):
    """A click group that turns gigs errors into clean messages."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            if ctx.find_root().obj and ctx.find_root().obj.get("debug"):
                raise
            command = exc.ctx.command_path if exc.ctx else ctx.command_path
            click.echo(f"Error: {exc.format_message()} (see '{command} --help')", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except GigsError as exc:
            if ctx.find_root().obj and ctx.find_root().obj.get("debug"):
                raise
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(2 if isinstance(exc, UserInputError) else 1)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
