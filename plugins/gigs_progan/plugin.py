"""Registers the ``progan`` generator, its trainer (``gigs train generator --generator progan``)
and its critic fitting (``gigs train critic --critic progan``).
torch loads only when used."""

from __future__ import annotations

from typing import Literal

import pydantic

from gigs_core import hookimpl
from gigs_core.options import CheckpointOptions


class ProGanOptions(CheckpointOptions):
    """Options of the ``progan`` generator.

    With ``checkpoint``, the architecture comes from the file and the
    architecture options must stay at their defaults; without it, a randomly
    initialised generator of the given architecture is built (seeded).
    """

    format: Literal["auto", "akanimax", "gan-zoo", "gigs"] = "auto"
    """Checkpoint format; ``auto`` detects it from the file."""
    weights: Literal["ema", "plain"] = "ema"
    """Which generator copy to load: the moving average (``shadow_generator``/``avgG``) or the trained one."""
    discriminator: pydantic.FilePath | None = None
    """The critic a gigs training run wrote (``discriminator.safetensors``): gives ``--method dvbpr-pm`` its realism term."""
    resolution: int = 64
    """Output size of a fresh model (power of two ≥ 4)."""
    latent_dim: pydantic.PositiveInt = 512
    """Latent size of a fresh model."""
    channels: Literal[1, 3] = 3
    """1 = grey, 3 = colour (fresh model)."""
    max_features: pydantic.PositiveInt = 512
    """Widest layer of a fresh model."""
    feature_base: pydantic.PositiveInt = 16384
    """Level k of a fresh model has min(max_features, feature_base / 2^(k+1)) feature maps."""
    seed: int = 0
    """Seed of a fresh model's random weights."""

    @pydantic.field_validator("resolution")
    @classmethod
    def _power_of_two(cls, value: int) -> int:
        if value < 4 or value & (value - 1):
            raise ValueError("must be a power of two ≥ 4")
        return value

    @pydantic.model_validator(mode="after")
    def _architecture_only_without_checkpoint(self) -> ProGanOptions:
        if self.checkpoint is not None:
            changed = sorted(name for name in ("resolution", "latent_dim", "channels", "max_features",
                                               "feature_base", "seed")
                             if getattr(self, name) != type(self).model_fields[name].default)
            if changed:
                raise ValueError(f"{', '.join(changed)} describe a fresh model; a checkpoint brings its own architecture")
        elif self.format != "auto" or self.weights != "ema" or self.discriminator is not None:
            raise ValueError("format, weights and discriminator apply to a checkpoint; give checkpoint=PATH")
        return self


def build_progan(options: ProGanOptions):
    from gigs_progan.loading import build_generator

    return build_generator(options)


@hookimpl
def register_generators(register):
    register(
        "progan",
        ProGanOptions,
        build_progan,
        description="ProGAN (Karras et al. 2018): akanimax pro_gan_pytorch, pytorch_GAN_zoo PGAN or gigs "
        "checkpoints, or a fresh random model.",
    )


@hookimpl
def register_trainers(register):
    from gigs_progan.command import train_generator
    from gigs_progan.critic_command import fit_critic_command

    register("generator", "progan", train_generator)
    register("critic", "progan", fit_critic_command,
             description="Fit a WGAN-GP critic to a fixed ProGAN checkpoint (the realism term of --method dvbpr-pm).")
