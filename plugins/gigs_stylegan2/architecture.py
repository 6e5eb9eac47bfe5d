"""The shape of one StyleGAN2 generator: everything needed to rebuild it.

Facts from rosinality ``stylegan2-pytorch`` (``model.py``, ``Generator``): the
mapping network is a pixel norm followed by ``n_mlp`` dense layers of
``style_dim`` units; the synthesis network starts from a learned 4×4 constant
and doubles the size at each level up to ``size``; level ``r`` has
``channels[r]`` feature maps, 512 up to 32×32, then ``16384·m / r`` for the
channel multiplier ``m`` (256·m at 64, …, 16·m at 1024); W+ has
``2·log2(size) − 2`` rows. Kept free of torch so options and file readers can
use it cheaply.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gigs_core.errors import CheckpointError

SMALLEST, LARGEST = 4, 1024
"""Sizes rosinality's channel table covers."""


def is_supported_size(size: int) -> bool:
    return SMALLEST <= size <= LARGEST and size & (size - 1) == 0


def standard_channels(size: int, channel_multiplier: int = 2, max_channels: int = 512) -> tuple[int, ...]:
    """Feature maps at 4, 8, …, ``size``: rosinality's table, capped at ``max_channels``
    (512 leaves it unchanged; a small cap gives tiny models for tests and CPU experiments)."""
    if not is_supported_size(size):
        raise ValueError(f"size must be a power of two from {SMALLEST} to {LARGEST}, got {size}")
    resolutions = [SMALLEST * 2 ** level for level in range(size.bit_length() - SMALLEST.bit_length() + 1)]
    return tuple(min(512 if r <= 32 else 16384 * channel_multiplier // r, max_channels) for r in resolutions)


@dataclass(frozen=True)
class Architecture:
    """``channels[k]`` is the width at resolution ``4·2**k``; the last entry is at ``size``."""

    style_dim: int = 512
    n_mlp: int = 8
    channels: tuple[int, ...] = dataclasses.field(default_factory=lambda: standard_channels(256))

    def __post_init__(self) -> None:
        object.__setattr__(self, "channels", tuple(int(c) for c in self.channels))
        if not self.channels or not is_supported_size(self.size):
            raise ValueError(f"{len(self.channels)} levels do not make a size from {SMALLEST} to {LARGEST}")
        if self.style_dim < 1 or self.n_mlp < 0 or min(self.channels) < 1:
            raise ValueError(f"style_dim, n_mlp and channels must be positive, got {self}")

    @property
    def size(self) -> int:
        return SMALLEST * 2 ** (len(self.channels) - 1)

    @property
    def n_latent(self) -> int:
        """Rows of W+: one per styled convolution and ToRGB layer that reads its own style."""
        return 2 * self.size.bit_length() - 4  # 2·log2(size) − 2

    @property
    def noise_layers(self) -> int:
        """Styled convolutions, each with its own stored noise image."""
        return 2 * len(self.channels) - 1

    def to_dict(self) -> dict[str, Any]:
        return {"style_dim": self.style_dim, "n_mlp": self.n_mlp, "channels": list(self.channels)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str) -> Architecture:
        try:
            return cls(style_dim=int(data["style_dim"]), n_mlp=int(data["n_mlp"]), channels=tuple(data["channels"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise CheckpointError(f"{source}: bad StyleGAN2 architecture {dict(data)!r} ({exc})") from None

    @classmethod
    def of_state_dict(cls, state: Mapping[str, Any], source: str) -> Architecture:
        """The architecture a rosinality ``Generator`` state dict was made with, read from its
        tensor shapes (so any size, ``style_dim``, ``n_mlp`` and channel table loads)."""
        try:
            style_dim = int(state["conv1.conv.modulation.weight"].shape[1])
            n_mlp = 0
            while f"style.{n_mlp + 1}.weight" in state:
                n_mlp += 1
            channels = [int(state["input.input"].shape[1])]
            while f"convs.{2 * (len(channels) - 1)}.conv.weight" in state:
                channels.append(int(state[f"convs.{2 * (len(channels) - 1)}.conv.weight"].shape[1]))
            return cls(style_dim=style_dim, n_mlp=n_mlp, channels=tuple(channels))
        except (KeyError, IndexError, AttributeError, ValueError) as exc:
            raise CheckpointError(f"{source} holds no rosinality stylegan2-pytorch Generator state dict "
                                  f"({type(exc).__name__}: {exc}); give a file with 'g_ema'") from None
