"""Latent shifting, Algorithm 1's second loop.

With the base latent z fixed, n shifting vectors k ~ N(0, I) per item; each step:
k ← clip(k, −ε, ε); kz = normalize(z + k); X_k = G(kz);
L_pref = mean over the n images of the group preference of X_k;
(P_class, P_shift) = Θs(X_k); L_s = w_ce·CE(P_class, Y) + w_mae·MAE(P_shift, k) − w_pref·L_pref;
one Adam step on k (α2) and on Θs (α3).

Several items are optimised in one batch, each with its own shifts, predictor
and random streams; since no loss term mixes items, the batch gives each item
what it would get alone (early stopping included: :mod:`gigs_core.method.schedule`).
The predictors of a batch can run as one vectorised module (``compute.vectorize``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from gigs_core.config import ComputeConfig, ShiftConfig
from gigs_core.errors import UserInputError
from gigs_core.method.latent import clip_shifts, normalize_latents
from gigs_core.method.modules import frozen, module_device, seeded
from gigs_core.method.progress import Progress, no_progress
from gigs_core.method.schedule import PlateauStop, schedule_factor, set_learning_rate
from gigs_core.method.seeds import derive_seed, rng
from gigs_core.method.shift_predictor import PredictorBatch, build_shift_predictor
from gigs_core.method.users import group_scorer


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
    steps_taken: list[int] | None = None
    """Per item, the steps that moved its shifts (fewer than ``steps`` when it stopped early)."""


def shifted_latents(base: torch.Tensor, shifts: torch.Tensor, config: ShiftConfig, generator) -> torch.Tensor:
    """normalize(z + k) for ``B × *latent_shape`` bases and ``B × n × *latent_shape``
    (already clipped) shifts.

    The clip is a projection applied to k before this, not part of the
    differentiated graph: a clamp in the graph would zero the gradient of every
    coordinate on the box's boundary and leave it stuck there."""
    return normalize_latents(base[:, None] + shifts, config.normalize, generator)


def _predictor_loss(
    predictors: PredictorBatch, images: torch.Tensor, shifts: torch.Tensor, orders: torch.Tensor, config: ShiftConfig
) -> torch.Tensor:
    """Σ over items of w_ce·CE(P_class, Y) + w_mae·MAE(P_shift, k); item b's images are shown in
    ``orders[b]`` and its targets are that order."""
    items, n = orders.shape
    rows = torch.arange(items, device=orders.device)[:, None]
    logits, predicted_shifts = predictors(images[rows, orders])
    class_loss = F.cross_entropy(logits.flatten(0, 1), orders.flatten(), reduction="none").view(items, n).mean(1)
    shift_loss = (predicted_shifts - shifts[rows, orders].flatten(2)).abs().flatten(1).mean(1)
    return (config.ce_weight * class_loss + config.mae_weight * shift_loss).sum()


def _target_orders(config: ShiftConfig, seeds: Sequence[int], device: torch.device) -> torch.Tensor:
    """``steps × B × n``: the order each item's images are shown to its predictor at each step,
    0..n−1 (paper) or a fresh permutation from the item's own stream (authors). Drawn before the
    loop and sent to the device in one transfer, so that no step waits for the host."""
    n, steps = config.n, max(config.steps, 1)
    if config.targets == "fixed":
        return torch.arange(n, device=device).expand(steps, len(seeds), n)
    streams = [rng(seed, "targets") for seed in seeds]
    orders = torch.stack([torch.stack([torch.randperm(n, generator=stream) for stream in streams])
                          for _ in range(steps)])
    if device.type == "cuda":
        orders = orders.pin_memory()
    return orders.to(device, non_blocking=True)


def _vectorize(compute: ComputeConfig, device: torch.device, items: int) -> bool:
    if items < 2 or compute.vectorize == "off":
        return False
    return compute.vectorize == "on" or device.type == "cuda"


def optimize_shifts(
    generator,
    recommender,
    base_latents: torch.Tensor,
    users: torch.Tensor,
    config: ShiftConfig | None = None,
    *,
    seeds: Sequence[int],
    progress: Progress | None = None,
    compute: ComputeConfig | None = None,
) -> ShiftResult:
    """Find ``config.n`` shifts around each base latent that raise ``users``' group preference."""
    config = config or ShiftConfig()
    compute = compute or ComputeConfig()
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
    built = []
    for seed in seeds:
        with seeded(derive_seed(seed, "predictor")):
            built.append(build_shift_predictor(config.predictor_trunk, config.predictor_trunk_options, n,
                                               math.prod(shape)))
    built = [predictor.to(device=device, dtype=base.dtype).train() for predictor in built]
    if compute.channels_last:
        built = [predictor.to(memory_format=torch.channels_last) for predictor in built]
    predictors = PredictorBatch(built, vectorized=_vectorize(compute, device, items),
                                image_shape=(n, generator.channels, generator.resolution, generator.resolution))
    shift_optimizer = torch.optim.Adam([shifts], lr=config.lr_shift)
    # fused: one kernel for the predictors' millions of weights (about 5× faster than the default loop on CPU)
    predictor_optimizer = torch.optim.Adam(predictors.trainable(), lr=config.lr_predictor,
                                           fused=device.type in ("cpu", "cuda"))
    history = torch.zeros(config.steps, items, device=device)
    orders = _target_orders(config, seeds, device)
    stop = PlateauStop(items, config.stop_patience, config.stop_tolerance, minimize=False, device=device)
    steps_run = config.steps

    with frozen(generator, recommender):
        preference_of = group_scorer(recommender, users)
        progress("shifting", 0, config.steps)
        for step in range(config.steps):
            factor = schedule_factor(config.lr_schedule, step, config.steps)
            set_learning_rate(shift_optimizer, [config.lr_shift], factor)
            set_learning_rate(predictor_optimizer, [config.lr_predictor], factor)
            with torch.no_grad():
                shifts.copy_(clip_shifts(shifts, config.eps))
            before = stop.snapshot(shifts)
            latents = shifted_latents(base, shifts, config, generator)
            images = generator(latents.reshape(items * n, *shape))
            preference = preference_of(images).view(items, n).mean(dim=1)
            images = images.view(items, n, *images.shape[1:])
            total = _predictor_loss(predictors, images, shifts, orders[step], config)
            total = total - config.preference_weight * preference.sum()
            shift_optimizer.zero_grad(set_to_none=True)
            predictor_optimizer.zero_grad(set_to_none=True)
            total.backward()
            shift_optimizer.step()
            predictor_optimizer.step()
            with torch.no_grad():
                stop.hold(shifts, before)
            history[step] = preference.detach()
            stop.update(preference)
            progress("shifting", step + 1, config.steps)
            if stop.all_stopped(step):
                steps_run = step + 1
                break

        with torch.no_grad():
            final_shifts = clip_shifts(shifts.detach(), config.eps)
            latents = shifted_latents(base, final_shifts, config, generator)
            variants = generator(latents.reshape(items * n, *shape))
            preferences = preference_of(variants).view(items, n)
    return ShiftResult(
        shifts=final_shifts,
        latents=latents,
        variants=variants.view(items, n, *variants.shape[1:]),
        preferences=preferences,
        preference_history=history[:steps_run].cpu(),
        seconds=time.perf_counter() - started,
        steps_taken=stop.steps_taken(steps_run),
    )
