"""A ProGAN generator with its critic: the Generator protocol, plus the ``realism_loss`` that
DVBPR's preference maximisation (``--method dvbpr-pm``) weighs by η.

Kang et al.'s realism term is an LSGAN discriminator's (D(G(z)) − 1)²; ProGAN's critic is a
WGAN one, whose score is higher for more realistic images and has no target value, so the
loss is its negative score, −D(x). Its scale is the critic's own: choose η accordingly.
"""

from __future__ import annotations

import torch
from torch import nn


class GeneratorWithCritic(nn.Module):
    """Delegates the Generator protocol to ``generator``; ``realism_loss(images)`` is ``−critic``."""

    def __init__(self, generator: nn.Module, critic: nn.Module) -> None:
        super().__init__()
        if tuple(critic.features) != tuple(generator.arch.features) or critic.channels != generator.channels:
            raise ValueError(f"the critic (features {list(critic.features)}, {critic.channels} channels) does not match "
                             f"the generator (features {list(generator.arch.features)}, {generator.channels} channels)")
        self.generator, self.critic = generator, critic
        self.latent_shape, self.resolution, self.channels = generator.latent_shape, generator.resolution, generator.channels

    def sample_latent(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        return self.generator.sample_latent(n, generator=generator)

    def project_latent(self, z: torch.Tensor) -> torch.Tensor:
        return self.generator.project_latent(z)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.generator(z)

    def realism_loss(self, images: torch.Tensor) -> torch.Tensor:
        """``N`` losses of ``[0, 1]`` images: the critic's negative score (lower is more realistic)."""
        return -self.critic(images * 2.0 - 1.0)
