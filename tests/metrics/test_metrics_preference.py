"""Preference score (Eq. 1, θ_uᵀ φ(X), averaged over the group) and preference shift
(variant − item), against the recommender's features and user vectors."""

import pytest
import torch

from gigs_core import create_recommender
from gigs_core.errors import UserInputError
from gigs_core.metrics import PreferenceScore, PreferenceShift, preference_score, preference_shift

USERS = torch.tensor([0, 2, 3])


@pytest.fixture
def recommender():
    return create_recommender("pixel", num_users=5)


def eq1(recommender, images: torch.Tensor) -> torch.Tensor:
    """Per-image mean over USERS of θ_uᵀ φ(X), written out."""
    with torch.no_grad():
        return (recommender.features(images) @ recommender.user_embeddings(USERS).T).mean(dim=1).double()


def images(*shape, seed: int) -> torch.Tensor:
    return torch.rand(*shape, generator=torch.Generator().manual_seed(seed))


def test_preference_score_is_the_mean_of_eq1_over_images_and_users(recommender):
    batch = images(6, 1, 8, 8, seed=0)
    expected = eq1(recommender, batch)
    result = preference_score(recommender, batch, USERS)
    assert result.count == 6
    assert result.mean == pytest.approx(float(expected.mean()), rel=1e-5)
    assert result.std == pytest.approx(float(expected.std(correction=0)), rel=1e-4)


def test_preference_shift_is_variant_minus_item_so_preferred_variants_are_positive(recommender):
    items = images(2, 1, 8, 8, seed=1)
    theta = recommender.user_embeddings(USERS).mean(dim=0).detach().view(1, 1, 8, 8)
    step = 0.05 * theta.sign()  # along the group's taste: every variant is preferred to its item
    variants = torch.stack([(items + step * k).clamp(0, 1) for k in (1, 2, 3)], dim=1)
    expected = torch.stack([eq1(recommender, variants[:, k]) - eq1(recommender, items) for k in range(3)], dim=1)
    result = preference_shift(recommender, items, variants, USERS)
    assert result.count == 6 and bool((expected > 0).all())
    assert result.mean == pytest.approx(float(expected.mean()), rel=1e-5)
    assert result.std == pytest.approx(float(expected.std(correction=0)), rel=1e-4)
    assert preference_shift(recommender, variants[:, 0], items[:, None], USERS).mean < 0


def same(first, second) -> bool:
    """Equal up to float32 rounding: the recommender's sums depend on its batch size."""
    return first.count == second.count and (first.mean, first.std) == pytest.approx((second.mean, second.std), rel=1e-6)


def test_stateful_in_chunks_equals_functional(recommender):
    batch = images(7, 1, 8, 8, seed=2)
    score = PreferenceScore(recommender, USERS)
    score.update(batch[:3])
    score.update(batch[3:])
    assert same(score.compute(), preference_score(recommender, batch, USERS))

    items, variants = images(4, 1, 8, 8, seed=3), images(4, 5, 1, 8, 8, seed=4)
    shift = PreferenceShift(recommender, USERS)
    shift.update(items[:1], variants[:1])
    shift.update(items[1:], variants[1:])
    assert same(shift.compute(), preference_shift(recommender, items, variants, USERS))
    assert PreferenceScore.higher_is_better is True and PreferenceShift.higher_is_better is True


def test_bad_inputs_are_one_clear_line(recommender):
    with pytest.raises(UserInputError, match=r"values in \[0, 1\]"):
        preference_score(recommender, images(2, 1, 8, 8, seed=0) * 255, USERS)
    with pytest.raises(UserInputError, match="M×V×C×H×W"):
        preference_shift(recommender, images(2, 1, 8, 8, seed=0), images(2, 1, 8, 8, seed=1), USERS)
    with pytest.raises(UserInputError, match="do not match items"):
        PreferenceShift(recommender, USERS).update(images(2, 1, 8, 8, seed=0), images(3, 4, 1, 8, 8, seed=1))
