"""Helpers the ProGAN tests share (a module, not conftest: `conftest` is ambiguous across test folders)."""

import torch


def seeded_latents(n: int, dim: int, seed: int = 0) -> torch.Tensor:
    return torch.randn(n, dim, generator=torch.Generator().manual_seed(seed))
