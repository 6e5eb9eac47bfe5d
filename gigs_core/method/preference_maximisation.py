"""The paper's baselines: DVBPR's preference maximisation and its plain samples (Kang et al. 2017).

``dvbpr-pm`` (personalised): per base, ``n`` latents drawn from the generator's prior, each
optimised alone by Adam (``baseline.lr``, ``baseline.steps``) to maximise the group's mean
preference minus η times the generator's realism loss, and put back on the prior
(``project_latent``) after every step. Kang et al. use an LSGAN's discriminator,
η·(D(G(z)) − 1)²; a generator offers its own as ``realism_loss(images) -> N`` (lower is more
realistic), and without one the realism term is dropped (the run says so). ``dvbpr-random``
(non-personalised): the same samples, not optimised. Neither starts from an item: both
generate from the prior, so they run in class-level mode.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import torch

from gigs_core.config import BaselineConfig
from gigs_core.method.modules import frozen, module_device
from gigs_core.method.progress import Progress, no_progress
from gigs_core.method.seeds import rng
from gigs_core.method.shifting import ShiftResult


def maximise_preference(generator, recommender, base_latents: torch.Tensor, users: torch.Tensor,
                        config: BaselineConfig, *, n: int, seeds: Sequence[int], optimise: bool = True,
                        progress: Progress | None = None) -> ShiftResult:
    """``n`` variants per base latent (``B × *latent_shape``), as :func:`~gigs_core.method.shifting.optimize_shifts`
    returns them; ``shifts`` are the variants' latents minus their base. Sample k of an item draws
    from its own stream, so it is the same whatever ``n``."""
    progress = progress or no_progress
    started = time.perf_counter()
    device = module_device(generator)
    users = users.to(device)
    count = base_latents.shape[0]
    starts = torch.stack([torch.cat([generator.sample_latent(1, generator=rng(seed, f"dvbpr-pm/{sample}"))
                                     for sample in range(n)]).to(device) for seed in seeds])
    latents = generator.project_latent(starts.flatten(0, 1)).detach()
    realism = getattr(generator, "realism_loss", None)
    steps = config.steps if optimise else 0
    history = []
    with frozen(generator, recommender):
        latents.requires_grad_(steps > 0)
        optimizer = torch.optim.Adam([latents], lr=config.lr) if steps else None
        progress("preference maximisation", 0, steps)
        for step in range(steps):
            images = generator(latents)
            preference = recommender.group_score(images, users)
            loss = -preference.sum()
            if realism is not None and config.eta:
                loss = loss + config.eta * realism(images).sum()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                latents.copy_(generator.project_latent(latents))
            history.append(preference.detach().view(count, n).mean(dim=1))
            progress("preference maximisation", step + 1, steps)
        with torch.no_grad():
            variants = generator(latents)
            preferences = recommender.group_score(variants, users).view(count, n)
    latents = latents.detach().view(count, n, *latents.shape[1:])
    return ShiftResult(
        shifts=latents - base_latents.to(device)[:, None],
        latents=latents,
        variants=variants.view(count, n, *variants.shape[1:]),
        preferences=preferences,
        preference_history=torch.stack(history) if history else torch.zeros(0, count, device=device),
        seconds=time.perf_counter() - started,
    )
