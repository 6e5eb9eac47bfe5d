import pytest
import torch

from gigs_core.config import ShiftConfig
from gigs_core.errors import UserInputError
from gigs_core.factories import create_generator, create_recommender
from gigs_core.method.shifting import optimize_shifts

USERS = torch.arange(5)
EPS = 0.4


def fast(**overrides) -> ShiftConfig:
    settings = {"n": 4, "steps": 150, "predictor_trunk": "tiny-cnn", "predictor_trunk_options": {}}
    settings.update(overrides)
    return ShiftConfig(**settings)


def base_latent(generator, seed=0):
    return generator.sample_latent(1, generator=torch.Generator().manual_seed(seed))


def best_single_shift(generator, recommender, z, eps):
    """Reference: projected gradient ascent of the group preference over the box |k| <= eps."""
    k = torch.zeros_like(z, requires_grad=True)
    optimizer = torch.optim.Adam([k], lr=0.01)
    for _ in range(1500):
        loss = -recommender.group_score(generator(z + k), USERS).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            k.clamp_(-eps, eps)
    with torch.no_grad():
        return float(recommender.group_score(generator(z + k), USERS))


def block_problem():
    """Latent dims 0-2 draw the top half, dims 3-5 the bottom half; users only look at the top."""
    generator, recommender = create_generator("linear"), create_recommender("pixel")
    with torch.no_grad():
        weight = generator.weight.view(8, 8, 6)
        weight[:4, :, 3:] = 0
        weight[4:, :, :3] = 0
        recommender.theta.view(5, 8, 8)[:, 4:, :] = 0
    return generator, recommender


def test_reaches_the_known_optimum_and_stays_in_the_box():
    generator, recommender = create_generator("linear"), create_recommender("pixel")
    z = base_latent(generator)
    with torch.no_grad():
        before = float(recommender.group_score(generator(z), USERS))
    best = best_single_shift(generator, recommender, z, EPS)
    result = optimize_shifts(generator, recommender, z, USERS, fast(normalize="none", eps=EPS), seeds=[0])
    assert result.shifts.abs().max() <= EPS
    gain = float(result.preferences.mean()) - before
    assert gain >= 0.9 * (best - before)
    assert float(result.preferences.max()) <= best + 1e-3  # nothing beats the box optimum


def test_variants_stay_distinct_where_users_do_not_care():
    """With the default ResNet18 predictor, the shifts agree where the users look and
    stay apart where they do not, while the preference reaches the box optimum."""
    generator, recommender = block_problem()
    z = base_latent(generator, seed=1)
    best = best_single_shift(generator, recommender, z, EPS)
    config = ShiftConfig(n=4, steps=150, normalize="none", eps=EPS)
    result = optimize_shifts(generator, recommender, z, USERS, config, seeds=[1])
    assert float(result.preferences.min()) >= best - 0.02
    free = result.shifts[0, :, 3:]
    distances = torch.cdist(free, free)[~torch.eye(4, dtype=torch.bool)]
    assert distances.min() > 0.1
    bottoms = result.variants[0, :, :, 4:, :].flatten(1)
    assert torch.cdist(bottoms, bottoms)[~torch.eye(4, dtype=torch.bool)].min() > 0.01


@pytest.mark.parametrize("normalize,targets", [("generator", "fixed"), ("batch", "permuted")])
def test_batched_items_equal_items_one_by_one(normalize, targets):
    generator, recommender = create_generator("linear"), create_recommender("pixel")
    latents = generator.sample_latent(2, generator=torch.Generator().manual_seed(5))
    config = fast(steps=25, normalize=normalize, targets=targets)
    together = optimize_shifts(generator, recommender, latents, USERS, config, seeds=[3, 4])
    for index, seed in enumerate([3, 4]):
        alone = optimize_shifts(generator, recommender, latents[index : index + 1], USERS, config, seeds=[seed])
        torch.testing.assert_close(together.shifts[index], alone.shifts[0], atol=1e-5, rtol=1e-4)
        torch.testing.assert_close(together.preferences[index], alone.preferences[0], atol=1e-5, rtol=1e-4)


def test_same_seed_same_result_and_history_rises():
    generator, recommender = create_generator("linear"), create_recommender("pixel")
    z = base_latent(generator, seed=2)
    first = optimize_shifts(generator, recommender, z, USERS, fast(steps=40), seeds=[9])
    second = optimize_shifts(generator, recommender, z, USERS, fast(steps=40), seeds=[9])
    assert torch.equal(first.shifts, second.shifts)
    assert first.preference_history.shape == (40, 1)
    assert first.preference_history[-5:].mean() > first.preference_history[:5].mean()


def test_preference_weight_zero_does_not_chase_preference():
    generator, recommender = create_generator("linear"), create_recommender("pixel")
    z = base_latent(generator, seed=3)
    chasing = optimize_shifts(generator, recommender, z, USERS, fast(normalize="none"), seeds=[0])
    ignoring = optimize_shifts(generator, recommender, z, USERS, fast(normalize="none", preference_weight=0.0), seeds=[0])
    assert chasing.preferences.mean() > ignoring.preferences.mean() + 0.1


def test_leaves_backends_as_they_were():
    generator, recommender = create_generator("linear"), create_recommender("pixel")
    generator.train()  # the recommender stays in the eval mode the registry returns it in
    optimize_shifts(generator, recommender, base_latent(generator), USERS, fast(steps=3), seeds=[0])
    assert generator.training and not recommender.training
    assert all(p.requires_grad for p in generator.parameters())
    assert generator.weight.grad is None


def test_default_resnet18_predictor_runs():
    generator, recommender = create_generator("linear", channels=3), create_recommender("pixel", channels=3)
    config = ShiftConfig(n=3, steps=2)
    result = optimize_shifts(generator, recommender, base_latent(generator), USERS, config, seeds=[0])
    assert result.variants.shape == (1, 3, 3, 8, 8)


def test_any_latent_shape_works_and_shifts_keep_it():
    generator, recommender = create_generator("layered"), create_recommender("distance")
    base = generator.project_latent(generator.sample_latent(2, generator=torch.Generator().manual_seed(1)))
    result = optimize_shifts(generator, recommender, base, torch.arange(4), fast(steps=30), seeds=[0, 1])
    assert result.shifts.shape == (2, 4, 3, 4) and result.latents.shape == (2, 4, 3, 4)
    torch.testing.assert_close(result.latents.std(dim=-1), torch.ones(2, 4, 3))  # each layer's row projected
    assert result.shifts.abs().max() <= fast().eps
    assert (result.preference_history[-5:].mean(0) > result.preference_history[:5].mean(0)).all()


def test_base_latents_of_the_wrong_shape_are_refused():
    generator, recommender = create_generator("layered"), create_recommender("distance")
    with pytest.raises(UserInputError, match=r"base latents must be B×3×4, got \(2, 12\)"):
        optimize_shifts(generator, recommender, torch.zeros(2, 12), torch.arange(4), fast(), seeds=[0, 1])


def test_the_generators_projection_gives_the_former_row_results_bit_for_bit():
    """ProGAN projects z + k by the paper's per-vector standardisation, which gigs applied itself
    (as ``row``) before generators owned their projection: the same seeds give the same bits."""
    generator = create_generator("progan", resolution=8, latent_dim=16, max_features=8)
    recommender = create_recommender("dvbpr", variant="cnnf-small", num_users=5, k=4, input_size=8)
    latents = generator.sample_latent(2, generator=torch.Generator().manual_seed(6))
    owned, former = (optimize_shifts(generator, recommender, latents, USERS, fast(steps=5, normalize=mode),
                                     seeds=[1, 2]) for mode in ("generator", "row"))
    assert torch.equal(owned.shifts, former.shifts) and torch.equal(owned.variants, former.variants)
    assert torch.equal(owned.preference_history, former.preference_history)


def test_vectorised_predictors_follow_the_same_path_as_one_by_one():
    """The batch's predictors as one vmapped module over stacked weights follow the same
    optimisation path as one module per item."""
    from gigs_core.config import ComputeConfig

    generator, recommender = create_generator("linear", channels=3), create_recommender("pixel", channels=3)
    latents = generator.sample_latent(3, generator=torch.Generator().manual_seed(8))
    config = fast(steps=8, targets="permuted")
    runs = {mode: optimize_shifts(generator, recommender, latents, USERS, config, seeds=[1, 2, 3],
                                  compute=ComputeConfig(vectorize=mode)) for mode in ("on", "off")}
    torch.testing.assert_close(runs["on"].shifts, runs["off"].shifts, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(runs["on"].preference_history, runs["off"].preference_history, atol=1e-5, rtol=1e-4)


def test_vectorised_resnet18_predictors_give_the_same_outputs_and_gradients():
    """ResNet18 (batch-norm in training mode) vmapped over stacked weights: the same outputs, image
    gradients and weight gradients as each predictor alone. (Whole runs are not compared: Adam turns
    rounding in near-zero gradients into steps of size lr.)"""
    import copy

    from gigs_core.method.modules import seeded
    from gigs_core.method.shift_predictor import PredictorBatch, build_shift_predictor

    built = []
    for seed in range(3):
        with seeded(seed):
            built.append(build_shift_predictor("timm", {"model": "resnet18"}, 4, 6).train())
    alone = copy.deepcopy(built)
    images = torch.rand(3, 4, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    vectorised = PredictorBatch(built, vectorized=True, image_shape=(4, 3, 16, 16))
    assert vectorised.vectorized
    batch_images = images.clone().requires_grad_(True)
    logits, shifts = vectorised(batch_images)
    (logits.square().sum() + shifts.sum()).backward()
    for index, predictor in enumerate(alone):
        item_images = images[index].clone().requires_grad_(True)
        own_logits, own_shifts = predictor(item_images)
        (own_logits.square().sum() + own_shifts.sum()).backward()
        torch.testing.assert_close(logits[index], own_logits, atol=1e-5, rtol=1e-4)
        torch.testing.assert_close(shifts[index], own_shifts, atol=1e-5, rtol=1e-4)
        torch.testing.assert_close(batch_images.grad[index], item_images.grad, atol=5e-5, rtol=1e-3)
        for name, parameter in predictor.named_parameters():
            torch.testing.assert_close(vectorised.stacked[name].grad[index], parameter.grad, atol=1e-4, rtol=1e-3)


def test_a_trunk_vmap_cannot_run_falls_back_to_one_by_one():
    from gigs_core.method.shift_predictor import PredictorBatch, ShiftPredictor

    class ItemCount(torch.nn.Module):  # .item() has no batching rule
        def forward(self, images):
            return images.flatten(1)[:, :4] * float(images.sum().item() > 0)

    predictors = [ShiftPredictor(ItemCount(), 4, 3, 6) for _ in range(2)]
    batch = PredictorBatch(predictors, vectorized=True, image_shape=(3, 1, 2, 2))
    assert not batch.vectorized
    logits, shifts = batch(torch.rand(2, 3, 1, 2, 2))
    assert logits.shape == (2, 3, 3) and shifts.shape == (2, 3, 6)
    assert len(batch.trainable()) == 2 * 4  # every predictor's two heads (weight, bias)
