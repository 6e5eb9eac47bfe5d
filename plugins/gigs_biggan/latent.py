"""BigGAN's noise prior: a standard normal truncated to [−2, 2], scaled by the truncation
(the distribution of ``pytorch_pretrained_biggan.truncated_noise_sample``:
``truncation · truncnorm(−2, 2)``)."""

from __future__ import annotations

import math

import torch

#: The standard normal is cut at ± this many standard deviations before scaling.
NOISE_BOUND = 2.0


def truncated_normal(shape: tuple[int, ...], *, generator: torch.Generator | None = None,
                     device: torch.device | None = None) -> torch.Tensor:
    """Float64 draws of a standard normal conditioned on [−NOISE_BOUND, NOISE_BOUND], by
    inverting its distribution function: u uniform on [Φ(−b), Φ(b)], z = √2 · erfinv(2u − 1)."""
    low = 0.5 * (1 + math.erf(-NOISE_BOUND / math.sqrt(2)))
    uniform = torch.rand(shape, generator=generator, device=device, dtype=torch.float64)
    probability = low + (1 - 2 * low) * uniform
    return (math.sqrt(2) * torch.erfinv(2 * probability - 1)).clamp(-NOISE_BOUND, NOISE_BOUND)
