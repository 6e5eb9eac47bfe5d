"""The true utility of synthetic users, w_uᵀ a(x), scoring any image."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from gigs_core.method.linear_preference import LinearPreferenceMixin
from gigs_synthetic.attributes import ATTRIBUTES, image_attributes


class GroundTruthRecommender(LinearPreferenceMixin, nn.Module):
    """features(x) = standardised attributes a(x) (N×7); θ_u = the user's true weights.

    Differentiable in the images, deterministic, and exact: ``score`` is the
    utility from which the users' interactions were sampled.
    """

    def __init__(self, weights: torch.Tensor, attr_mean: torch.Tensor, attr_std: torch.Tensor, *,
                 background: str = "dark", resolution: int = 28, segments: torch.Tensor | None = None,
                 segment_names: list[str] | None = None):
        super().__init__()
        weights = torch.as_tensor(weights, dtype=torch.float32)
        if weights.ndim != 2 or weights.shape[1] != len(ATTRIBUTES):
            raise ValueError(f"weights must be users×{len(ATTRIBUTES)}")
        self.register_buffer("weights", weights)
        self.register_buffer("attr_mean", torch.as_tensor(attr_mean, dtype=torch.float32))
        self.register_buffer("attr_std", torch.as_tensor(attr_std, dtype=torch.float32))
        self.register_buffer("segments", torch.as_tensor(segments if segments is not None else torch.zeros(len(weights)), dtype=torch.long))
        self.segment_names = list(segment_names or ["all"])
        self.background = background
        self.resolution = int(resolution)

    @classmethod
    def from_file(cls, path: str | Path) -> GroundTruthRecommender:
        from gigs_synthetic.users import SyntheticUsers

        users = SyntheticUsers.load(path)
        return cls(
            torch.from_numpy(users.weights), torch.from_numpy(users.attr_mean), torch.from_numpy(users.attr_std),
            background=users.meta.get("background", "dark"), resolution=users.meta.get("resolution", 28),
            segments=torch.from_numpy(users.segments), segment_names=users.segment_names,
        )

    @property
    def num_users(self) -> int:  # type: ignore[override]
        return self.weights.shape[0]

    def attributes(self, images: torch.Tensor) -> torch.Tensor:
        """N×7 raw attributes (see :mod:`gigs_synthetic.attributes`)."""
        return image_attributes(images, background=self.background, resolution=self.resolution)

    def features(self, images: torch.Tensor) -> torch.Tensor:
        return (self.attributes(images) - self.attr_mean.to(images)) / self.attr_std.to(images)

    def user_embeddings(self, users: torch.Tensor) -> torch.Tensor:
        users = self.check_users(users)
        return self.weights[users.to(self.weights.device)]

    def users_in_segment(self, name: str) -> torch.Tensor:
        """Ids of the users drawn from taste segment ``name``."""
        from gigs_core.errors import UserInputError

        if name not in self.segment_names:
            raise UserInputError(f"unknown segment {name!r}; segments: {', '.join(self.segment_names)}")
        return torch.nonzero(self.segments == self.segment_names.index(name)).flatten()
