"""Registers the ``ddim`` generator, the ``ddim-inversion`` inverter and the trainer
(``gigs train generator --generator ddim``)."""

from __future__ import annotations

from pathlib import Path

import pydantic

from gigs_core import hookimpl
from gigs_core.options import BackendOptions, CheckpointOptions, ImageChannels


class DdimOptions(CheckpointOptions):
    """Options of the ``ddim`` generator. ``checkpoint`` is a local diffusers folder (a pipeline
    with ``unet/`` and ``scheduler/``, or a ``UNet2DModel``); without one, a small UNet with
    seeded random weights is built from ``resolution``, ``channels``, ``width`` and ``seed``."""

    num_inference_steps: int = pydantic.Field(10, ge=1, le=1000, description="DDIM steps from noise to image")
    gradient_checkpointing: bool = pydantic.Field(False, description="recompute UNet activations in the backward "
                                                  "pass: less memory, about a quarter more time")
    resolution: int = pydantic.Field(32, ge=8, multiple_of=2, description="without checkpoint: image size (even)")
    channels: ImageChannels = pydantic.Field(3, description="without checkpoint: 1 (grey) or 3 (RGB)")
    width: int = pydantic.Field(32, ge=8, description="without checkpoint: channels of the first UNet level")
    seed: int = 0

    @pydantic.field_validator("checkpoint")
    @classmethod
    def _must_exist(cls, value: Path | None) -> Path | None:
        if value is not None and not Path(value).is_dir():
            raise ValueError(f"checkpoint folder {str(value)!r} does not exist (give a diffusers save_pretrained folder)")
        return value


def build_generator(options: DdimOptions):
    from gigs_ddim.generator import DdimGenerator
    from gigs_ddim.loading import fresh_unet_and_scheduler, load_unet_and_scheduler

    if options.checkpoint is not None:
        unet, scheduler = load_unet_and_scheduler(options.checkpoint)
    else:
        unet, scheduler = fresh_unet_and_scheduler(options.resolution, options.channels, options.width, options.seed)
    return DdimGenerator(unet, scheduler, options.num_inference_steps, options.gradient_checkpointing)


class DdimInversionOptions(BackendOptions):
    """Options of the ``ddim-inversion`` inverter."""

    num_inference_steps: int | None = pydantic.Field(
        None, ge=1, le=1000, description="DDIM steps from image to noise (default: the generator's)")
    refine_steps: int = pydantic.Field(0, ge=0, description="then this many steps of Algorithm 1's latent "
                                       "optimisation, starting from the DDIM inversion (0: none)")
    refine_perceptual: str = pydantic.Field("none", description="perceptual distance of the refinement "
                                            "(`gigs plugins` lists them; none: MSE only)")
    refine_lr: float = pydantic.Field(0.01, gt=0, description="Adam learning rate of the refinement")


def build_inverter(options: DdimInversionOptions):
    from gigs_core.config import InversionConfig
    from gigs_ddim.inversion import DdimInverter

    refinement = None
    if options.refine_steps:
        from gigs_core.factories import create_inverter

        refinement = create_inverter("latent-optimization", **InversionConfig(
            steps=options.refine_steps, perceptual=options.refine_perceptual, lr=options.refine_lr).model_dump())
    return DdimInverter(options.num_inference_steps, refinement)


@hookimpl
def register_inverters(register):
    register("ddim-inversion", DdimInversionOptions, build_inverter,
             description="Deterministic DDIM inversion of an image to its noise (the ddim generator only).")


@hookimpl
def register_generators(register):
    register("ddim", DdimOptions, build_generator,
             description="A diffusers UNet2DModel sampled by deterministic DDIM; the latent is the initial noise image.")


@hookimpl
def register_trainers(register):
    from gigs_ddim.command import train_generator

    register("generator", "ddim", train_generator,
             description="Train a small UNet (ε-prediction) for the ddim generator on a catalogue's images; resumable.")
