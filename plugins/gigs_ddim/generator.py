"""A diffusion model as a GIGS generator: z is the initial noise of deterministic DDIM
sampling (η = 0), so G(z) is a differentiable function of z like a GAN's.

Each step asks the UNet for its noise prediction and takes one step of diffusers'
``DDIMScheduler`` (its own update rule, called, not re-implemented). Shifts keep their
meaning because the generator owns its projection: a shifted noise image is put back
on the Gaussian shell (norm √d, where d is the number of its values), where a standard
normal noise image of that size lies with high probability.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from gigs_core.method.latent import StandardNormalLatent


class DdimGenerator(StandardNormalLatent, nn.Module):
    """``N×C×H×W`` noise → ``N×C×H×W`` images in ``[0, 1]`` by ``num_inference_steps`` DDIM steps.
    The noise is standard normal (``sample_latent`` of :class:`StandardNormalLatent`); only the
    projection is this generator's own."""

    def __init__(self, unet: nn.Module, scheduler, num_inference_steps: int = 10, gradient_checkpointing: bool = False):
        super().__init__()
        config = unet.config
        if config.sample_size is None or config.out_channels not in (1, 3):
            raise ValueError("the UNet must have a sample_size and 1 or 3 output channels")
        self.unet = unet
        self.scheduler = scheduler
        self.num_inference_steps = num_inference_steps
        self.scheduler.set_timesteps(num_inference_steps)
        side = config.sample_size if isinstance(config.sample_size, int) else config.sample_size[0]
        self.resolution, self.channels = side, config.out_channels
        self.latent_shape = (config.in_channels, side, side)
        if gradient_checkpointing:
            unet.enable_gradient_checkpointing()

    def project_latent(self, z: torch.Tensor) -> torch.Tensor:
        """Each noise image rescaled to norm √d (the Gaussian shell); its direction is kept."""
        norms = z.flatten(1).norm(dim=1).clamp_min(1e-12)
        return z * (math.sqrt(z[0].numel()) / norms).view(-1, *[1] * (z.ndim - 1))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        self.scheduler.set_timesteps(self.num_inference_steps)  # the scheduler may be shared with a pipeline
        sample = z
        for timestep in self.scheduler.timesteps:
            noise = self.unet(sample, timestep).sample
            sample = self.scheduler.step(noise, timestep, sample, eta=0.0).prev_sample
        return (sample / 2 + 0.5).clamp(0, 1)
