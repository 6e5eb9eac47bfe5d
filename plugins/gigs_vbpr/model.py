"""The VBPR recommender on a timm backbone (He & McAuley, AAAI 2016).

VBPR's preference of user u for item i is
``β_u + β_i + γ_uᵀγ_i + θ_uᵀ E f_i + β'ᵀ f_i`` with f_i the item's fixed CNN
features. GIGS scores *new* images, which have no item id, so the id-based
terms (β_i, γ_i) have nothing to attach to and are left out; β_u is the same for
every image a user compares and cancels. What remains is the visual part::

    preference(u, x) = θ_uᵀ E f(x) + β'ᵀ f(x)

written as a :class:`~gigs_core.protocols.LinearRecommender` with features
``φ(x) = [E f(x); β'ᵀ f(x)]`` (K + 1 numbers) and user vectors ``[θ_u; 1]``, so
the core's mean-θ group score applies. ``f`` is any timm backbone's pooled
features (the ``timm`` feature extractor), run at a fixed square input size,
then standardised per dimension with a mean and scale fixed when training
starts (over the catalogue; identity for an untrained model). That is a linear
reparametrisation — E and β' absorb it, and its shift only adds a per-user
constant, which cancels like β_u — but it keeps training well conditioned
whatever the backbone's feature scale (a random-weight backbone's features vary
little between images).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from gigs_core.method.linear_preference import LinearPreferenceMixin


class VBPR(LinearPreferenceMixin, nn.Module):
    """θ_uᵀ E f(x) + β'ᵀ f(x) for ``[0, 1]`` images of any size with 1 or 3 channels.

    ``backbone`` is a feature extractor (``feature_dim``, ``forward(images) → N×D``)
    that resizes its input itself; ``backbone_model`` and ``input_size`` describe it
    for the saved config. Initial θ, E and β' are N(0, 0.01²) draws from ``generator``.
    """

    def __init__(self, backbone: nn.Module, num_users: int, *, k: int, backbone_model: str,
                 input_size: int, generator: torch.Generator | None = None):
        super().__init__()
        if num_users < 1:
            raise ValueError("VBPR needs at least one user")
        if k < 1:
            raise ValueError("VBPR needs k ≥ 1")
        self.backbone = backbone
        self.backbone_model = backbone_model
        self.input_size = int(input_size)
        dim = int(backbone.feature_dim)
        self.embedding = nn.Parameter(0.01 * torch.randn(k, dim, generator=generator))  # E
        self.visual_bias = nn.Parameter(0.01 * torch.randn(dim, generator=generator))  # β'
        self.theta = nn.Parameter(0.01 * torch.randn(num_users, k, generator=generator))
        self.register_buffer("feature_mean", torch.zeros(dim))
        self.register_buffer("feature_scale", torch.ones(dim))

    @property
    def num_users(self) -> int:  # type: ignore[override]
        return self.theta.shape[0]

    @property
    def k(self) -> int:
        return self.theta.shape[1]

    def config(self) -> dict[str, Any]:
        """What rebuilds this module (stored beside its safetensors checkpoint)."""
        return {"model": "vbpr-timm", "num_users": self.num_users, "k": self.k, "backbone": self.backbone_model,
                "input_size": self.input_size, "feature_dim": int(self.backbone.feature_dim)}

    def backbone_features(self, images: torch.Tensor) -> torch.Tensor:
        """N×D standardised f(x) of ``[0, 1]`` images."""
        return self.standardise(self.backbone(images))

    def standardise(self, raw_features: torch.Tensor) -> torch.Tensor:
        """(f − mean) / scale of N×D backbone outputs."""
        return (raw_features - self.feature_mean) / self.feature_scale

    @torch.no_grad()
    def fix_standardisation(self, raw_features: torch.Tensor) -> None:
        """Standardise f with the mean and standard deviation of ``raw_features`` (M×D backbone outputs);
        a dimension that does not vary keeps scale 1."""
        std = raw_features.std(dim=0)
        self.feature_mean.copy_(raw_features.mean(dim=0))
        self.feature_scale.copy_(torch.where(std > 1e-8, std, torch.ones_like(std)))

    def project(self, backbone_features: torch.Tensor) -> torch.Tensor:
        """φ = [E f; β'ᵀ f] (N×(K+1)) from precomputed N×D backbone features."""
        visual = backbone_features @ self.embedding.T
        return torch.cat([visual, (backbone_features @ self.visual_bias)[:, None]], dim=1)

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """N×(K+1) φ of ``[0, 1]`` images."""
        return self.project(self.backbone_features(images))

    def user_vectors(self) -> torch.Tensor:
        """U×(K+1) [θ_u; 1] of every user."""
        return torch.cat([self.theta, self.theta.new_ones(self.num_users, 1)], dim=1)

    def user_embeddings(self, users: torch.Tensor) -> torch.Tensor:
        users = self.check_users(users)
        return self.user_vectors()[users.to(self.theta.device)]
