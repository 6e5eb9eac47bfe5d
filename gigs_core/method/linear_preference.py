"""Shared behaviour of recommenders whose preference is linear: θ_uᵀ φ(x)."""

from __future__ import annotations

from collections.abc import Callable

import torch

from gigs_core.method.users import check_user_ids


class LinearPreferenceMixin:
    """Implements ``score`` and ``group_score`` from ``features`` and ``user_embeddings``.

    ``group_score`` uses the mean θ of the group, so its cost does not grow
    with the group: mean_u θ_uᵀφ(x) = (mean_u θ_u)ᵀ φ(x).
    """

    num_users: int

    def check_users(self, users: torch.Tensor) -> torch.Tensor:
        """A 1-D long tensor of valid user ids, or a clear error."""
        return check_user_ids(users, self.num_users)

    def score(self, images: torch.Tensor, users: torch.Tensor) -> torch.Tensor:
        return self.features(images) @ self.user_embeddings(users).T

    def group_score(self, images: torch.Tensor, users: torch.Tensor) -> torch.Tensor:
        return self.group_scorer(users)(images)

    def group_scorer(self, users: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
        """``images → group_score(images, users)`` with the group's mean θ computed once."""
        theta = self.user_embeddings(users).mean(dim=0)
        return lambda images: self.features(images) @ theta
