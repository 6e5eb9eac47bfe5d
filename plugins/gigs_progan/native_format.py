"""gigs' own ProGAN files: ``NAME.safetensors`` (weights) beside ``NAME.json`` (config), for a
generator or for the critic a training run kept (``discriminator.safetensors``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from gigs_core.checkpoints import load_state_dict_strict, read_checkpoint, save_checkpoint
from gigs_core.errors import CheckpointError
from gigs_progan.architecture import Architecture

FORMAT = "gigs-progan"
CRITIC_FORMAT = "gigs-progan-critic"
VERSION = 1
Weights = Literal["ema", "plain"]


def save_generator(generator, path: str | Path, *, weights: Weights = "ema", extra: dict | None = None) -> Path:
    """Write ``generator`` (a :class:`~gigs_progan.generator.ProGanGenerator`) as
    ``path`` (.safetensors) + .json; ``weights`` records which copy it is."""
    config = {"format": FORMAT, "version": VERSION, "weights": weights,
              "architecture": generator.arch.to_dict(), **(extra or {})}
    return save_checkpoint(generator, config, path)


def is_native(path: Path) -> bool:
    """True if ``path`` has a JSON config beside it that names this format."""
    import json

    config_path = path.with_suffix(".json")
    if not config_path.is_file():
        return False
    try:
        return json.loads(config_path.read_text()).get("format") == FORMAT
    except (json.JSONDecodeError, AttributeError, UnicodeDecodeError):
        return False


def load_generator(path: str | Path, weights: Weights = "ema"):
    """The generator stored at ``path``; ``weights`` must match the copy the file holds."""
    from gigs_progan.generator import ProGanGenerator

    path = Path(path)
    config, state = read_checkpoint(path)
    if config.get("format") != FORMAT:
        raise CheckpointError(f"{str(path)!r}: its config does not describe a gigs ProGAN (format {config.get('format')!r})")
    if int(config.get("version", 0)) > VERSION:
        raise CheckpointError(f"{str(path)!r} was written by a newer gigs (format version {config['version']})")
    stored = config.get("weights", "ema")
    if weights != stored:
        sibling = "generator-plain.safetensors" if weights == "plain" else "generator.safetensors"
        raise CheckpointError(
            f"{str(path)!r} holds the {stored} weights, not {weights}; a training run writes the "
            f"{weights} weights to {sibling}"
        )
    arch = Architecture.from_dict(config.get("architecture") or {}, source=repr(str(path)))
    generator = ProGanGenerator(arch)
    load_state_dict_strict(generator, state, repr(str(path)))
    return generator


def save_critic(critic, path: str | Path, *, extra: dict | None = None) -> Path:
    """Write a :class:`~gigs_progan.discriminator.ProGanDiscriminator` as ``path`` + .json."""
    config = {"format": CRITIC_FORMAT, "version": VERSION, "features": list(critic.features),
              "channels": critic.channels, **(extra or {})}
    return save_checkpoint(critic, config, path)


def load_critic(path: str | Path):
    """The critic stored at ``path`` by :func:`save_critic` (a training run's ``discriminator.safetensors``)."""
    from gigs_progan.discriminator import ProGanDiscriminator

    path = Path(path)
    config, state = read_checkpoint(path)
    if config.get("format") != CRITIC_FORMAT:
        raise CheckpointError(f"{str(path)!r} is not a gigs ProGAN critic (format {config.get('format')!r}); "
                              "give the discriminator.safetensors a `gigs train generator --generator progan` run wrote")
    critic = ProGanDiscriminator(tuple(config["features"]), int(config["channels"]))
    load_state_dict_strict(critic, state, repr(str(path)))
    return critic
