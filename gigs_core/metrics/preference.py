"""Preference score and preference shift: how much a group of users prefers images.

The preference score of user ``u`` for image ``X`` is the recommender's ``x_{u,X} = θ_uᵀ φ(X)``
(the paper's Eq. 1, after DVBPR; any :class:`~gigs_core.protocols.Recommender` gives it as
``score``). For a group it is the mean over the group's users, which is ``group_score``; the
metric is the mean (± std) of that over the images.

The preference shift of a variant is its group preference minus its item's: positive means the
variant is preferred. The paper words it the other way round, "base image preference −
generated image preference score" (Results, the paragraphs of Tables 3–5), yet reports positive
shifts for variants that are preferred, so its numbers follow our sign.
"""

from __future__ import annotations

import torch
from torch import nn

from gigs_core.metrics.base import PerUnitMetric, Summary, check_images, check_variants


@torch.no_grad()
def _group_preferences(recommender: nn.Module, images: torch.Tensor, users: torch.Tensor) -> torch.Tensor:
    return recommender.group_score(images, users)


@torch.no_grad()
def _preference_shifts(recommender: nn.Module, items: torch.Tensor, variants: torch.Tensor,
                       users: torch.Tensor) -> torch.Tensor:
    item_scores = recommender.group_score(items, users)
    variant_scores = recommender.group_score(variants.flatten(0, 1), users).view(variants.shape[:2])
    return variant_scores - item_scores[:, None]


def preference_score(recommender: nn.Module, images: torch.Tensor, users: torch.Tensor) -> Summary:
    """Mean ± std over ``images`` of the group's mean preference (Eq. 1 averaged over ``users``)."""
    check_images(images, "images")
    return Summary.of(_group_preferences(recommender, images, users))


def preference_shift(recommender: nn.Module, items: torch.Tensor, variants: torch.Tensor,
                     users: torch.Tensor) -> Summary:
    """Mean ± std over every variant of (its group preference − its item's); ``items`` ``M×C×H×W``,
    ``variants`` ``M×V×C×H×W``. Positive: the variants are preferred."""
    check_variants(items, variants)
    return Summary.of(_preference_shifts(recommender, items, variants, users))


class PreferenceScore(PerUnitMetric):
    """Stateful :func:`preference_score` for one recommender and user group."""

    higher_is_better = True
    name = "preference score"

    def __init__(self, recommender: nn.Module, users: torch.Tensor) -> None:
        super().__init__()
        self.recommender, self.users = recommender, users

    def update(self, images: torch.Tensor) -> None:
        check_images(images, "images")
        self._add(_group_preferences(self.recommender, images, self.users))


class PreferenceShift(PerUnitMetric):
    """Stateful :func:`preference_shift` for one recommender and user group.

    ``items`` are what the variants are compared with: the item photos (what gigs' reports
    use), or the reconstructions ``G(z)`` — the paper's "base image" — in class-level mode.
    """

    higher_is_better = True
    name = "preference shift"

    def __init__(self, recommender: nn.Module, users: torch.Tensor) -> None:
        super().__init__()
        self.recommender, self.users = recommender, users

    def update(self, items: torch.Tensor, variants: torch.Tensor) -> None:
        check_variants(items, variants)
        self._add(_preference_shifts(self.recommender, items, variants, self.users))
