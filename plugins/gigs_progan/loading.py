"""Build the ``progan`` generator: a fresh random model or a checkpoint of any supported format."""

from __future__ import annotations

import logging
from pathlib import Path

from gigs_core.checkpoints import is_safetensors
from gigs_core.errors import CheckpointError
from gigs_core.options import existing_checkpoint
from gigs_progan.architecture import Architecture, feature_schedule

log = logging.getLogger(__name__)


def fresh_generator(*, resolution: int, latent_dim: int, channels: int, max_features: int,
                    feature_base: int, seed: int):
    """A randomly initialised generator (weights N(0, 1), biases 0; seeded)."""
    from gigs_core.method.modules import seeded
    from gigs_progan.generator import ProGanGenerator

    arch = Architecture(latent_dim=latent_dim, channels=channels,
                        features=tuple(feature_schedule(resolution, feature_base=feature_base,
                                                        max_features=max_features)))
    with seeded(seed):
        return ProGanGenerator(arch)


def _foreign_format(data) -> str | None:
    keys = set(data) if isinstance(data, dict) else set()
    if "shadow_generator" in keys or {"generator", "discriminator"} <= keys:
        return "akanimax"
    if {"config", "netG"} <= keys or {"config", "avgG"} <= keys:
        return "gan-zoo"
    return None


def load_checkpoint(path: str | Path, *, format: str = "auto", weights: str = "ema"):
    """The generator stored in ``path``: gigs' own safetensors + JSON, an akanimax
    ``pro_gan_pytorch`` file or a ``pytorch_GAN_zoo`` PGAN checkpoint (``format="auto"``
    tells them apart by content)."""
    from gigs_progan import native_format

    path = existing_checkpoint(path)
    source = repr(str(path))
    if format not in ("auto", "gigs", "akanimax", "gan-zoo"):
        raise CheckpointError(f"unknown ProGAN checkpoint format {format!r}; formats: auto, akanimax, gan-zoo, gigs")
    if format == "gigs" or (format == "auto" and is_safetensors(path)):
        if format == "auto" and not native_format.is_native(path):
            config = path.with_suffix(".json")
            if config.is_file():
                raise CheckpointError(f"{source} is not a gigs ProGAN: its config {config.name} describes another "
                                      "model (give a generator.safetensors that `gigs train generator --generator "
                                      "progan` wrote)")
            raise CheckpointError(f"{source} is a safetensors file without a gigs ProGAN config beside it ({config.name})")
        return native_format.load_generator(path, weights=weights)
    from gigs_progan.foreign import read_foreign

    data = read_foreign(path)
    detected = _foreign_format(data)
    if format == "auto" and detected is None:
        shown = sorted(map(str, data))[:8] if isinstance(data, dict) else type(data).__name__
        raise CheckpointError(
            f"{source} is not a ProGAN checkpoint gigs knows: expected akanimax entries "
            f"(generator, shadow_generator, discriminator) or GAN-zoo entries (config, netG, avgG); found {shown}"
        )
    fmt = detected if format == "auto" else format
    if fmt == "akanimax":
        from gigs_progan import akanimax_format

        return akanimax_format.from_saved(data, source, weights)
    from gigs_progan import ganzoo_format

    return ganzoo_format.from_saved(data, source, weights)


def build_generator(options):
    """The factory behind ``create_generator("progan", **options)``."""
    if options.checkpoint is not None:
        generator = load_checkpoint(options.checkpoint, format=options.format, weights=options.weights)
        if options.discriminator is not None:
            from gigs_progan.critic import GeneratorWithCritic
            from gigs_progan.native_format import load_critic

            try:
                generator = GeneratorWithCritic(generator, load_critic(options.discriminator))
            except ValueError as exc:
                raise CheckpointError(f"discriminator {str(options.discriminator)!r}: {exc}") from None
    else:
        generator = fresh_generator(resolution=options.resolution, latent_dim=options.latent_dim,
                                    channels=options.channels, max_features=options.max_features,
                                    feature_base=options.feature_base, seed=options.seed)
    return generator.eval()
