"""Adding the commands plugins register (``register_commands``) without letting one
plugin replace another's command, or a core command."""

from __future__ import annotations

import warnings
from typing import Any

import click

from gigs_core import plugins


class GuardedGroup:
    """What a ``register_commands`` hook receives as ``cli``: the click group, except that
    ``add_command`` refuses a name that is already taken (a warning names both owners)."""

    def __init__(self, group: click.Group, plugin: str, owners: dict[tuple[str, ...], str],
                 path: tuple[str, ...] = ()):
        self._group, self._plugin, self._owners, self._path = group, plugin, owners, path

    def add_command(self, command: click.Command, name: str | None = None) -> None:
        name = name or command.name
        key = (*self._path, name)
        if name in self._group.commands:
            owner = self._owners.get(key, "gigs core")
            warnings.warn(
                f"gigs plugin {self._plugin!r} tried to add the command `gigs {' '.join(key)}`, which plugin "
                f"{owner!r} already provides; it was not added",
                plugins.GigsPluginWarning,
                stacklevel=2,
            )
            return
        self._group.add_command(command, name)
        self._owners[key] = self._plugin

    @property
    def commands(self) -> dict[str, Any]:
        return {
            name: GuardedGroup(command, self._plugin, self._owners, (*self._path, name))
            if isinstance(command, click.Group) else command
            for name, command in self._group.commands.items()
        }

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._group, attribute)


def add_plugin_commands(cli: click.Group) -> None:
    """Call every plugin's ``register_commands`` with a guarded view of ``cli``."""
    owners: dict[tuple[str, ...], str] = {}
    plugins.call_each("register_commands", lambda plugin: {"cli": GuardedGroup(cli, plugin, owners)})
