"""The core's own backends, registered through the ``gigs`` entry point like any plugin."""

from __future__ import annotations

from gigs_core import hookimpl
from gigs_core.config import InversionConfig


def build_inverter(options: InversionConfig):
    from gigs_core.inversion import LatentOptimizationInverter

    return LatentOptimizationInverter(options)


@hookimpl
def register_inverters(register):
    register(
        "latent-optimization",
        InversionConfig,
        build_inverter,
        description="Algorithm 1's inversion: Adam on z, LPIPS + MSE, per-row re-normalisation.",
    )
