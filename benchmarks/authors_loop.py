"""Algorithm 1 as the GIGS authors' scripts run it (../shared/DESIGN.md, "Facts from the authors'
own scripts"), on any gigs backends: the reference every speed figure in bench_gigs.py is a ratio to.

What makes it theirs, each point from that description:
- one item at a time, one user group at a time;
- nothing frozen: the generator, recommender, LPIPS and their weights keep ``requires_grad``, so every
  backward pass also computes (and accumulates) gradients for all their weights;
- the generator's images upsampled to 128 px before the recommender, LPIPS and the predictor;
- inversion: Adam (0.01) on LPIPS + MSE, z standardised after each step; z starts from the same
  prior sample as gigs' first start for the item's seed (``initial_latents``), so that a comparison
  of the two is not a matter of one lucky or unlucky draw;
- shifting: z + k normalised over the whole batch; the predictor (ResNet18 on one 3-channel image)
  sees the images in a random order each step and is asked for that order; loss
  0.1·CE + 1·MAE − 0.3·preference; the group's preference is one dot product with the mean θ
  (the recommender's ``group_score``); Adam 0.01 on k and on the predictor.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from gigs_core.method.inversion import initial_latents
from gigs_core.method.shift_predictor import build_shift_predictor

SIZE = 128
EPS = 0.4


@dataclass
class AuthorsItem:
    """One item's outcome and the time each phase took per step."""

    latent: torch.Tensor
    variants: torch.Tensor
    inversion_s_per_step: float
    shift_s_per_step: float


def upsampled(images: torch.Tensor) -> torch.Tensor:
    """To 128 px, and to three channels (their predictor and LPIPS take RGB)."""
    images = F.interpolate(images, size=(SIZE, SIZE), mode="bilinear", align_corners=False)
    return images.expand(-1, 3, -1, -1) if images.shape[1] == 1 else images


def _unfrozen(*modules: torch.nn.Module) -> None:
    for module in modules:
        module.requires_grad_(True)


def invert(generator, lpips, item: torch.Tensor, *, steps: int, seed: int) -> tuple[torch.Tensor, float]:
    """``item``: ``1×C×H×W`` at the generator's size. Returns the latent and the seconds per step."""
    _unfrozen(generator, lpips)
    target = upsampled(item)
    z = initial_latents(generator, [seed]).to(item.device).requires_grad_(True)
    optimizer = torch.optim.Adam([z], lr=0.01)
    started = time.perf_counter()
    for _ in range(steps):
        image = upsampled(generator(z))
        loss = lpips(target, image).mean() + F.mse_loss(image, target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            z.copy_((z - z.mean(dim=-1, keepdim=True)) / z.std(dim=-1, keepdim=True))
    return z.detach(), (time.perf_counter() - started) / max(steps, 1)


def shift(generator, recommender, z: torch.Tensor, users: torch.Tensor, *, n: int, steps: int,
          seed: int) -> tuple[torch.Tensor, float]:
    """Shifting around ``z`` (``1 × latent``). Returns the final variants and the seconds per step."""
    _unfrozen(generator, recommender)
    stream = torch.Generator().manual_seed(seed)
    k = torch.randn(n, *z.shape[1:], generator=stream).to(z.device).requires_grad_(True)
    torch.manual_seed(seed)
    predictor = build_shift_predictor("timm", {"model": "resnet18"}, n, z[0].numel()).to(z.device).train()
    k_optimizer = torch.optim.Adam([k], lr=0.01)
    predictor_optimizer = torch.optim.Adam(predictor.parameters(), lr=0.01)
    started = time.perf_counter()
    for _ in range(steps):
        with torch.no_grad():
            k.clamp_(-EPS, EPS)
        kz = z + k
        kz = (kz - kz.mean()) / kz.std()
        images = upsampled(generator(kz))
        preference = recommender.group_score(images, users).mean()
        order = torch.randperm(n, generator=stream).to(z.device)
        logits, predicted = predictor(images[order])
        loss = 0.1 * F.cross_entropy(logits, order) + (predicted - k[order].flatten(1)).abs().mean() - 0.3 * preference
        k_optimizer.zero_grad()
        predictor_optimizer.zero_grad()
        loss.backward()
        k_optimizer.step()
        predictor_optimizer.step()
    seconds = (time.perf_counter() - started) / max(steps, 1)
    with torch.no_grad():
        kz = z + k.clamp(-EPS, EPS)
        variants = generator((kz - kz.mean()) / kz.std())
    return variants, seconds


def run_item(generator, recommender, lpips, item: torch.Tensor, users: torch.Tensor, *, n: int,
             inversion_steps: int, shift_steps: int, seed: int) -> AuthorsItem:
    latent, inversion_s = invert(generator, lpips, item, steps=inversion_steps, seed=seed)
    variants, shift_s = shift(generator, recommender, latent, users, n=n, steps=shift_steps, seed=seed)
    return AuthorsItem(latent, variants, inversion_s, shift_s)
