"""What an evaluation runs against: the models, the catalogue sample and the user groups."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from gigs_core.config import GigsConfig


@dataclass
class CatalogueSample:
    """Catalogue items the protocols draw from: their ids, images (``N×C×H×W`` in ``[0, 1]`` at
    the generator's size and channels) and category names."""

    ids: list[int]
    images: torch.Tensor
    categories: list[str]


@dataclass
class EvalBackends:
    """The generator and recommender of every run, judges that score the same images, the
    perceptual distance of variants to items (``None``: not measured), the feature networks of
    IS and FID (``None``: not measured), and the named user groups of the class-level table."""

    generator: Any
    recommender: Any
    config: GigsConfig
    catalogue: CatalogueSample
    groups: dict[str, list[int]]
    judges: dict[str, Any] = field(default_factory=dict)
    distance: Any = None
    is_network: Any = None
    fid_network: Any = None

    @property
    def num_users(self) -> int:
        return int(self.recommender.num_users)
