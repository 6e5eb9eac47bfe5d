"""Backends registered by plugins, by kind, and the factories that build them."""

from __future__ import annotations

import fnmatch
import re
import warnings
from dataclasses import dataclass
from typing import Any, Callable

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
        """``name: type = default`` for every option, comma separated."""
        parts = []
        for field_name, field in self.options_model.model_fields.items():
            annotation = getattr(field.annotation, "__name__", str(field.annotation))
            default = "required" if field.is_required() else repr(field.default)
            parts.append(f"{field_name}: {annotation} = {default}")
        return ", ".join(parts) or "(no options)"


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


def create(kind: str, name: str, **options: Any) -> Any:
    """Build backend ``name`` of ``kind`` from keyword options."""
    spec = get_spec(kind, name)
    backend = spec.factory(validate_options(spec, options))
    protocol = PROTOCOLS[kind]
    if not isinstance(backend, protocol):
        raise PluginError(
            f"plugin {spec.plugin!r}: {kind} {name!r} does not satisfy the {protocol.__name__} protocol"
        )
    return backend
