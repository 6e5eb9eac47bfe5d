"""Latent shifting, Algorithm 1's second loop.

With the base latent z fixed, n shifting vectors k ~ N(0, I) per item; each step:
k ← clip(k, −ε, ε); kz = normalize(z + k); X_k = G(kz);
L_pref = mean over the n images of the group preference of X_k;
(P_class, P_shift) = Θs(X_k); L_s = w_ce·CE(P_class, Y) + w_mae·MAE(P_shift, k) − w_pref·L_pref;
one Adam step on k (α2) and on Θs (α3).

Several items are optimised in one batch, each with its own shifts, predictor
and random streams; since no loss term mixes items, the batch gives each item
what it would get alone.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from gigs_core.config import ShiftConfig
from gigs_core.errors import UserInputError
from gigs_core.method.latent import clip_shifts, normalize_latents
from gigs_core.method.modules import frozen, module_device, seeded
from gigs_core.method.progress import Progress, no_progress
from gigs_core.method.seeds import derive_seed, rng
from gigs_core.method.shift_predictor import ShiftPredictor, build_shift_predictor


@dataclass
class ShiftResult:
    """The shifts found for a batch of items."""

    shifts: torch.Tensor
    """``B × n × *latent_shape`` clipped shifting vectors k."""
    latents: torch.Tensor
    """``B × n × *latent_shape`` normalised shifted latents kz."""
    variants: torch.Tensor
    """``B × n × C × H × W`` images G(kz) in ``[0, 1]``."""
    preferences: torch.Tensor
    """``B × n`` group preference of each variant."""
    preference_history: torch.Tensor
    """``steps × B`` mean group preference of each item's variants at each step."""
    seconds: float


def shifted_latents(base: torch.Tensor, shifts: torch.Tensor, config: ShiftConfig, generator) -> torch.Tensor:
    """normalize(z + k) for ``B × *latent_shape`` bases and ``B × n × *latent_shape``
    (already clipped) shifts.

    The clip is a projection applied to k before this, not part of the
    differentiated graph: a clamp in the graph would zero the gradient of every
    coordinate on the box's boundary and leave it stuck there."""
    return normalize_latents(base[:, None] + shifts, config.normalize, generator)


def _predictor_loss(
    predictor: ShiftPredictor, images: torch.Tensor, shifts: torch.Tensor, order: torch.Tensor, config: ShiftConfig
) -> torch.Tensor:
    logits, predicted_shifts = predictor(images[order])
    class_loss = F.cross_entropy(logits, order)
    shift_loss = (predicted_shifts - shifts[order].flatten(1)).abs().mean()
    return config.ce_weight * class_loss + config.mae_weight * shift_loss


def optimize_shifts(
    generator,
    recommender,
    base_latents: torch.Tensor,
    users: torch.Tensor,
    config: ShiftConfig | None = None,
    *,
    seeds: Sequence[int],
    progress: Progress | None = None,
) -> ShiftResult:
    """Find ``config.n`` shifts around each base latent that raise ``users``' group preference."""
    config = config or ShiftConfig()
    progress = progress or no_progress
    shape = tuple(generator.latent_shape)
    if tuple(base_latents.shape[1:]) != shape:
        expected = "×".join(map(str, ("B", *shape)))
        raise UserInputError(f"base latents must be {expected}, got {tuple(base_latents.shape)}")
    if len(seeds) != base_latents.shape[0]:
        raise UserInputError(f"need one seed per item: {len(seeds)} seeds for {base_latents.shape[0]} items")
    started = time.perf_counter()
    device = module_device(generator)
    base = base_latents.detach().to(device)
    items, n = base.shape[0], config.n
    users = torch.as_tensor(users, dtype=torch.long, device=device)

    shifts = torch.stack([torch.randn(n, *shape, generator=rng(seed, "shifts")) for seed in seeds])
    shifts = shifts.to(device=device, dtype=base.dtype).requires_grad_(True)
    predictors = []
    for seed in seeds:
        with seeded(derive_seed(seed, "predictor")):
            predictors.append(build_shift_predictor(config.predictor_trunk, config.predictor_trunk_options, n,
                                                    math.prod(shape)))
    predictors = [predictor.to(device=device, dtype=base.dtype).train() for predictor in predictors]
    target_streams = [rng(seed, "targets") for seed in seeds]
    shift_optimizer = torch.optim.Adam([shifts], lr=config.lr_shift)
    predictor_optimizer = torch.optim.Adam(
        [p for predictor in predictors for p in predictor.parameters()], lr=config.lr_predictor
    )
    history = torch.zeros(config.steps, items)
    fixed_order = torch.arange(n, device=device)

    with frozen(generator, recommender):
        progress("shifting", 0, config.steps)
        for step in range(config.steps):
            with torch.no_grad():
                shifts.copy_(clip_shifts(shifts, config.eps))
            latents = shifted_latents(base, shifts, config, generator)
            images = generator(latents.reshape(items * n, *shape))
            preference = recommender.group_score(images, users).view(items, n).mean(dim=1)
            images = images.view(items, n, *images.shape[1:])
            total = images.new_zeros(())
            for item, predictor in enumerate(predictors):
                order = fixed_order
                if config.targets == "permuted":
                    order = torch.randperm(n, generator=target_streams[item]).to(device)
                total = total + _predictor_loss(predictor, images[item], shifts[item], order, config)
            total = total - config.preference_weight * preference.sum()
            shift_optimizer.zero_grad(set_to_none=True)
            predictor_optimizer.zero_grad(set_to_none=True)
            total.backward()
            shift_optimizer.step()
            predictor_optimizer.step()
            history[step] = preference.detach().cpu()
            progress("shifting", step + 1, config.steps)

        with torch.no_grad():
            final_shifts = clip_shifts(shifts.detach(), config.eps)
            latents = shifted_latents(base, final_shifts, config, generator)
            variants = generator(latents.reshape(items * n, *shape))
            preferences = recommender.group_score(variants, users).view(items, n)
    return ShiftResult(
        shifts=final_shifts,
        latents=latents,
        variants=variants.view(items, n, *variants.shape[1:]),
        preferences=preferences,
        preference_history=history,
        seconds=time.perf_counter() - started,
    )
