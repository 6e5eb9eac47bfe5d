"""The description of one ProGAN generator: everything needed to rebuild it.

Kept free of torch so options, configs and format readers can use it cheaply.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Literal

from gigs_core.errors import CheckpointError

OutputActivation = Literal["none", "tanh"]


def feature_schedule(resolution: int, *, feature_base: int = 16384, max_features: int = 512,
                     min_features: int = 1) -> list[int]:
    """Feature maps per resolution level (4×4 first): ``clip(base / 2**(level+1), min, max)``,
    the schedule of Karras et al. and of akanimax's ``nf(stage)``."""
    levels = levels_for(resolution)
    return [int(min(max(feature_base // 2 ** (level + 1), min_features), max_features)) for level in range(levels)]


def levels_for(resolution: int) -> int:
    """Number of resolution levels (4, 8, …, ``resolution``)."""
    if resolution < 4 or resolution & (resolution - 1):
        raise ValueError(f"resolution must be a power of two ≥ 4, got {resolution}")
    return int(math.log2(resolution)) - 1


@dataclass(frozen=True)
class Architecture:
    """A ProGAN generator's shape and the small behavioural differences between codebases.

    ``features[k]`` is the width of level ``k`` (resolution ``4·2**k``). The
    first layer maps the (pixel-normalised) latent to a 4×4×``features[0]``
    map; ``format_norm`` applies pixel norm right after it (Karras et al.,
    GAN zoo) or only after the following 3×3 convolution (akanimax).
    ``alpha`` < 1 blends the last level with the upsampled previous one (the
    fade-in state of a checkpoint saved mid-transition).
    """

    latent_dim: int = 512
    channels: int = 3
    features: tuple[int, ...] = field(default_factory=lambda: tuple(feature_schedule(64)))
    equalized: bool = True
    leak: float = 0.2
    normalize_latent: bool = True
    pixel_norm: bool = True
    format_norm: bool = True
    output_activation: OutputActivation = "none"
    alpha: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", tuple(int(f) for f in self.features))
        if not self.features:
            raise ValueError("a ProGAN needs at least one level")
        if self.channels not in (1, 3):
            raise ValueError(f"channels must be 1 or 3, got {self.channels}")
        if not 0.0 <= self.alpha <= 1.0:
            raise ValueError(f"alpha must be in [0, 1], got {self.alpha}")

    @property
    def levels(self) -> int:
        return len(self.features)

    @property
    def resolution(self) -> int:
        return 4 * 2 ** (self.levels - 1)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["features"] = list(self.features)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "config") -> Architecture:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise CheckpointError(f"{source}: unknown ProGAN architecture fields {unknown}")
        try:
            return cls(**data)
        except (TypeError, ValueError) as exc:
            raise CheckpointError(f"{source}: bad ProGAN architecture ({exc})") from None
