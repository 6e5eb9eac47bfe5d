"""Render the CLI reference (docs/cli.md) from the commands themselves.

    python -m gigs_core.cli.reference > docs/cli.md

A test checks that docs/cli.md matches, so the reference cannot go stale.
"""

from __future__ import annotations

import click

from gigs_core import extensions

HEADER = """# CLI reference

Generated from the commands by `python -m gigs_core.cli.reference > docs/cli.md`
(a test checks it is current) with the built-in plugins installed. Plugins can
add commands (`register_commands`) and trainers (`register_trainers`); `gigs
--help` and `gigs plugins` list what is installed.

Exit codes: 0 success; 2 a mistake in what was given (one line on stderr,
`Error: …`); 1 anything else. `gigs --debug COMMAND …` shows the full traceback.
"""


def _walk(command: click.Command, path: list[str]):
    """Every command with its path; a trainer dispatch also yields each trainer it reaches."""
    from gigs_core.cli.train_command import TrainerDispatch

    yield path, command
    if isinstance(command, TrainerDispatch):
        for name, entry in sorted(extensions.trainers(command.kind).items()):
            yield path + [f"--{command.kind}", name], entry.value
    if isinstance(command, click.Group):
        context = click.Context(command)
        for name in sorted(command.list_commands(context)):
            yield from _walk(command.get_command(context, name), path + [name])


def render_reference(root: click.Group) -> str:
    sections = [HEADER]
    for path, command in _walk(root, ["gigs"]):
        context = click.Context(
            command, info_name=" ".join(path), terminal_width=100, max_content_width=100,
            help_option_names=["-h", "--help"],
        )
        level = "#" * min(len(path) + 1, 4)
        sections.append(f"{level} `{' '.join(path)}`\n\n```text\n{command.get_help(context).strip()}\n```\n")
    return "\n".join(sections)


if __name__ == "__main__":
    from gigs_core.cli.main import cli

    click.echo(render_reference(cli), nl=False)
