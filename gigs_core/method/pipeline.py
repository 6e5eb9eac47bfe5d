"""The whole GIGS job: (invert or sample) → shift → score, returning a typed result."""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping, Sequence
from importlib import metadata
from typing import Any

import torch

from gigs_core.config import GigsConfig
from gigs_core.errors import UserInputError
from gigs_core.imaging import conform
from gigs_core.method.compute import compiled, computing
from gigs_core.method.finite import require_finite
from gigs_core.method.inversion import initial_latents
from gigs_core.method.judging import catalogue_spread, check_judges, judge_scores
from gigs_core.method.latent import normalize_latents
from gigs_core.method.modules import frozen, module_device
from gigs_core.method.preference_maximisation import maximise_preference
from gigs_core.method.progress import Progress
from gigs_core.method.shifting import optimize_shifts
from gigs_core.method.users import UserSpec, resolve_users
from gigs_core.metrics.image import psnr
from gigs_core.report.gains import OPTIMISED
from gigs_core.report.result import GigsRun, ItemResult
from gigs_core.versions import package_versions


def _seeds(seeds: int | Sequence[int], count: int) -> list[int]:
    if isinstance(seeds, int):
        return [seeds + index for index in range(count)]
    seeds = [int(seed) for seed in seeds]
    if len(seeds) != count:
        raise UserInputError(f"need one seed per item: got {len(seeds)} seeds for {count} items")
    return seeds


@functools.cache
def _packages_distributions() -> Mapping[str, list[str]]:
    """Top-level packages → their distributions, read once per process (a scan of every
    installed distribution's files: about a second, too slow to repeat for each run)."""
    return metadata.packages_distributions()


def _describe(module: Any) -> dict[str, Any]:
    """The backend's class and the distribution (and version) that provides it."""
    cls = type(module)
    top_level = cls.__module__.split(".")[0]
    distributions = _packages_distributions().get(top_level, [])
    info: dict[str, Any] = {"class": f"{cls.__module__}.{cls.__qualname__}"}
    if distributions:
        info["distribution"] = distributions[0]
        info["version"] = metadata.version(distributions[0])
    return info


def run_gigs(
    generator,
    recommender,
    items: torch.Tensor | None = None,
    *,
    users: UserSpec = "all",
    config: GigsConfig | None = None,
    seeds: int | Sequence[int] = 0,
    class_level_count: int = 1,
    inverter=None,
    item_names: Sequence[str] | None = None,
    backends: dict[str, dict[str, Any]] | None = None,
    progress: Progress | None = None,
    judges: Mapping[str, Any] | None = None,
    catalogue: torch.Tensor | None = None,
) -> GigsRun:
    """Run GIGS for each item image (``N×C×H×W`` in ``[0, 1]``, any size), or, with
    ``items=None``, in class-level mode around ``class_level_count`` sampled latents.

    ``seeds`` is one seed per item, or an int ``s`` meaning ``s, s+1, …``; an item's random
    draws depend only on its seed, so items run together or one by one start alike and follow
    the same path up to the rounding of batched kernels (Adam can magnify that to about 1e-2
    relative in the preferences of real models; one by one, results are bit-identical).

    ``judges`` (name → recommender) score the item, its reconstruction and the variants for
    the same users after the run: a gain the optimised recommender alone sees may be an
    artefact of optimising against it (the paper's caution); a judge is a second opinion.
    ``catalogue`` (``N×C×H×W`` images in ``[0, 1]``): each scorer's standard deviation over it
    becomes the unit of its gains (``GigsRun.gain_units``), so gains by different scorers compare.
    """
    config = config or GigsConfig()
    started = time.perf_counter()
    count = class_level_count if items is None else items.shape[0]
    if count < 1:
        raise UserInputError("there is nothing to do: give at least one item image")
    if items is not None and config.method != "gigs":
        raise UserInputError(f"the {config.method} baseline generates from the generator's prior (Kang et al. 2017) "
                             "and takes no item: run it in class-level mode (no item images)")
    item_seeds = _seeds(seeds, count)
    group = resolve_users(users, recommender.num_users, seed=item_seeds[0])
    check_judges(judges or {}, group)
    device = module_device(generator)
    timings: dict[str, float] = {}
    perceptual = "not used (class-level mode)"
    if items is not None and (items.ndim != 4 or items.shape[1] not in (1, 3)):
        raise UserInputError(f"item images must be N×C×H×W with 1 or 3 channels, got {tuple(items.shape)}")
    with computing(config.compute, device, generator, recommender):
        stepped = compiled(generator, config.compute)
        targets = None if items is None else conform(items.to(device), generator.resolution, generator.channels)
        if targets is None:
            latents = initial_latents(generator, item_seeds)
            latents = normalize_latents(latents.to(device)[:, None], config.inversion.normalize, generator)[:, 0]
            inversion = None
            with torch.no_grad(), frozen(generator):
                reconstructions = generator(latents)
        else:
            if inverter is None:
                from gigs_core.factories import create_inverter

                inverter = create_inverter("latent-optimization", **config.inversion.model_dump())
            inversion = inverter.invert(stepped, targets, seeds=item_seeds, progress=progress)
            latents, reconstructions = inversion.latents, inversion.reconstructions
            perceptual = getattr(inversion, "perceptual", type(inverter).__name__)
            timings["inversion_s"] = inversion.seconds
        if config.method == "gigs":
            shifted = optimize_shifts(stepped, recommender, latents, group, config.shift, seeds=item_seeds,
                                      progress=progress, compute=config.compute)
        else:
            shifted = maximise_preference(stepped, recommender, latents, group, config.baseline, n=config.shift.n,
                                          seeds=item_seeds, optimise=config.method == "dvbpr-pm", progress=progress)
    reconstructions, latents = reconstructions.float(), latents.float()
    variants, variant_scores = shifted.variants.float(), shifted.preferences.float()
    inversion_losses = [None] * count if inversion is None else inversion.losses.float().tolist()
    timings["shifting_s"] = shifted.seconds
    group = group.to(device)
    with torch.no_grad(), frozen(recommender):
        reconstruction_scores = recommender.group_score(reconstructions, group).tolist()
        item_scores = [None] * count if items is None else recommender.group_score(items.to(device), group).tolist()
    fidelity = [None] * count if targets is None else psnr(targets, reconstructions).tolist()
    require_finite({
        "reconstructions": reconstructions, "inversion losses": inversion_losses,
        "variant images": variants, "variant preferences": variant_scores,
        "reconstruction preferences": reconstruction_scores, "item preferences": item_scores,
    })
    judged = judge_scores(judges or {}, group, None if items is None else items.to(device), reconstructions,
                          variants)
    units = {} if catalogue is None else catalogue_spread({OPTIMISED: recommender, **(judges or {})}, catalogue, group)
    timings["total_s"] = time.perf_counter() - started

    names = list(item_names) if item_names is not None else [f"item_{index:03d}" for index in range(count)]
    results = [
        ItemResult(
            name=names[index],
            seed=item_seeds[index],
            item=None if targets is None else targets[index].detach().cpu(),
            reconstruction=reconstructions[index].detach().cpu(),
            variants=variants[index].detach().cpu(),
            item_preference=item_scores[index],
            reconstruction_preference=reconstruction_scores[index],
            variant_preferences=variant_scores[index].tolist(),
            inversion_loss=inversion_losses[index],
            reconstruction_psnr=fidelity[index],
            base_latent=latents[index].detach().cpu(),
            shifts=shifted.shifts[index].detach().cpu(),
            preference_history=shifted.preference_history[:, index].tolist(),
            judged={name: scores[index] for name, scores in judged.items()},
            steps_taken={"inversion": _steps(inversion, index), "shifting": _steps(shifted, index)},
        )
        for index in range(count)
    ]
    described = {"generator": _describe(generator), "recommender": _describe(recommender),
                 **{f"judge:{name}": _describe(judge) for name, judge in (judges or {}).items()}}
    for role, info in (backends or {}).items():
        described.setdefault(role, {}).update(info)
    return GigsRun(
        items=results,
        users=group.tolist(),
        mode="class-level" if items is None else "item",
        config=config,
        perceptual=perceptual,
        backends=described,
        device=str(device),
        threads=torch.get_num_threads(),
        timings=timings,
        versions=package_versions(("gigs", "torch", "lpips", "timm", "pluggy", "pydantic")),
        gain_units=units,
        notes=_method_notes(config, generator),
    )


def _steps(result, index: int) -> int | None:
    """The steps an item's phase took (early stopping), when the phase reports them."""
    taken = getattr(result, "steps_taken", None)
    return None if taken is None else taken[index]


def _method_notes(config: GigsConfig, generator) -> list[str]:
    if config.method == "dvbpr-pm" and config.baseline.eta and getattr(generator, "realism_loss", None) is None:
        return [f"dvbpr-pm without its realism term: {type(generator).__name__} exposes no discriminator "
                f"(realism_loss), so the variants only maximise the preference"]
    return []
