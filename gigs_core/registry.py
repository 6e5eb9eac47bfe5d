"""Backends registered by plugins, by kind, and the factories that build them."""

from __future__ import annotations

import fnmatch
import re
import types
import typing
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic

from gigs_core import plugins, protocols
from gigs_core.errors import InvalidOptionsError, PluginError, UnknownBackendError, describe_validation_error

KINDS = {
    "generator": "register_generators",
    "recommender": "register_recommenders",
    "inverter": "register_inverters",
    "feature_extractor": "register_feature_extractors",
}
PROTOCOLS = {
    "generator": protocols.Generator,
    "recommender": protocols.Recommender,
    "inverter": protocols.Inverter,
    "feature_extractor": protocols.FeatureExtractor,
}
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


@dataclass(frozen=True)
class BackendSpec:
    """One registered backend."""

    kind: str
    name: str
    options_model: type[pydantic.BaseModel]
    factory: Callable[[Any], Any]
    description: str
    plugin: str

    @property
    def origin(self) -> plugins.PluginOrigin:
        return plugins.origin_of(self.plugin)

    def option_summary(self) -> str:
        """``name (kind, default …)`` for every option in words, comma separated."""
        parts = []
        for field_name, field in self.options_model.model_fields.items():
            default = "required" if field.is_required() else f"default {_shown(field.default)}"
            parts.append(f"{field_name} ({describe_type(field.annotation)}, {default})")
        return ", ".join(parts) or "(no options)"


_TYPE_WORDS = {int: "a whole number", float: "a number", bool: "true or false", str: "text",
               Path: "a file path", dict: "a table of settings", list: "a list"}


def describe_type(annotation: Any) -> str:
    """An option's type in words, e.g. ``Path | None`` → ``a file path, or none``."""
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Literal:
        return "one of " + ", ".join(map(str, arguments))
    if origin in (typing.Union, types.UnionType):
        kinds = [describe_type(argument) for argument in arguments if argument is not type(None)]
        return " or ".join(kinds) + (", or none" if type(None) in arguments else "")
    if origin is typing.Annotated:
        return describe_type(arguments[0])
    if origin is not None:
        return _TYPE_WORDS.get(origin, getattr(origin, "__name__", str(origin)))
    return _TYPE_WORDS.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _shown(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return str(value).lower()
    return str(value) if isinstance(value, (str, Path)) else repr(value)


_cache: dict[str, dict[str, BackendSpec]] | None = None


def _forget() -> None:
    global _cache
    _cache = None


plugins.on_change(_forget)


def _validate(kind: str, plugin: str, name: Any, options_model: Any, factory: Any) -> None:
    where = f"plugin {plugin!r} registered {kind} {name!r}"
    if not isinstance(name, str) or not _NAME.match(name):
        raise PluginError(f"{where}: names are lowercase letters, digits, '-', '_' or '.'")
    if not (isinstance(options_model, type) and issubclass(options_model, pydantic.BaseModel)):
        raise PluginError(f"{where}: options_model must be a pydantic BaseModel subclass")
    if options_model.model_config.get("extra") != "forbid":
        raise PluginError(f"{where}: options_model must set model_config extra='forbid'")
    if not callable(factory):
        raise PluginError(f"{where}: factory is not callable")


def _collect() -> dict[str, dict[str, BackendSpec]]:
    specs: dict[str, dict[str, BackendSpec]] = {kind: {} for kind in KINDS}
    for kind, hook_name in KINDS.items():

        def kwargs_for(plugin: str, kind: str = kind) -> dict[str, Any]:
            def register(name, options_model, factory, description: str = "") -> None:
                try:
                    _validate(kind, plugin, name, options_model, factory)
                    if name in specs[kind]:
                        other = specs[kind][name].plugin
                        raise PluginError(f"{kind} {name!r} is already registered by plugin {other!r}")
                except PluginError as exc:  # skip this registration, keep the plugin's others
                    warnings.warn(f"gigs plugin {plugin!r}: {exc}", plugins.GigsPluginWarning, stacklevel=2)
                    return
                specs[kind][name] = BackendSpec(kind, name, options_model, factory, description, plugin)

            return {"register": register}

        plugins.call_each(hook_name, kwargs_for)
    return specs


def specs(kind: str) -> dict[str, BackendSpec]:
    """Every registered backend of ``kind``, by name."""
    global _cache
    if _cache is None:
        _cache = _collect()
    return _cache[kind]


def list_backends(kind: str, pattern: str = "*") -> list[str]:
    """Sorted names of ``kind`` backends matching a shell-style ``pattern``."""
    return sorted(name for name in specs(kind) if fnmatch.fnmatch(name, pattern))


def get_spec(kind: str, name: str) -> BackendSpec:
    """The spec of backend ``name``, or an error listing the valid names."""
    known = specs(kind)
    if name not in known:
        valid = ", ".join(sorted(known)) or "none (is a plugin installed?)"
        label = kind.replace("_", " ")
        raise UnknownBackendError(f"unknown {label} {name!r}; valid {label}s: {valid}")
    return known[name]


def validate_options(spec: BackendSpec, options: dict[str, Any]) -> pydantic.BaseModel:
    """Validate ``options`` against the backend's options model."""
    try:
        return spec.options_model(**options)
    except pydantic.ValidationError as exc:
        raise InvalidOptionsError(
            f"bad options for {spec.kind.replace('_', ' ')} {spec.name!r}: {describe_validation_error(exc)} "
            f"(valid options: {spec.option_summary()})"
        ) from None


#: Kinds whose modules are only ever used for inference: created in evaluation mode.
INFERENCE_KINDS = ("generator", "recommender")


def create(kind: str, name: str, **options: Any) -> Any:
    """Build backend ``name`` of ``kind`` from keyword options. Generators and recommenders
    come back in evaluation mode, whatever mode their factory left them in (a BatchNorm
    generator in training mode would mix the rows of a batch)."""
    spec = get_spec(kind, name)
    backend = spec.factory(validate_options(spec, options))
    protocol = PROTOCOLS[kind]
    if not isinstance(backend, protocol):
        raise PluginError(
            f"plugin {spec.plugin!r}: {kind} {name!r} does not satisfy the {protocol.__name__} protocol"
        )
    if kind in INFERENCE_KINDS:
        backend.eval()
    return backend
