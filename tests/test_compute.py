"""GigsConfig.compute: settings that change speed, not Algorithm 1 (checked on CPU)."""

import torch

from gigs_core.config import GigsConfig
from gigs_core.factories import create_generator, create_recommender
from gigs_core.method.compute import computing
from gigs_core.method.pipeline import run_gigs
from gigs_core.method.users import group_scorer


def small_job(**compute):
    generator = create_generator("progan", resolution=8, latent_dim=16, max_features=8, channels=1)
    recommender = create_recommender("dvbpr", variant="cnnf-small", num_users=5, k=4, input_size=8)
    items = torch.rand(2, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    config = GigsConfig().merged({
        "inversion": {"steps": 20, "perceptual": "none", "lr": 0.05},
        "shift": {"n": 3, "steps": 10, "predictor_trunk": "tiny-cnn", "predictor_trunk_options": {}},
        "compute": compute,
    })
    return run_gigs(generator, recommender, items, users="all", config=config, seeds=0), generator


def test_bf16_autocast_stays_close_to_float32_and_reports_float32():
    exact, _ = small_job()
    fast, _ = small_job(precision="bf16")
    for a, b in zip(exact.items, fast.items):
        assert b.variants.dtype == torch.float32 and b.reconstruction.dtype == torch.float32
        assert abs(a.inversion_loss - b.inversion_loss) < 0.05 * a.inversion_loss + 1e-3
        assert abs(a.mean_gain - b.mean_gain) < 0.1 * abs(a.mean_gain) + 0.05


def test_channels_last_gives_the_same_numbers_and_puts_the_models_back():
    exact, _ = small_job()
    rearranged, generator = small_job(channels_last=True)
    for a, b in zip(exact.items, rearranged.items):
        torch.testing.assert_close(a.variants, b.variants, atol=1e-4, rtol=1e-3)
    weights = [p for p in generator.parameters() if p.ndim == 4]
    assert weights and all(p.is_contiguous() for p in weights)


def test_computing_switches_autocast_on_only_for_bf16():
    from gigs_core.config import ComputeConfig

    layer = torch.nn.Linear(4, 4)
    with computing(ComputeConfig(precision="bf16"), torch.device("cpu"), layer):
        assert layer(torch.ones(1, 4)).dtype == torch.bfloat16
    with computing(ComputeConfig(), torch.device("cpu"), layer):
        assert layer(torch.ones(1, 4)).dtype == torch.float32


def test_group_scorer_equals_group_score_and_falls_back_without_the_method():
    recommender = create_recommender("pixel")
    images = torch.rand(3, 1, 8, 8)
    users = torch.tensor([0, 2, 3])
    torch.testing.assert_close(group_scorer(recommender, users)(images), recommender.group_score(images, users))
    plain = create_recommender("distance")
    assert not hasattr(plain, "group_scorer")
    torch.testing.assert_close(group_scorer(plain, users)(images), plain.group_score(images, users))
