"""``gigs train KIND --KIND NAME …``: dispatch to the trainer a plugin registered.

Each kind that some plugin can train (``generator``, ``recommender``,
``classifier``, …) is a subcommand; ``--KIND NAME`` picks the backend's trainer
(optional when only one is installed) and every other argument goes to that
trainer's own command, so ``gigs train generator --generator progan --help``
shows the ProGAN trainer's options.
"""

from __future__ import annotations

import click

from gigs_core import extensions
from gigs_core.cli.group import GigsGroup
from gigs_core.errors import UserInputError


class TrainerDispatch(click.Command):
    """``gigs train KIND``: ``--KIND NAME`` selects the trainer; the rest is its arguments."""

    def __init__(self, kind: str):
        self.kind = kind
        super().__init__(
            kind,
            params=[click.Option([f"--{kind}", "trainer_name"], metavar="NAME",
                                 help=f"Which {kind} to train (optional when only one trainer is installed).")],
            help=f"Train a {kind}: `gigs train {kind} --{kind} NAME [OPTIONS]`; "
                 f"`gigs train {kind} --{kind} NAME --help` lists that trainer's options.",
            context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
            add_help_option=False,
        )

    def names(self) -> list[str]:
        return sorted(extensions.trainers(self.kind))

    def chosen(self, name: str | None) -> str | None:
        """The trainer's name: the one given, else the only one installed, else ``None``."""
        if name:
            return name
        names = self.names()
        return names[0] if len(names) == 1 else None

    def get_help(self, ctx: click.Context) -> str:
        lines = [super().get_help(ctx), "", "Trainers:"]
        for name, entry in sorted(extensions.trainers(self.kind).items()):
            lines.append(f"  {name:<14} {entry.description} (plugin {entry.plugin})")
        return "\n".join(lines)

    def invoke(self, ctx: click.Context):
        arguments = list(ctx.args)
        name = self.chosen(ctx.params["trainer_name"])
        if name is None:
            if {"--help", "-h"} & set(arguments):
                click.echo(self.get_help(ctx))
                ctx.exit(0)
            valid = ", ".join(self.names()) or "none (is a plugin installed?)"
            raise UserInputError(f"give --{self.kind} NAME; trainable {self.kind}s: {valid}")
        command = extensions.trainer(self.kind, name).value
        with command.make_context(f"--{self.kind} {name}", arguments, parent=ctx) as sub:
            return command.invoke(sub)


class TrainGroup(GigsGroup):
    """``gigs train``: one subcommand per kind that installed plugins can train."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return extensions.trainer_kinds()

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return TrainerDispatch(name) if name in extensions.trainer_kinds() else None


@click.group(cls=TrainGroup)
def train() -> None:
    """Train backends (generators, recommenders, classifiers, …) with the trainers plugins register."""
