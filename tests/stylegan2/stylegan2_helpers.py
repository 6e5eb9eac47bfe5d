"""Tiny StyleGAN2 settings and writers of rosinality's file layouts for the stylegan2 tests.

The layouts follow rosinality ``stylegan2-pytorch``: ``train.py`` saves
``{'g', 'd', 'g_ema', 'g_optim', 'd_optim', 'args', 'ada_aug_p'}`` and
``convert_weight.py`` saves ``{'g_ema', 'latent_avg'}``.
"""

from __future__ import annotations

import argparse

import torch

TINY = {"size": 8, "style_dim": 8, "n_mlp": 2, "max_channels": 8}


def seeded(shape, seed: int) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def with_random_biases(generator, seed: int = 1):
    """``generator`` with its zero-initialised parameters (biases, noise strengths) made random,
    so a test sees every parameter at work."""
    with torch.no_grad():
        for name, parameter in generator.network.named_parameters():
            if name.endswith(("bias", "noise.weight")):
                parameter.add_(0.3 * seeded(parameter.shape, seed))
                seed += 1
    return generator


def save_converted(generator, path, latent_avg=None):
    """``{'g_ema', 'latent_avg'}``, as rosinality's convert_weight.py writes."""
    average = generator.latent_avg if latent_avg is None else latent_avg
    torch.save({"g_ema": generator.network.state_dict(), "latent_avg": average.clone()}, path)
    return path


def save_training(generator, path, arch: str = "stylegan2"):
    """A training checkpoint as rosinality's train.py writes it (a stand-in discriminator)."""
    g_optim = torch.optim.Adam(generator.network.parameters(), lr=0.002, betas=(0.0, 0.99))
    discriminator = torch.nn.Linear(3, 1)
    d_optim = torch.optim.Adam(discriminator.parameters(), lr=0.002)
    discriminator(torch.ones(1, 3)).sum().backward()
    d_optim.step()
    arch_args = generator.network.arch
    args = argparse.Namespace(path="lmdb", arch=arch, iter=800000, batch=16, size=arch_args.size,
                              latent=arch_args.style_dim, n_mlp=arch_args.n_mlp, channel_multiplier=2,
                              ckpt=None, lr=0.002, distributed=False, start_iter=0)
    torch.save({"g": generator.network.state_dict(), "d": discriminator.state_dict(),
                "g_ema": generator.network.state_dict(), "g_optim": g_optim.state_dict(),
                "d_optim": d_optim.state_dict(), "args": args, "ada_aug_p": 0.0}, path)
    return path
