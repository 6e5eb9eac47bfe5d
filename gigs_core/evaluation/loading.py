"""Loading what an evaluation runs against: the models (explicit backends, or the default
catalogue's), the catalogue sample and the user groups of the class-level table."""

from __future__ import annotations

from typing import Any

import torch

from gigs_core.config import GigsConfig
from gigs_core.evaluation.backends import CatalogueSample, EvalBackends
from gigs_core.evaluation.protocols import EvalPlan
from gigs_core.imaging import conform
from gigs_core.method.seeds import rng


def catalogue_sample(spec: str, count: int, *, size: int, channels: int, seed: int) -> CatalogueSample:
    """``count`` items drawn with ``seed`` from the catalogue's test partition (all items when it
    has none), at ``size`` and ``channels``."""
    from gigs_core.data import open_dataset

    dataset = open_dataset(spec)
    pool = (dataset.catalog_split("test") if "test" in dataset.catalogue.partitions
            else torch.arange(dataset.num_items).numpy())
    chosen = torch.randperm(len(pool), generator=rng(seed, "catalogue-sample"))[:count]
    ids = sorted(int(pool[int(index)]) for index in chosen)
    images = conform(dataset.images(ids, size=size), size, channels)
    return CatalogueSample(ids, images, [dataset.category_name(item) for item in ids])


def random_user_groups(count: int, num_users: int, seed: int) -> dict[str, list[int]]:
    """Without named groups: ``count`` random single users (the paper's per-user protocol)."""
    users = torch.randperm(num_users, generator=rng(seed, "class-level-users"))[:count].tolist()
    return {f"user {user}": [user] for user in users}


def load_backends(default, spec: str, plan: EvalPlan, *, seed: int, generator: tuple[str, dict[str, Any]],
                  recommender: tuple[str | None, dict[str, Any]], config: GigsConfig, distance: str | None,
                  device: torch.device) -> EvalBackends:
    """The generator, the recommender and judges (the default catalogue's without a recommender
    name), the catalogue sample, the user groups, the distance module and, where the default
    catalogue offers them (``feature_networks()``), the IS and FID networks."""
    from gigs_core.factories import create_generator, create_recommender
    from gigs_core.method.conditioning import generator_for_category
    from gigs_core.method.perceptual import create_perceptual_distance

    model = create_generator(generator[0], **generator[1]).to(device).eval()
    if default is None:
        scorer = create_recommender(recommender[0], **recommender[1]).to(device).eval()
        judges: dict[str, Any] = {}
        groups = random_user_groups(plan.groups, scorer.num_users, seed)
        networks = (None, None)
    else:
        scorer, judges = default.recommender(device), default.judges(device)
        groups = {segment: default.users(segment) for segment in default.segments()}
        offered = getattr(default, "feature_networks", None)
        networks = tuple(network.to(device) for network in offered()) if offered else (None, None)
    sample = catalogue_sample(spec, plan.sample, size=model.resolution, channels=model.channels, seed=seed)
    for category in sorted(set(sample.categories)):
        generator_for_category(model, category)  # a conditional generator that cannot draw one stops here
    measure = None if distance is None else create_perceptual_distance(distance).eval()
    return EvalBackends(generator=model, recommender=scorer, config=config, catalogue=sample, groups=groups,
                        judges=judges, distance=measure, is_network=networks[0], fid_network=networks[1])
