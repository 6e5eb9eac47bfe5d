"""FID: the robust Fréchet distance against a direct scipy computation and fid-helper-pytorch's,
known answers through a network, stateful = functional, and its naming."""

import warnings

import numpy as np
import pytest
import scipy.linalg
import torch
from torch import nn

from gigs_core.errors import UserInputError
from gigs_core.metrics import FeatureNetwork, FrechetInceptionDistance, frechet_distance, frechet_inception_distance


def direct_fid(real: np.ndarray, generated: np.ndarray) -> float:
    """FID written out with scipy's matrix square root (the pytorch-fid / fid-helper way)."""
    mu_r, mu_g = real.mean(axis=0), generated.mean(axis=0)
    sigma_r, sigma_g = np.cov(real, rowvar=False), np.cov(generated, rowvar=False)
    root = scipy.linalg.sqrtm(sigma_r @ sigma_g).real
    return float(((mu_r - mu_g) ** 2).sum() + np.trace(sigma_r + sigma_g - 2 * root))


def gaussians(count: int, dim: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(dim, dim))
    real = rng.normal(size=(count, dim)) @ mixing
    generated = 0.8 * rng.normal(size=(count, dim)) @ mixing + 0.5
    return real, generated


def fit(features: np.ndarray):
    return features.mean(axis=0), np.cov(features, rowvar=False)


@pytest.mark.parametrize(("count", "dim"), [(400, 6), (60, 12)])
def test_frechet_distance_matches_scipy_sqrtm(count, dim):
    real, generated = gaussians(count, dim, seed=count)
    assert frechet_distance(*fit(real), *fit(generated)) == pytest.approx(direct_fid(real, generated), rel=1e-9)


def test_fewer_images_than_dimensions_give_a_finite_value_close_to_scipys():
    real, generated = gaussians(5, 16, seed=1)  # singular covariances
    value = frechet_distance(*fit(real), *fit(generated))
    assert np.isfinite(value) and value == pytest.approx(direct_fid(real, generated), rel=1e-6)


def test_frechet_distance_matches_fid_helper_pytorch():
    real, generated = gaussians(200, 8, seed=2)
    with warnings.catch_warnings():
        # its import and loader use TorchScript, its sqrtm call a deprecated scipy argument
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        from fid_helper_pytorch import FidHelper

        helper = FidHelper()
        helper.load_ref_stat_dict(dict(zip(("mu", "sigma"), fit(real))))
        helper.load_eval_stat_dict(dict(zip(("mu", "sigma"), fit(generated))))
        expected = float(helper.compute_fid_score())
    assert frechet_distance(*fit(real), *fit(generated)) == pytest.approx(expected, rel=1e-9)


def pixels(qualifier: str = "") -> FeatureNetwork:
    return FeatureNetwork(nn.Flatten(), name="pixels", outputs="features", qualifier=qualifier)


def test_known_answer_a_shift_of_every_feature_by_c_gives_dimension_times_c_squared():
    real = torch.rand(30, 1, 3, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64) / 2
    assert frechet_inception_distance(real, real + 0.25, pixels()) == pytest.approx(9 * 0.25 ** 2, rel=1e-9)
    assert frechet_inception_distance(real, real, pixels()) == pytest.approx(0, abs=1e-9)


def test_stateful_in_chunks_equals_functional_and_names_the_network():
    g = torch.Generator().manual_seed(1)
    real, generated = torch.rand(40, 1, 4, 4, generator=g), torch.rand(30, 1, 4, 4, generator=g) ** 2
    metric = FrechetInceptionDistance(pixels())
    for start in range(0, 40, 7):
        metric.update(real[start:start + 7], real=True)
    metric.update(generated[:1], real=False)
    metric.update(generated[1:], real=False)
    expected = frechet_inception_distance(real, generated, pixels(), batch_size=64)
    assert metric.compute() == pytest.approx(expected, rel=1e-10)
    assert metric.label == "FID" and metric.network_name == "pixels"
    assert FrechetInceptionDistance(pixels("domain")).label == "domain FID"
    assert FrechetInceptionDistance.higher_is_better is False


class Refuses(nn.Module):
    def forward(self, images):
        raise AssertionError("the network ran before the inputs were checked")


def test_too_few_images_are_refused_before_the_network_runs():
    refusing = FeatureNetwork(Refuses(), name="refuses", outputs="features")
    with pytest.raises(UserInputError, match="at least 2 real and 2 generated"):
        frechet_inception_distance(torch.rand(5, 1, 4, 4), torch.rand(1, 1, 4, 4), refusing)
    with pytest.raises(UserInputError, match="at least 2 real"):
        FrechetInceptionDistance(pixels()).compute()
    with pytest.raises(UserInputError, match="batch_size"):
        frechet_inception_distance(torch.rand(5, 1, 4, 4), torch.rand(5, 1, 4, 4), refusing, batch_size=0)
