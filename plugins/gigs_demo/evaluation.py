"""Evaluation extras of a demo run: ground-truth utility, catalogue ranks, distance to the item.

The rows produced here go into ``GigsRun.evaluation`` and from there into
``report.json``, ``report.html`` and the table ``gigs run`` prints.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from gigs_demo.bundle import CatalogueScores

COLUMNS = ["group_preference", "ground_truth_utility", "rank_by_preference", "rank_by_ground_truth",
           "distance_to_item"]


def _stats(values: np.ndarray) -> dict[str, float]:
    return {"mean": float(values.mean()), "std": float(values.std()), "min": float(values.min()),
            "max": float(values.max())}


@torch.no_grad()
def evaluate_item(item, *, recommender, ground_truth, users: torch.Tensor, distance: torch.nn.Module,
                  scores: CatalogueScores, group: str) -> list[dict[str, Any]]:
    """Rows for one :class:`~gigs_core.report.result.ItemResult`: the item (when there is one), its
    reconstruction and each variant."""
    labelled = []
    if item.item is not None:
        labelled.append(("item", item.item))
    labelled.append(("reconstruction", item.reconstruction))
    labelled += [(f"variant {k}", variant) for k, variant in enumerate(item.variants)]
    from gigs_core.method.modules import module_device

    device = module_device(recommender)
    images = torch.stack([image for _, image in labelled]).float().to(device)
    reference = (item.item if item.item is not None else item.reconstruction)[None].float().to(device)
    preference = recommender.group_score(images, users.to(device)).cpu().numpy()
    truth = ground_truth.to(device).group_score(images, users.to(device)).cpu().numpy()
    distances = distance.to(device)(reference.expand_as(images), images).cpu().numpy()
    row = scores.row(group)
    rows = []
    for (label, _), p, t, d in zip(labelled, preference, truth, distances):
        rows.append({
            "image": label,
            "group_preference": float(p),
            "ground_truth_utility": float(t),
            "rank_by_preference": CatalogueScores.rank(scores.preference[row], float(p)),
            "rank_by_ground_truth": CatalogueScores.rank(scores.ground_truth[row], float(t)),
            "distance_to_item": 0.0 if label == "item" else float(d),
        })
    return rows


def evaluation_extras(run, *, recommender, ground_truth, users: torch.Tensor, distance, distance_name: str,
                      scores: CatalogueScores, group: str, catalogue: dict[str, Any]) -> dict[str, Any]:
    """The ``evaluation`` block of a run: rows per item plus the catalogue statistics of the group."""
    row = scores.row(group)
    return {
        "group": f"segment '{group}' ({len(users):,} users)" if group != "everyone" else f"everyone ({len(users):,} users)",
        "segment": group,
        "catalogue": {"name": catalogue.get("name", "catalogue"), "size": int(scores.preference.shape[1])},
        "distance": distance_name,
        "columns": COLUMNS,
        "catalogue_stats": {"group_preference": _stats(scores.preference[row]),
                            "ground_truth_utility": _stats(scores.ground_truth[row])},
        "items": {item.name: evaluate_item(item, recommender=recommender, ground_truth=ground_truth, users=users,
                                           distance=distance, scores=scores, group=group) for item in run.items},
    }
