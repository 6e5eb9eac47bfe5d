"""Build the ``stylegan2`` generator: from a checkpoint (rosinality's layouts or gigs'
own files; NVlabs pickles are refused with the way to convert them) or fresh."""

from __future__ import annotations

import logging
from pathlib import Path

import torch

from gigs_core.checkpoints import is_safetensors
from gigs_core.errors import CheckpointError
from gigs_core.method.modules import seeded
from gigs_core.options import existing_checkpoint
from gigs_stylegan2.architecture import Architecture, standard_channels
from gigs_stylegan2.generator import LATENT_SPACES, StyleGan2Generator
from gigs_stylegan2.network import StyleGan2Network

log = logging.getLogger(__name__)

MEAN_W_SAMPLES = 4096
MEAN_W_SEED = 0


@torch.no_grad()
def estimate_mean_w(network: StyleGan2Network, samples: int = MEAN_W_SAMPLES, seed: int = MEAN_W_SEED) -> torch.Tensor:
    """The mean of ``mapping(z)`` over ``samples`` seeded standard normal z (for files without ``latent_avg``)."""
    z = torch.randn(samples, network.arch.style_dim, generator=torch.Generator().manual_seed(seed))
    return network.mapping(z.to(network.input.input)).mean(dim=0)


def fresh_network(*, size: int, style_dim: int, n_mlp: int, channel_multiplier: int, max_channels: int,
                  seed: int) -> StyleGan2Network:
    """A network with rosinality's initialisation (seeded): weights N(0, 1) (/ lr_mul in the
    mapping), modulation biases 1, other biases and noise strengths 0, noise images N(0, 1)."""
    arch = Architecture(style_dim=style_dim, n_mlp=n_mlp,
                        channels=standard_channels(size, channel_multiplier, max_channels))
    with seeded(seed):
        return StyleGan2Network(arch)


def load_network(path: str | Path) -> tuple[StyleGan2Network, torch.Tensor | None]:
    """The network in ``path`` and its stored mean W (``None`` when the file has none)."""
    from gigs_stylegan2 import native_format, rosinality_format
    from gigs_stylegan2.nvlabs import refuse_nvlabs_pickle

    path = existing_checkpoint(path)
    if is_safetensors(path):
        if not native_format.is_native(path):
            raise CheckpointError(f"{str(path)!r} is a safetensors file without a gigs StyleGAN2 config beside it "
                                  f"({path.with_suffix('.json').name}); give a rosinality .pt or a file gigs saved")
        return native_format.load_network(path)
    refuse_nvlabs_pickle(path)
    return rosinality_format.load_network(path)


def build_generator(options) -> StyleGan2Generator:
    """The factory behind ``create_generator("stylegan2", **options)``."""
    if options.checkpoint is not None:
        network, mean_w = load_network(options.checkpoint)
    else:
        network, mean_w = fresh_network(size=options.size, style_dim=options.style_dim, n_mlp=options.n_mlp,
                                        channel_multiplier=options.channel_multiplier,
                                        max_channels=options.max_channels, seed=options.seed), None
    if mean_w is None:
        log.info("no latent_avg stored: the mean W is the mean of %d mapped samples", MEAN_W_SAMPLES)
        mean_w = estimate_mean_w(network)
    generator = LATENT_SPACES[options.latent_space](network, mean_w, options.truncation)
    return generator.eval()
