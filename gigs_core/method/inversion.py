"""GAN inversion, Algorithm 1's first loop.

Per item: z ~ N(0, I), or the generator's own start when it offers ``inversion_start(n)`` (e.g. a
StyleGAN's mean W), or the best of ``starts`` candidates; T Adam steps (α1) on LPIPS(X, G(z)) + MSE(X, G(z)); after
each step z ← normalize(z) (for a standard normal prior: standardised). Items are optimised together in one
batch: each item's loss only depends on its own latent and Adam is
element-wise, so the batch gives each item exactly what it would get alone (early stopping included:
:mod:`gigs_core.method.schedule`). The targets' perceptual features are computed once.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from gigs_core.config import InversionConfig
from gigs_core.errors import UserInputError
from gigs_core.method.latent import normalize_latents
from gigs_core.method.modules import frozen, module_device
from gigs_core.method.perceptual import create_perceptual_distance, distance_to
from gigs_core.method.progress import Progress, no_progress
from gigs_core.method.schedule import PlateauStop, schedule_factor, set_learning_rate
from gigs_core.method.seeds import rng


@dataclass
class InversionResult:
    """What inversion found for a batch of items."""

    latents: torch.Tensor
    """``N × *latent_shape`` base latents z."""
    reconstructions: torch.Tensor
    """``N×C×H×W`` images G(z) in ``[0, 1]``."""
    losses: torch.Tensor
    """``N`` final inversion losses (perceptual + MSE, weighted)."""
    perceptual: str
    """The perceptual distance used (recorded in reports)."""
    seconds: float
    steps_taken: list[int] | None = None
    """Per item, the steps that moved its latent (fewer than ``steps`` when it stopped early)."""
    loss_history: torch.Tensor | None = None
    """``steps run × N`` inversion loss of each item at each step."""


def initial_latents(generator, seeds: Sequence[int]) -> torch.Tensor:
    """One prior sample per seed, each from its own random stream."""
    return torch.cat([generator.sample_latent(1, generator=rng(seed, "latent")) for seed in seeds])


def first_starts(generator, seeds: Sequence[int]) -> torch.Tensor:
    """The first start of each item: ``generator.inversion_start(len(seeds))`` when the generator
    offers that optional method (e.g. a StyleGAN's mean W), else :func:`initial_latents`."""
    inversion_start = getattr(generator, "inversion_start", None)
    return inversion_start(len(seeds)) if callable(inversion_start) else initial_latents(generator, seeds)


@torch.no_grad()
def best_starts(generator, targets: torch.Tensor, seeds: Sequence[int], starts: int, loss) -> torch.Tensor:
    """Per item, the one of ``starts`` candidate latents whose image has the lowest
    ``loss(targets, images)``. The first candidate is :func:`first_starts`' (so ``starts = 1`` is
    the paper's start, or the generator's own); the others are prior samples from each item's own
    stream, so an item gets the same start whatever else is in the batch."""
    best = first_starts(generator, seeds).to(targets.device)
    if starts == 1:
        return best
    streams = [rng(seed, "latent-starts") for seed in seeds]
    best_loss = loss(targets, generator(best))
    for _ in range(starts - 1):
        candidates = torch.cat([generator.sample_latent(1, generator=stream) for stream in streams]).to(targets.device)
        candidate_loss = loss(targets, generator(candidates))
        better = (candidate_loss < best_loss).view(-1, *[1] * (best.ndim - 1))
        best = torch.where(better, candidates, best)
        best_loss = torch.minimum(candidate_loss, best_loss)
    return best


class LatentOptimizationInverter(torch.nn.Module):
    """The inverter of Algorithm 1 (registered as ``latent-optimization``)."""

    def __init__(self, config: InversionConfig | None = None, *, distance: torch.nn.Module | None = None):
        """``distance``: the module to measure with, in place of one built from ``config.perceptual``
        (e.g. one shared with another loop that must use the very same network); results still record
        ``config.perceptual``'s name."""
        super().__init__()
        self.config = config or InversionConfig()
        self.distance = distance if distance is not None else create_perceptual_distance(self.config.perceptual)

    def per_item_loss(self, targets: torch.Tensor, images: torch.Tensor) -> torch.Tensor:
        """``N`` losses: w_p·perceptual + w_m·MSE, each item on its own."""
        return self.loss_to(targets)(images)

    def loss_to(self, targets: torch.Tensor):
        """``images → N losses`` against fixed ``targets``, their perceptual features computed once."""
        perceptual = None
        if self.config.perceptual_weight and self.config.perceptual != "none":
            perceptual = distance_to(self.distance, targets)

        def loss(images: torch.Tensor) -> torch.Tensor:
            value = self.config.mse_weight * (images - targets).pow(2).flatten(1).mean(dim=1)
            if perceptual is not None:
                value = value + self.config.perceptual_weight * perceptual(images)
            return value

        return loss

    def invert(self, generator, images: torch.Tensor, *, seeds: Sequence[int], progress: Progress | None = None,
               start: torch.Tensor | None = None):
        """``start``: the latents to begin from (e.g. another inverter's result); default: the prior's
        (``starts`` samples per item, the best kept)."""
        progress = progress or no_progress
        expected = (generator.channels, generator.resolution, generator.resolution)
        if images.ndim != 4 or tuple(images.shape[1:]) != expected:
            raise UserInputError(f"images to invert must be N×{'×'.join(map(str, expected))}, got {tuple(images.shape)}")
        if len(seeds) != images.shape[0]:
            raise UserInputError(f"need one seed per image: {len(seeds)} seeds for {images.shape[0]} images")
        started = time.perf_counter()
        device = module_device(generator)
        targets = images.to(device)
        self.distance.to(device)
        with frozen(generator, self.distance):
            if start is None:
                start = best_starts(generator, targets, seeds, self.config.starts, self.per_item_loss)
            latent = start.to(device=device, dtype=targets.dtype).requires_grad_(True)
            optimizer = torch.optim.Adam([latent], lr=self.config.lr)
            loss_to_targets = self.loss_to(targets)
            stop = PlateauStop(len(seeds), self.config.stop_patience, self.config.stop_tolerance, minimize=True,
                               device=device)
            history = torch.zeros(self.config.steps, len(seeds), device=device)
            steps_run = self.config.steps
            progress("inversion", 0, self.config.steps)
            for step in range(self.config.steps):
                set_learning_rate(optimizer, [self.config.lr], schedule_factor(self.config.lr_schedule, step,
                                                                               self.config.steps))
                before = stop.snapshot(latent)
                optimizer.zero_grad(set_to_none=True)
                losses = loss_to_targets(generator(latent))
                losses.sum().backward()
                optimizer.step()
                with torch.no_grad():
                    latent.copy_(normalize_latents(latent[:, None], self.config.normalize, generator)[:, 0])
                    stop.hold(latent, before)
                history[step] = losses.detach()
                stop.update(losses)
                progress("inversion", step + 1, self.config.steps)
                if stop.all_stopped(step):
                    steps_run = step + 1
                    break
            with torch.no_grad():
                reconstructions = generator(latent)
                losses = loss_to_targets(reconstructions)
        return InversionResult(
            latents=latent.detach(),
            reconstructions=reconstructions,
            losses=losses,
            perceptual=self.config.perceptual,
            seconds=time.perf_counter() - started,
            steps_taken=stop.steps_taken(steps_run),
            loss_history=history[:steps_run].cpu(),
        )
