"""Registers the ``stripes`` generator with gigs."""

from __future__ import annotations

import pydantic

from gigs_core import hookimpl
from gigs_core.options import BackendOptions


class StripesOptions(BackendOptions):
    """Options of the ``stripes`` generator (unknown keys are rejected)."""

    resolution: int = pydantic.Field(32, ge=8, le=256)
    latent_dim: int = pydantic.Field(16, ge=8)


def build_stripes(options: StripesOptions):
    from gigs_plugin_example.stripes import StripesGenerator

    return StripesGenerator(options.resolution, options.latent_dim)


@hookimpl
def register_generators(register):
    register("stripes", StripesOptions, build_stripes, description="Soft coloured stripes (example plugin).")
