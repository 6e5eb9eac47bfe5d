"""The ``ddim-inversion`` inverter: an image to the noise that DDIM sampling turns back into it.

Deterministic DDIM inversion runs the sampler's update backwards, from the image at t = 0
to noise at the last timestep, with diffusers' ``DDIMInverseScheduler`` (configured from
the generator's own scheduler) and the generator's UNet. It needs no optimisation and no
perceptual distance: ``num_inference_steps`` UNet passes per image, without gradients.
It is exact when the UNet's noise prediction changes little between neighbouring steps,
so a well-trained UNet and enough steps make it close; it only applies to the ``ddim``
generator. The noise found is put on the generator's Gaussian shell (its
``project_latent``), where shifting expects a latent, and the reconstruction and loss
reported are those of that latent.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import torch
from torch import nn

from gigs_core.errors import UserInputError
from gigs_core.method.inversion import InversionResult
from gigs_core.method.modules import frozen
from gigs_core.method.progress import Progress, no_progress


@torch.no_grad()
def invert_to_noise(generator, images: torch.Tensor, num_inference_steps: int,
                    progress: Progress = no_progress) -> torch.Tensor:
    """The noise whose DDIM sampling gives ``images`` (``N×C×H×W`` in ``[0, 1]``), unprojected."""
    from diffusers import DDIMInverseScheduler

    scheduler = DDIMInverseScheduler.from_config(generator.scheduler.config)
    scheduler.set_timesteps(num_inference_steps)
    sample = images * 2 - 1
    progress("inversion", 0, num_inference_steps)
    for step, timestep in enumerate(scheduler.timesteps):
        noise = generator.unet(sample, timestep).sample
        sample = scheduler.step(noise, timestep, sample).prev_sample
        progress("inversion", step + 1, num_inference_steps)
    return sample


class DdimInverter(nn.Module):
    """Registered as ``ddim-inversion``; ``num_inference_steps=None`` uses the generator's. With a
    ``refinement`` (a latent-optimization inverter), its steps continue from the DDIM inversion."""

    def __init__(self, num_inference_steps: int | None = None, refinement: nn.Module | None = None):
        super().__init__()
        self.num_inference_steps = num_inference_steps
        self.refinement = refinement

    def invert(self, generator, images: torch.Tensor, *, seeds: Sequence[int],
               progress: Progress | None = None) -> InversionResult:
        from gigs_ddim.generator import DdimGenerator

        if not isinstance(generator, DdimGenerator):
            raise UserInputError(f"the ddim-inversion inverter inverts only the ddim generator, not "
                                 f"{type(generator).__name__}; use the latent-optimization inverter")
        if len(seeds) != images.shape[0]:
            raise UserInputError(f"need one seed per image: {len(seeds)} seeds for {images.shape[0]} images")
        started = time.perf_counter()
        steps = self.num_inference_steps or generator.num_inference_steps
        with frozen(generator), torch.no_grad():
            latents = generator.project_latent(invert_to_noise(generator, images, steps, progress or no_progress))
            reconstructions = generator(latents)
        if self.refinement is not None:
            refined = self.refinement.invert(generator, images, seeds=seeds, progress=progress, start=latents)
            refined.perceptual = f"{refined.perceptual} (after DDIM inversion, {steps} steps)"
            refined.seconds = time.perf_counter() - started
            return refined
        return InversionResult(
            latents=latents, reconstructions=reconstructions,
            losses=(reconstructions - images).pow(2).flatten(1).mean(dim=1),
            perceptual=f"none (DDIM inversion, {steps} steps; the loss is the MSE)",
            seconds=time.perf_counter() - started,
        )
