"""Render the CLI reference (docs/cli.md) from the commands themselves.

    python -m gigs_core.cli.reference docs/cli.md

rewrites the generated part of the file, above ``HAND_WRITTEN``, and keeps the
hand-written part below it (the table of errors and exit codes). A test checks
that the generated part matches, so the reference cannot go stale.
"""

from __future__ import annotations

from pathlib import Path

import click

from gigs_core import extensions

HEADER = """# CLI reference

Generated from the commands by `python -m gigs_core.cli.reference docs/cli.md`
(a test checks it is current) with the built-in plugins installed. Plugins can
add commands (`register_commands`) and trainers (`register_trainers`); `gigs
--help` and `gigs plugins` list what is installed.

Exit codes: 0 success; 2 a mistake in what was given, usage errors included
(one line on stderr, `Error: …`, with the fix); 1 anything else, such as a run
whose numbers came out NaN. `gigs --debug COMMAND …` shows the full traceback.
[Errors and exit codes](#errors-and-exit-codes) lists every case.
"""

#: The line that ends the generated part of docs/cli.md; what follows is written by hand.
HAND_WRITTEN = "<!-- Everything above is generated; everything below this line is written by hand. -->\n"


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


def update_reference(path: Path, root: click.Group) -> None:
    """Rewrite the generated part of ``path``, keeping what follows ``HAND_WRITTEN``."""
    text = path.read_text() if path.exists() else ""
    hand_written = text.split(HAND_WRITTEN, 1)[1] if HAND_WRITTEN in text else ""
    path.write_text(render_reference(root) + "\n" + HAND_WRITTEN + hand_written)


if __name__ == "__main__":
    import sys

    from gigs_core.cli.main import cli

    if len(sys.argv) != 2:
        sys.exit("usage: python -m gigs_core.cli.reference docs/cli.md")
    update_reference(Path(sys.argv[1]), cli)
