"""User groups: one user, a list, a random sample of N, or everyone."""

from __future__ import annotations

from typing import Sequence, Union

import torch

from gigs_core.errors import UserInputError
from gigs_core.method.seeds import rng

UserSpec = Union[str, int, Sequence[int]]


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
