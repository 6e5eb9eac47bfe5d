"""User groups: one user, a list, a random sample of N, or everyone."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from gigs_core.errors import UserInputError
from gigs_core.method.seeds import rng

UserSpec = str | int | Sequence[int]


def check_user_ids(users: torch.Tensor, num_users: int) -> torch.Tensor:
    """A 1-D long tensor of valid user ids (0 … ``num_users`` − 1), or a clear error;
    for recommenders to call on the ``users`` they are given."""
    users = torch.as_tensor(users, dtype=torch.long).reshape(-1)
    if users.numel() == 0:
        raise UserInputError("the user group is empty; give at least one user id")
    low, high = int(users.min()), int(users.max())
    if low < 0 or high >= num_users:
        raise UserInputError(
            f"user id {low if low < 0 else high} is out of range; this recommender has users 0..{num_users - 1}"
        )
    return users


def resolve_users(spec: UserSpec, num_users: int, *, seed: int = 0) -> torch.Tensor:
    """Turn a user spec into a sorted 1-D tensor of user ids.

    ``"all"``; one id (``7`` or ``"7"``); a list (``[1, 2]`` or ``"1,2"``);
    ``"random:N"``, N distinct users drawn with ``seed``.
    """
    if num_users < 1:
        raise UserInputError("the recommender has no users")
    if isinstance(spec, str):
        text = spec.strip().lower()
        if text == "all":
            return torch.arange(num_users)
        if text.startswith("random:"):
            count_text = text.split(":", 1)[1]
            if not count_text.isdigit() or not 1 <= int(count_text) <= num_users:
                raise UserInputError(f"'random:N' needs 1 <= N <= {num_users}, got {spec!r}")
            chosen = torch.randperm(num_users, generator=rng(seed, "users"))[: int(count_text)]
            return chosen.sort().values
        parts = [part.strip() for part in text.split(",") if part.strip()]
        if not parts or not all(part.lstrip("-").isdigit() for part in parts):
            raise UserInputError(
                f"cannot read users {spec!r}; give 'all', 'random:N', an id like '3' or a list like '1,4,9'"
            )
        ids = [int(part) for part in parts]
    elif isinstance(spec, int):
        ids = [spec]
    else:
        ids = [int(user) for user in spec]
    if not ids:
        raise UserInputError("the user group is empty; give at least one user id")
    bad = [user for user in ids if not 0 <= user < num_users]
    if bad:
        raise UserInputError(f"user id {bad[0]} is out of range; valid ids are 0..{num_users - 1}")
    return torch.tensor(sorted(set(ids)), dtype=torch.long)


def group_scorer(recommender, users: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
    """``images → recommender.group_score(images, users)``, through the recommender's optional
    ``group_scorer(users)`` (what depends only on the group computed once) when it has one."""
    make = getattr(recommender, "group_scorer", None)
    if callable(make):
        return make(users)
    return lambda images: recommender.group_score(images, users)
