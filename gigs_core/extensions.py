"""Named extensions that plugins register besides backends: dataset formats,
perceptual distances, trainers and the default run of ``gigs run``.

Each is collected once per set of plugins (like the backend registry). A name
that two plugins register is kept for the first and reported as a warning that
names both; asking for a trainer or default run that two plugins claim is an
error naming both, so neither silently replaces the other.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gigs_core import plugins
from gigs_core.errors import PluginError, UserInputError

_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


@dataclass(frozen=True)
class Extension:
    """One registration: ``value`` is the opener, factory, command or runner."""

    hook: str
    name: str
    value: Any
    description: str
    plugin: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Collected:
    entries: dict[tuple[str, ...], Extension] = field(default_factory=dict)
    clashes: dict[tuple[str, ...], list[str]] = field(default_factory=dict)


_cache: dict[str, _Collected] = {}
plugins.on_change(_cache.clear)


def _collect(hook_name: str, parse: Callable[..., tuple[tuple[str, ...], Extension]]) -> _Collected:
    """Call ``hook_name`` on every plugin; ``parse(plugin, *args, **kwargs)`` turns one
    ``register(...)`` call into ``(key, extension)`` or raises ``PluginError``."""
    if hook_name in _cache:
        return _cache[hook_name]
    collected = _Collected()

    def kwargs_for(plugin: str) -> dict[str, Any]:
        def register(*args: Any, **kwargs: Any) -> None:
            try:
                key, extension = parse(plugin, *args, **kwargs)
            except (PluginError, TypeError) as exc:
                warnings.warn(f"gigs plugin {plugin!r}: {exc}", plugins.GigsPluginWarning, stacklevel=2)
                return
            if key in collected.entries:
                first = collected.entries[key].plugin
                collected.clashes.setdefault(key, [first]).append(plugin)
                warnings.warn(
                    f"gigs plugins {first!r} and {plugin!r} both register {hook_name.removeprefix('register_')} "
                    f"{' '.join(key)!r}; the one from {first!r} is kept",
                    plugins.GigsPluginWarning,
                    stacklevel=2,
                )
                return
            collected.entries[key] = extension

        return {"register": register}

    plugins.call_each(hook_name, kwargs_for)
    _cache[hook_name] = collected
    return collected


def _checked_name(what: str, name: Any) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise PluginError(f"{what} name {name!r}: use lowercase letters, digits, '-', '_' or '.'")
    return name


def _checked_callable(what: str, name: str, value: Any) -> Any:
    if not callable(value):
        raise PluginError(f"{what} {name!r}: {type(value).__name__} is not callable")
    return value


def _dataset(plugin, name, opener, description="", matches=None):
    name = _checked_name("dataset format", name)
    _checked_callable("dataset format", name, opener)
    if matches is not None:
        _checked_callable("dataset matcher", name, matches)
    return (name,), Extension("register_datasets", name, opener, description, plugin, {"matches": matches})


def _perceptual(plugin, name, factory, description="", takes_argument=False):
    name = _checked_name("perceptual distance", name)
    _checked_callable("perceptual distance", name, factory)
    extra = {"takes_argument": bool(takes_argument)}
    return (name,), Extension("register_perceptual_distances", name, factory, description, plugin, extra)


def _trainer(plugin, kind, name, command, description=""):
    import click

    kind = _checked_name("trainer kind", kind)
    name = _checked_name("trainer", name)
    if not isinstance(command, click.Command):
        raise PluginError(f"trainer {kind} {name!r}: command must be a click.Command")
    description = description or command.get_short_help_str(limit=120)
    return (kind, name), Extension("register_trainers", name, command, description, plugin, {"kind": kind})


def _default_run(plugin, name, runner, options=(), description="", batch=None, compare=None):
    import click

    name = _checked_name("default run", name)
    _checked_callable("default run", name, runner)
    for what, factory in (("default batch", batch), ("default comparison", compare)):
        if factory is not None:
            _checked_callable(what, name, factory)
    options = tuple(options)
    if not all(isinstance(option, click.Option) for option in options):
        raise PluginError(f"default run {name!r}: options must be click.Option objects")
    extra = {"options": options, "batch": batch, "compare": compare}
    return ("default",), Extension("register_default_run", name, runner, description, plugin, extra)


def datasets() -> dict[str, Extension]:
    """Every registered dataset format, by name."""
    return {key[0]: entry for key, entry in _collect("register_datasets", _dataset).entries.items()}


def perceptual_distances() -> dict[str, Extension]:
    """Every registered perceptual distance, by name."""
    return {key[0]: entry for key, entry in _collect("register_perceptual_distances", _perceptual).entries.items()}


def trainer_kinds() -> list[str]:
    """What can be trained (``generator``, ``recommender``, …), sorted."""
    return sorted({key[0] for key in _collect("register_trainers", _trainer).entries})


def trainers(kind: str) -> dict[str, Extension]:
    """The trainers of ``kind``, by backend name."""
    entries = _collect("register_trainers", _trainer).entries
    return {key[1]: entry for key, entry in entries.items() if key[0] == kind}


def trainer(kind: str, name: str) -> Extension:
    """The trainer of backend ``name``; an error lists the valid ones, or names both
    plugins when two claim it."""
    collected = _collect("register_trainers", _trainer)
    clash = collected.clashes.get((kind, name))
    if clash:
        raise PluginError(
            f"{kind} trainer {name!r} is registered by plugins {' and '.join(map(repr, clash))}; uninstall one, "
            f"or load only one of them with GIGS_PLUGINS"
        )
    known = trainers(kind)
    if name not in known:
        valid = ", ".join(sorted(known)) or "none (is a plugin installed?)"
        raise UserInputError(f"no {kind} trainer {name!r}; trainable {kind}s: {valid}")
    return known[name]


def default_run() -> Extension | None:
    """The plugin-provided default of ``gigs run``, if exactly one plugin gives one."""
    collected = _collect("register_default_run", _default_run)
    clash = collected.clashes.get(("default",))
    if clash:
        raise PluginError(
            f"plugins {' and '.join(map(repr, clash))} both provide the default `gigs run`; uninstall one"
        )
    return collected.entries.get(("default",))
