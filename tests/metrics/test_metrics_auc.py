"""Full and sampled AUC (gigs_core.metrics.ranking) against scikit-learn's roc_auc_score per user."""

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from gigs_core.metrics.ranking import draw_negatives, full_auc, sampled_auc

NUM_ITEMS = 60
TRAIN = [[0, 5, 9], [1, 2], [3], [4, 7, 8, 10], []]
TARGET = [[11], [2], [20], [], [33]]  # user 1's target is also in its train set; user 3 has none


@pytest.fixture
def scores() -> torch.Tensor:
    return torch.randn(len(TRAIN), NUM_ITEMS, generator=torch.Generator().manual_seed(0), dtype=torch.float64)


def test_full_auc_is_sklearns_auc_of_the_target_against_every_unseen_item_averaged_over_users(scores):
    expected = {}
    for user, (seen, target) in enumerate(zip(TRAIN, TARGET)):
        if not target:
            continue
        candidates = [i for i in range(NUM_ITEMS) if i not in set(seen) - {target[0]}]
        labels = [int(i == target[0]) for i in candidates]
        expected[user] = roc_auc_score(labels, scores[user, candidates].numpy())
    users, values = full_auc(lambda u: scores[u], TRAIN, TARGET, NUM_ITEMS, per_user=True, chunk=2)
    assert dict(zip(users.tolist(), values.tolist())) == pytest.approx(expected, rel=1e-12)
    assert full_auc(lambda u: scores[u], TRAIN, TARGET, NUM_ITEMS) == pytest.approx(np.mean(list(expected.values())))


def test_sampled_auc_is_sklearns_auc_against_the_drawn_negatives(scores):
    users, targets, negatives = draw_negatives(TRAIN, TARGET, NUM_ITEMS, negatives=20, seed=3)
    expected = [roc_auc_score([1] + [0] * 20, scores[u, [t, *row]].numpy())
                for u, t, row in zip(users.tolist(), targets.tolist(), negatives.tolist())]
    result = sampled_auc(lambda u: scores[u], TRAIN, TARGET, NUM_ITEMS, negatives=20, seed=3, per_user=True)
    assert result[0].tolist() == users.tolist() and result[1].tolist() == pytest.approx(expected, rel=1e-12)
    assert not set(negatives[0].tolist()) & {0, 5, 9, 11}
