"""The paper's Tables 2–5 as lists of cells, each one GIGS run (Results section of Kumar et al.
2025; docs/eval.md says how each protocol maps onto a catalogue of any size).

- Table 2, class-level: for each user group, GIGS and the two DVBPR baselines around latents
  sampled from the prior (no item).
- Table 3, item-level: per trial a random user, the catalogue sample's item the user's
  recommender scores highest ("preferred") and lowest ("un-preferred").
- Table 4, per category: per trial and category a random user and a random item of that category.
- Table 5, group size: per trial a random group of each size ``n`` and a random item; sizes of
  the number of users or more collapse into one row of all users.

Every random draw derives from the run's seed and the cell's key, so a cell is the same
whichever tables run and in whichever order.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from gigs_core.config import METHODS
from gigs_core.evaluation.backends import CatalogueSample, EvalBackends
from gigs_core.method.modules import module_device
from gigs_core.method.seeds import derive_seed, rng

TABLES = (2, 3, 4, 5)
PREFERRED, UNPREFERRED = "preferred items", "un-preferred items"
#: The paper's group sizes (Table 5).
GROUP_SIZES = (1, 5, 10, 50, 100, 500, 1000, 10000)


@dataclass(frozen=True)
class EvalPlan:
    """How many of everything each protocol runs."""

    groups: int = 3
    """Table 2: user groups (the first ``groups`` of the catalogue's)."""
    latents: int = 8
    """Table 2: latents sampled per group and method."""
    item_trials: int = 5
    """Table 3: random users, each with a preferred and an un-preferred item."""
    categories: int = 10
    """Table 4: categories (the most frequent in the sample first)."""
    category_trials: int = 2
    group_sizes: tuple[int, ...] = GROUP_SIZES
    size_trials: int = 3
    sample: int = 1000
    """Catalogue items sampled (what preferred, un-preferred and category items are drawn from, and
    the real images of FID)."""

    @classmethod
    def quick(cls) -> EvalPlan:
        """Tiny counts for CI: the whole evaluation in well under a minute on a CPU."""
        return cls(groups=2, latents=2, item_trials=2, categories=2, category_trials=1, group_sizes=(1, 5, 10),
                   size_trials=1, sample=32)


#: Settings ``--quick`` puts under the user's own.
QUICK_SETTINGS = {"inversion": {"steps": 5}, "shift": {"steps": 5, "n": 4}, "baseline": {"steps": 2}}


@dataclass(frozen=True)
class Cell:
    """One GIGS run of one table row: ``item`` is a catalogue id (``None``: class-level)."""

    table: int
    row: str
    key: str
    users: tuple[int, ...]
    item: int | None = None
    method: str = "gigs"
    latents: int = 1

    def seed(self, seed: int) -> int:
        return derive_seed(seed, self.key) % 2**31


def _random_users(count: int, num_users: int, seed: int, purpose: str) -> tuple[int, ...]:
    order = torch.randperm(num_users, generator=rng(seed, purpose))
    return tuple(sorted(order[:count].tolist()))


def _random_index(count: int, seed: int, purpose: str) -> int:
    return int(torch.randint(count, (1,), generator=rng(seed, purpose)))


def class_level_cells(plan: EvalPlan, backends: EvalBackends) -> list[Cell]:
    groups = list(backends.groups.items())[:plan.groups]
    return [Cell(2, method, f"t2-{method}-{name}", tuple(users), method=method, latents=plan.latents)
            for name, users in groups for method in METHODS]


@torch.no_grad()
def _user_scores(backends: EvalBackends, user: int) -> torch.Tensor:
    images = backends.catalogue.images.to(module_device(backends.recommender))
    users = torch.tensor([user], device=images.device)
    return backends.recommender.group_score(images, users).cpu()


def item_level_cells(plan: EvalPlan, backends: EvalBackends, seed: int) -> list[Cell]:
    cells = []
    for trial in range(plan.item_trials):
        user = _random_users(1, backends.num_users, seed, f"t3-user-{trial}")
        scores = _user_scores(backends, user[0])
        ids = backends.catalogue.ids
        cells.append(Cell(3, PREFERRED, f"t3-preferred-{trial}", user, ids[int(scores.argmax())]))
        cells.append(Cell(3, UNPREFERRED, f"t3-unpreferred-{trial}", user, ids[int(scores.argmin())]))
    return cells


def _categories(sample: CatalogueSample, count: int) -> list[str]:
    frequency = {name: sample.categories.count(name) for name in sample.categories}
    return sorted(frequency, key=lambda name: (-frequency[name], name))[:count]


def category_cells(plan: EvalPlan, backends: EvalBackends, seed: int) -> list[Cell]:
    sample, cells = backends.catalogue, []
    for category in _categories(sample, plan.categories):
        members = [item for item, name in zip(sample.ids, sample.categories) if name == category]
        for trial in range(plan.category_trials):
            key = f"t4-{category}-{trial}"
            user = _random_users(1, backends.num_users, seed, f"{key}-user")
            cells.append(Cell(4, category, key, user, members[_random_index(len(members), seed, f"{key}-item")]))
    return cells


def group_sizes(plan: EvalPlan, num_users: int) -> list[int]:
    """The plan's sizes below ``num_users``, then ``num_users`` itself if a size reaches it."""
    below = [size for size in plan.group_sizes if size < num_users]
    return below + ([num_users] if any(size >= num_users for size in plan.group_sizes) else [])


def group_size_cells(plan: EvalPlan, backends: EvalBackends, seed: int) -> list[Cell]:
    cells, sample = [], backends.catalogue
    for size in group_sizes(plan, backends.num_users):
        for trial in range(plan.size_trials):
            key = f"t5-n{size}-{trial}"
            users = _random_users(size, backends.num_users, seed, f"{key}-users")
            item = sample.ids[_random_index(len(sample.ids), seed, f"{key}-item")]
            cells.append(Cell(5, str(size), key, users, item))
    return cells


def plan_cells(tables: list[int], plan: EvalPlan, backends: EvalBackends, seed: int) -> list[Cell]:
    """Every cell of ``tables``, in table order."""
    planners = {2: lambda: class_level_cells(plan, backends), 3: lambda: item_level_cells(plan, backends, seed),
                4: lambda: category_cells(plan, backends, seed), 5: lambda: group_size_cells(plan, backends, seed)}
    return [cell for table in tables for cell in planners[table]()]
