"""The plugin manager: loading entry points of group ``gigs`` and calling hooks.

Environment switches (they filter third-party entry points only; the built-in
plugins of the ``gigs`` distribution — the core's inverter and perceptual
distances, the bundled backends, the demo — are always loaded):

* ``GIGS_DISABLE_PLUGIN_AUTOLOAD=1`` loads no third-party entry points (plugins
  can still be registered in code with :func:`register_plugin`).
* ``GIGS_PLUGINS=name1,name2`` loads only the third-party entry points with these names.

An excluded entry point is blocked in the plugin manager (``set_blocked``), so
it cannot be registered later under its name by accident.

A plugin that fails to import, or whose hook raises, is reported with a
``GigsPluginWarning`` naming it; everything else keeps working.
"""

from __future__ import annotations

import importlib.metadata as metadata
import logging
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pluggy

from gigs_core import hookspecs

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "gigs"
DISABLE_AUTOLOAD_ENV = "GIGS_DISABLE_PLUGIN_AUTOLOAD"
ONLY_PLUGINS_ENV = "GIGS_PLUGINS"


class GigsPluginWarning(UserWarning):
    """A plugin could not be loaded or one of its hooks failed."""


@dataclass(frozen=True)
class PluginOrigin:
    """Where a plugin came from: its entry-point name and distribution."""

    name: str
    distribution: str
    version: str


_manager: pluggy.PluginManager | None = None
_origins: dict[str, PluginOrigin] = {}
_listeners: list[Callable[[], None]] = []


def on_change(listener: Callable[[], None]) -> None:
    """Call ``listener`` whenever the set of plugins changes (caches reset)."""
    _listeners.append(listener)


def _changed() -> None:
    for listener in _listeners:
        listener()


BUILTIN_DISTRIBUTION = "gigs"


def _blocked_by_environment(entry_point: metadata.EntryPoint) -> bool:
    """Whether the environment switches exclude this third-party entry point.
    Built-in plugins (those of the ``gigs`` distribution itself) are never excluded."""
    dist = entry_point.dist
    if dist is not None and dist.name == BUILTIN_DISTRIBUTION:
        return False
    if os.environ.get(DISABLE_AUTOLOAD_ENV, "").strip() not in ("", "0", "false"):
        return True
    only = os.environ.get(ONLY_PLUGINS_ENV, "").strip()
    return bool(only) and entry_point.name not in {name.strip() for name in only.split(",") if name.strip()}


def _load_entry_points(manager: pluggy.PluginManager) -> None:
    seen: set[str] = set()
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in seen:
            continue
        seen.add(ep.name)
        if _blocked_by_environment(ep):
            manager.set_blocked(ep.name)
            continue
        dist = ep.dist
        origin = PluginOrigin(ep.name, dist.name if dist else "?", dist.version if dist else "?")
        try:
            manager.register(ep.load(), name=ep.name)
        except Exception as exc:  # a broken third-party plugin must not break gigs
            warnings.warn(
                f"gigs plugin {ep.name!r} (from {origin.distribution} {origin.version}) "
                f"failed to load and was skipped: {type(exc).__name__}: {exc}",
                GigsPluginWarning,
                stacklevel=2,
            )
            continue
        _origins[ep.name] = origin


def plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager, loading entry points on first use."""
    global _manager
    if _manager is None:
        manager = pluggy.PluginManager(hookspecs.PROJECT)
        manager.add_hookspecs(hookspecs)
        _load_entry_points(manager)
        manager.check_pending()
        _manager = manager
    return _manager


def register_plugin(plugin: Any, name: str | None = None) -> str:
    """Register a plugin object or module in code (tests, notebooks)."""
    manager = plugin_manager()
    registered = manager.register(plugin, name=name)
    manager.check_pending()
    _changed()
    return registered


def unregister_plugin(name: str) -> None:
    """Remove a plugin registered with :func:`register_plugin`."""
    plugin_manager().unregister(name=name)
    _origins.pop(name, None)
    _changed()


def reset() -> None:
    """Forget every plugin; the next use loads entry points afresh."""
    global _manager
    _manager = None
    _origins.clear()
    _changed()


def origin_of(plugin_name: str) -> PluginOrigin:
    """The distribution a plugin was loaded from (``registered in code`` if none)."""
    return _origins.get(plugin_name, PluginOrigin(plugin_name, "registered in code", "-"))


def call_each(hook_name: str, kwargs_for: Callable[[str], dict[str, Any]]) -> None:
    """Call every implementation of ``hook_name`` separately with the keyword
    arguments ``kwargs_for(plugin_name)`` (each implementation receives only the
    ones it names). A failing implementation is reported as a warning naming its
    plugin; the others still run."""
    hook = getattr(plugin_manager().hook, hook_name)
    for impl in hook.get_hookimpls():  # in registration order
        kwargs = kwargs_for(impl.plugin_name)
        try:
            impl.function(**{name: kwargs[name] for name in impl.argnames})
        except Exception as exc:  # isolate one plugin's bug from the rest
            warnings.warn(
                f"gigs plugin {impl.plugin_name!r} failed in {hook_name}: "
                f"{type(exc).__name__}: {exc}",
                GigsPluginWarning,
                stacklevel=2,
            )
