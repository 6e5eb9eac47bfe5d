"""Pure functions on latents used by Algorithm 1, and the latent space most GANs share.

Latents travel as ``B × n × *latent_shape`` tensors: ``B`` items, ``n`` latents per item
(1 for a base latent, ``n`` shifted ones), each of the generator's ``latent_shape``.
"""

from __future__ import annotations

import torch

from gigs_core.config import Normalization
from gigs_core.method.modules import first_tensor


def clip_shifts(shifts: torch.Tensor, eps: float) -> torch.Tensor:
    """k ← min(max(k, −ε), ε), element-wise."""
    return shifts.clamp(-eps, eps)


def standardize(values: torch.Tensor, dims: tuple[int, ...]) -> torch.Tensor:
    """(x − μ) / σ over ``dims``; σ is the unbiased standard deviation, as ``torch.std``."""
    mean = values.mean(dim=dims, keepdim=True)
    std = values.std(dim=dims, keepdim=True)
    return (values - mean) / std


def normalize_latents(latents: torch.Tensor, mode: Normalization, generator=None) -> torch.Tensor:
    """Algorithm 1's z ← normalize(z) for ``B × n × *latent_shape`` latents.

    ``generator`` (the default) asks the generator: its ``project_latent`` puts a latent
    back where its prior lives (for a standard normal prior, the paper's per-latent
    standardisation). ``row`` standardises each latent over all its dimensions (the paper,
    whatever the generator); ``batch`` standardises over each item's whole batch of
    ``n`` latents, as the authors' scripts do; ``none`` returns the input.
    """
    if latents.ndim < 3:
        raise ValueError(f"latents must be B×n×(latent shape), got {tuple(latents.shape)}")
    if mode == "none":
        return latents
    if mode == "generator":
        if generator is None:
            raise ValueError("normalize='generator' needs the generator")
        flat = latents.reshape(-1, *latents.shape[2:])
        return generator.project_latent(flat).reshape(latents.shape)
    first = 2 if mode == "row" else 1
    return standardize(latents, tuple(range(first, latents.ndim)))


class StandardNormalLatent:
    """Mixin for a ``torch.nn.Module`` generator whose prior is z ~ N(0, I) of shape
    ``latent_shape`` (ProGAN, DCGAN, StyleGAN's Z): it supplies the Generator protocol's
    ``sample_latent`` and ``project_latent`` (standardise each latent)."""

    latent_shape: tuple[int, ...]

    def sample_latent(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """``n × *latent_shape`` standard normal latents on the module's device and dtype,
        drawn on ``generator``'s device."""
        reference = first_tensor(self)
        device = generator.device if generator is not None else reference.device
        z = torch.randn(n, *self.latent_shape, generator=generator, device=device, dtype=reference.dtype)
        return z.to(reference.device)

    def project_latent(self, z: torch.Tensor) -> torch.Tensor:
        """Each of the ``N`` latents standardised to mean 0 and standard deviation 1."""
        return standardize(z, tuple(range(1, z.ndim)))
