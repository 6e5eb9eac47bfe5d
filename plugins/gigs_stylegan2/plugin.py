"""Registers the ``stylegan2`` generator (rosinality stylegan2-pytorch checkpoints, in pure
PyTorch) and its trainer (``gigs train generator --generator stylegan2``). torch loads only
when the generator is built or the trainer runs."""

from __future__ import annotations

from typing import Literal

import pydantic

from gigs_core import hookimpl
from gigs_core.options import CheckpointOptions

FRESH_MODEL_OPTIONS = ("size", "style_dim", "n_mlp", "channel_multiplier", "max_channels", "seed")


class StyleGan2Options(CheckpointOptions):
    """Options of the ``stylegan2`` generator. ``checkpoint`` is a rosinality ``.pt`` file
    (training or converted layout) or a file gigs saved; without one, a network with seeded
    random weights is built from the fresh-model options."""

    latent_space: Literal["z", "w", "w+"] = pydantic.Field(
        "w+", description="what inversion and shifting optimise: z (mapping input), w (one style for all "
        "layers) or w+ (one style per layer)")
    truncation: float = pydantic.Field(1.0, ge=0.0, le=1.0, description="ψ: styles pulled toward the mean W "
                                       "(latent_avg) by w ← avg + ψ (w − avg); 1 = none")
    size: int = pydantic.Field(256, description="without checkpoint: image size, a power of two from 4 to 1024")
    style_dim: pydantic.PositiveInt = pydantic.Field(512, description="without checkpoint: size of z and w")
    n_mlp: pydantic.NonNegativeInt = pydantic.Field(8, description="without checkpoint: mapping network layers")
    channel_multiplier: pydantic.PositiveInt = pydantic.Field(
        2, description="without checkpoint: rosinality's channel multiplier (64 px and up have 16384·m/size maps)")
    max_channels: pydantic.PositiveInt = pydantic.Field(
        512, description="without checkpoint: cap on every level's feature maps (small = a tiny model)")
    seed: int = pydantic.Field(0, description="without checkpoint: seed of the random weights")

    @pydantic.field_validator("size")
    @classmethod
    def _supported_size(cls, value: int) -> int:
        from gigs_stylegan2.architecture import is_supported_size

        if not is_supported_size(value):
            raise ValueError("must be a power of two from 4 to 1024")
        return value

    @pydantic.model_validator(mode="after")
    def _architecture_only_without_checkpoint(self) -> StyleGan2Options:
        if self.checkpoint is not None:
            changed = [name for name in FRESH_MODEL_OPTIONS if getattr(self, name) != type(self).model_fields[name].default]
            if changed:
                raise ValueError(f"options {', '.join(changed)} only apply to a fresh model (no checkpoint); "
                                 "a checkpoint brings its own architecture")
        return self


def build_stylegan2(options: StyleGan2Options):
    from gigs_stylegan2.loading import build_generator

    return build_generator(options)


@hookimpl
def register_generators(register):
    register("stylegan2", StyleGan2Options, build_stylegan2,
             description="StyleGAN2 (Karras et al. 2020) from rosinality stylegan2-pytorch checkpoints, in z, W "
             "or W+, with truncation; or a fresh random model.")


@hookimpl
def register_trainers(register):
    from gigs_stylegan2.command import train_generator

    register("generator", "stylegan2", train_generator,
             description="Train an unconditional StyleGAN2 on a catalogue's images; resumable, writes a "
                         "rosinality checkpoint.")
