"""Pure functions on latents used by Algorithm 1."""

from __future__ import annotations

import torch

from gigs_core.config import Normalization


def clip_shifts(shifts: torch.Tensor, eps: float) -> torch.Tensor:
    """k ← min(max(k, −ε), ε), element-wise."""
    return shifts.clamp(-eps, eps)


def normalize_latents(latents: torch.Tensor, mode: Normalization = "row") -> torch.Tensor:
    """z ← (z − μ) / σ.

    ``row`` standardises each latent vector over its last dimension (the
    paper); ``batch`` standardises over everything but the leading item axis of
    a ``B×n×D`` tensor (each item's whole batch of shifted latents, as the
    authors' scripts do; a 2-D tensor is one batch); ``none`` returns the input.
    σ is the unbiased standard deviation, as ``torch.std``.
    """
    if mode == "none":
        return latents
    if mode == "row":
        dims: tuple[int, ...] = (-1,)
    elif latents.ndim <= 2:
        dims = tuple(range(latents.ndim))
    else:
        dims = tuple(range(1, latents.ndim))
    mean = latents.mean(dim=dims, keepdim=True)
    std = latents.std(dim=dims, keepdim=True)
    return (latents - mean) / std
