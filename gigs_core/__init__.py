"""gigs: show a seller how to change an item so that chosen users prefer it more.

Importing ``gigs_core`` is cheap: torch and the backends load only when used.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from gigs_core.hookspecs import hookimpl

__version__ = "0.1.0"

_LAZY = {
    "create_generator": "gigs_core.factories",
    "create_recommender": "gigs_core.factories",
    "create_inverter": "gigs_core.factories",
    "create_feature_extractor": "gigs_core.factories",
    "list_generators": "gigs_core.factories",
    "list_recommenders": "gigs_core.factories",
    "list_inverters": "gigs_core.factories",
    "list_feature_extractors": "gigs_core.factories",
    "GigsConfig": "gigs_core.config",
    "InversionConfig": "gigs_core.config",
    "ShiftConfig": "gigs_core.config",
    "run_gigs": "gigs_core.method.pipeline",
    "GigsRun": "gigs_core.report.result",
    "register_plugin": "gigs_core.plugins",
}

__all__ = ["__version__", "hookimpl", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'gigs_core' has no attribute {name!r}")
