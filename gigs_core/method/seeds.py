"""Independent, reproducible random streams derived from one user seed."""

from __future__ import annotations

import hashlib

import torch


def derive_seed(seed: int, purpose: str) -> int:
    """A 63-bit seed for ``purpose`` (``"latent"``, ``"shifts"``, …) derived from ``seed``,
    so that different uses of one seed never share a random stream."""
    digest = hashlib.sha256(f"{int(seed)}:{purpose}".encode()).digest()
    return int.from_bytes(digest[:8], "little") & (2**63 - 1)


def rng(seed: int, purpose: str) -> torch.Generator:
    """A CPU ``torch.Generator`` for ``purpose``."""
    return torch.Generator().manual_seed(derive_seed(seed, purpose))
