"""gigs' own StyleGAN2 files: ``NAME.safetensors`` (the network's weights, with
rosinality's key names under ``network.``, and ``latent_avg``) beside ``NAME.json``
(format, version and architecture)."""

from __future__ import annotations

from pathlib import Path

import torch

from gigs_core.checkpoints import load_state_dict_strict, read_checkpoint, save_checkpoint
from gigs_core.errors import CheckpointError
from gigs_stylegan2.architecture import Architecture
from gigs_stylegan2.generator import StyleGan2Generator
from gigs_stylegan2.network import StyleGan2Network

FORMAT = "gigs-stylegan2"
VERSION = 1


def save_generator(generator: StyleGan2Generator, path: str | Path) -> Path:
    """Write the network and mean W of ``generator`` (any latent space) to ``path`` + .json.
    The latent space and ψ are options of the loading call, not of the file."""
    config = {"format": FORMAT, "version": VERSION, "architecture": generator.network.arch.to_dict()}
    return save_checkpoint(generator, config, path)


def is_native(path: Path) -> bool:
    """True if ``path`` has a JSON config beside it naming this format."""
    import json

    config_path = path.with_suffix(".json")
    try:
        return config_path.is_file() and json.loads(config_path.read_text()).get("format") == FORMAT
    except (json.JSONDecodeError, AttributeError, UnicodeDecodeError):
        return False


def load_network(path: Path) -> tuple[StyleGan2Network, torch.Tensor]:
    """The network and mean W stored at ``path``."""
    source = repr(str(path))
    config, state = read_checkpoint(path)
    if config.get("format") != FORMAT:
        raise CheckpointError(f"{source}: its config does not describe a gigs StyleGAN2 (format {config.get('format')!r})")
    if int(config.get("version", 0)) > VERSION:
        raise CheckpointError(f"{source} was written by a newer gigs (format version {config['version']})")
    network = StyleGan2Network(Architecture.from_dict(config.get("architecture") or {}, source))
    holder = StyleGan2Generator(network, torch.zeros(network.arch.style_dim))
    load_state_dict_strict(holder, state, source)
    return network, holder.latent_avg
