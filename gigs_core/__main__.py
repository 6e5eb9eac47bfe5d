"""``python -m gigs_core`` runs the ``gigs`` command."""

from gigs_core.cli.main import cli

cli()
