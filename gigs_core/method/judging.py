"""Second opinions: the run's images scored by recommenders it did not optimise against.

A gain measured only by the model the shifts were optimised against can be an
adversarial artefact (the paper warns of this). A judge is any other recommender over
the same users (e.g. a second model trained on the same interactions, or a catalogue's
ground-truth utility); it scores the item, its reconstruction and the variants after the run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from gigs_core.errors import UserInputError
from gigs_core.method.modules import frozen, module_device
from gigs_core.report.gains import OPTIMISED
from gigs_core.report.result import JudgedScores


def check_judges(judges: Mapping[str, Any], group: torch.Tensor) -> None:
    """Every judge must know every user of the group (checked before any computing)."""
    for name, judge in judges.items():
        if name == OPTIMISED:
            raise UserInputError(f"a judge may not be called {OPTIMISED!r}: reports use that name for the "
                                 "recommender the run optimised against")
        if int(group.max()) >= judge.num_users:
            raise UserInputError(f"judge {name!r} knows {judge.num_users} users but the group has user id "
                                 f"{int(group.max())}; a judge must be trained on the same users")


@torch.no_grad()
def judge_scores(judges: Mapping[str, Any], group: torch.Tensor, items: torch.Tensor | None,
                 reconstructions: torch.Tensor, variants: torch.Tensor) -> dict[str, list[JudgedScores]]:
    """Per judge, one :class:`JudgedScores` per item (the item photo scored as given, like the
    optimised recommender scores it). ``variants`` is ``N×n×C×H×W``."""
    count, n = variants.shape[:2]
    out = {}
    for name, judge in judges.items():
        users = group.to(reconstructions.device)
        with frozen(judge):
            base = judge.group_score(reconstructions, users).tolist()
            shifted = judge.group_score(variants.flatten(0, 1), users).view(count, n).tolist()
            photo = [None] * count if items is None else judge.group_score(items, users).tolist()
        out[name] = [JudgedScores(photo[index], base[index], shifted[index]) for index in range(count)]
    return out


@torch.no_grad()
def catalogue_spread(scorers: Mapping[str, Any], catalogue: torch.Tensor, group: torch.Tensor,
                     batch_size: int = 256) -> dict[str, float]:
    """Per scorer, the standard deviation over the catalogue's images (``N×C×H×W`` in ``[0, 1]``) of
    the group's preference: the unit in which gains by different scorers can be compared."""
    spread = {}
    for name, scorer in scorers.items():
        device = module_device(scorer)
        with frozen(scorer):
            scores = torch.cat([scorer.group_score(catalogue[start:start + batch_size].to(device), group.to(device))
                                for start in range(0, catalogue.shape[0], batch_size)])
        spread[name] = float(scores.double().std())
    return spread
