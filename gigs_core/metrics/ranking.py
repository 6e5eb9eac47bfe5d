"""AUC of a recommender's rankings under the DVBPR protocols.

Both take ``user_scores(users) -> U×N`` (scores of every catalogue item for a
batch of users) and the dataset's splits:

* :func:`sampled_auc` — the original protocol (Kang et al.): for each user with
  a target item, 100 items drawn uniformly from those not in the user's train
  set and not the target; the fraction the target outranks (strictly); mean
  over users. The negatives are a function of ``seed`` only, so epochs and
  models are compared on the same draws.
* :func:`full_auc` — the same fraction over *every* item not in the user's
  train set and not the target.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

UserScores = Callable[[torch.Tensor], torch.Tensor]


def _targets(train: Sequence[Sequence[int]], target: Sequence[Sequence[int]], users: Sequence[int] | None):
    chosen = range(len(target)) if users is None else users
    return [(int(u), int(target[u][0])) for u in chosen if target[u]]


def draw_negatives(train: Sequence[Sequence[int]], target: Sequence[Sequence[int]], num_items: int, *,
                   negatives: int = 100, seed: int = 0, users: Sequence[int] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(users, targets, U×negatives item ids)`` of the sampled protocol."""
    rng = np.random.default_rng(seed)
    pairs = _targets(train, target, users)
    # Tiny catalogues: fewer negatives for everyone rather than a crash.
    available = min((num_items - len(set(train[u]) | {t}) for u, t in pairs), default=negatives)
    if available < negatives:
        import logging

        logging.getLogger(__name__).warning("only %d unseen items for some user; sampling %d negatives instead of %d",
                                            available, available, negatives)
        negatives = available
    out = np.empty((len(pairs), negatives), dtype=np.int64)
    for row, (u, t) in enumerate(pairs):
        seen = set(train[u])
        seen.add(t)
        picked: list[int] = []
        while len(picked) < negatives:
            for j in rng.integers(0, num_items, size=negatives + 16):
                j = int(j)
                if j not in seen:
                    picked.append(j)
                    if len(picked) == negatives:
                        break
        out[row] = picked
    return np.array([u for u, _ in pairs], dtype=np.int64), np.array([t for _, t in pairs], dtype=np.int64), out


def sampled_auc(user_scores: UserScores, train, target, num_items: int, *, negatives: int = 100, seed: int = 0,
                users: Sequence[int] | None = None, chunk: int = 512, per_user: bool = False):
    """Mean (or per-user array with ``per_user``) sampled-negative AUC."""
    if not _targets(train, target, users):
        return (np.zeros(0, dtype=np.int64), np.zeros(0)) if per_user else float("nan")
    us, ts, negs = draw_negatives(train, target, num_items, negatives=negatives, seed=seed, users=users)
    values = np.empty(len(us))
    for start in range(0, len(us), chunk):
        sl = slice(start, start + chunk)
        scores = user_scores(torch.from_numpy(us[sl]))
        rows = torch.arange(scores.shape[0])
        pos = scores[rows, torch.from_numpy(ts[sl])]
        neg = torch.gather(scores, 1, torch.from_numpy(negs[sl]).to(scores.device))
        values[sl] = (pos[:, None] > neg).double().mean(dim=1).cpu().numpy()
    if per_user:
        return us, values
    return float(values.mean()) if len(values) else float("nan")


def full_auc(user_scores: UserScores, train, target, num_items: int, *, users: Sequence[int] | None = None,
             chunk: int = 256, per_user: bool = False):
    """Mean (or per-user) AUC of the target against every unseen item."""
    pairs = _targets(train, target, users)
    values = np.empty(len(pairs))
    for start in range(0, len(pairs), chunk):
        block = pairs[start:start + chunk]
        us = torch.tensor([u for u, _ in block])
        scores = user_scores(us)
        pos = scores[torch.arange(len(block)), torch.tensor([t for _, t in block])]
        below = (scores < pos[:, None]).sum(dim=1).cpu().numpy().astype(np.float64)
        for row, (u, t) in enumerate(block):
            seen = np.fromiter(set(train[u]) - {t}, dtype=np.int64)
            if len(seen):
                below[row] -= float((scores[row, torch.from_numpy(seen)] < pos[row]).sum())
            values[start + row] = below[row] / (num_items - len(seen) - 1)
    if per_user:
        return np.array([u for u, _ in pairs]), values
    return float(values.mean()) if len(values) else float("nan")


def feature_scorer(item_features: torch.Tensor, user_vectors: torch.Tensor) -> UserScores:
    """``user_scores`` of a linear model from precomputed N×K φ and U×K θ."""
    def scores(users: torch.Tensor) -> torch.Tensor:
        return user_vectors[users.to(user_vectors.device)] @ item_features.T

    return scores


def split_aucs(user_scores: UserScores, dataset, *, negatives: int = 100, seed: int = 0,
               eval_users: int | None = None) -> dict[str, float]:
    """``{validation,test}_auc_{sampled,full}`` of a dataset's splits (those with targets), as the
    recommender trainers report them: the negatives drawn with ``seed + 7`` and, with
    ``eval_users``, a fixed random subset of users drawn with ``seed + 1``, so that trainers and
    models are compared on the same draws."""
    users = None
    if eval_users is not None and eval_users < dataset.num_users:
        users = np.sort(np.random.default_rng(seed + 1).choice(dataset.num_users, eval_users, replace=False))
    out = {}
    for split in ("validation", "test"):
        target = getattr(dataset, split)
        if not any(target):
            continue
        out[f"{split}_auc_sampled"] = sampled_auc(user_scores, dataset.train, target, dataset.num_items,
                                                  negatives=negatives, seed=seed + 7, users=users)
        out[f"{split}_auc_full"] = full_auc(user_scores, dataset.train, target, dataset.num_items, users=users)
    return out
