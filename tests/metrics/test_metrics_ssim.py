"""SSIM and opposite SSIM against scikit-image's ``structural_similarity`` (Gaussian window,
σ 1.5, population covariance, data range 1: the conventions of gigs_core.metrics.ssim)."""

import pytest
import torch
from skimage.metrics import structural_similarity

from gigs_core.errors import UserInputError
from gigs_core.metrics import OppositeSSIM, opposite_ssim, ssim


def reference_ssim(first: torch.Tensor, second: torch.Tensor) -> float:
    """skimage's SSIM of two C×H×W images."""
    return structural_similarity(first.double().numpy(), second.double().numpy(), channel_axis=0,
                                 gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1.0)


def related_pair(shape, seed: int, dtype=torch.float64):
    """A random batch and a noisy, brightened copy: SSIM well inside (0, 1)."""
    g = torch.Generator().manual_seed(seed)
    first = torch.rand(shape, generator=g, dtype=dtype)
    second = (0.7 * first + 0.2 + 0.1 * torch.rand(shape, generator=g, dtype=dtype)).clamp(0, 1)
    return first, second


@pytest.mark.parametrize("shape", [(3, 3, 20, 24), (2, 1, 11, 13), (2, 3, 32, 17)])
def test_ssim_matches_scikit_image_in_float64(shape):
    first, second = related_pair(shape, seed=sum(shape))
    expected = torch.tensor([reference_ssim(a, b) for a, b in zip(first, second)], dtype=torch.float64)
    torch.testing.assert_close(ssim(first, second), expected, rtol=0, atol=1e-12)


def test_ssim_in_float32_is_close_and_identical_images_give_one():
    first, second = related_pair((2, 3, 28, 28), seed=1, dtype=torch.float32)
    expected = torch.tensor([reference_ssim(a, b) for a, b in zip(first, second)], dtype=torch.float32)
    torch.testing.assert_close(ssim(first, second), expected, rtol=0, atol=1e-5)
    torch.testing.assert_close(ssim(first, first), torch.ones(2), rtol=0, atol=1e-6)


def test_ssim_rejects_images_smaller_than_its_window_and_mismatched_shapes():
    with pytest.raises(UserInputError, match="at least 11×11"):
        ssim(torch.rand(1, 1, 10, 30), torch.rand(1, 1, 10, 30))
    with pytest.raises(UserInputError, match="one shape"):
        ssim(torch.rand(1, 1, 16, 16), torch.rand(1, 3, 16, 16))
    with pytest.raises(UserInputError, match=r"in \[0, 1\]"):
        ssim(torch.rand(1, 1, 16, 16) * 2 - 1, torch.rand(1, 1, 16, 16))


def test_opposite_ssim_is_one_minus_the_mean_over_pairs_per_set_then_averaged_over_sets():
    g = torch.Generator().manual_seed(3)
    sets = torch.rand(3, 4, 1, 16, 16, generator=g, dtype=torch.float64)
    sets[2] = sets[2, :1]  # a set of one image four times: no diversity
    per_set = []
    for images in sets:
        pairs = [reference_ssim(images[i], images[j]) for i in range(4) for j in range(i + 1, 4)]
        per_set.append(1 - sum(pairs) / len(pairs))
    result = opposite_ssim(sets)
    assert result.count == 3 and abs(per_set[2]) < 1e-12
    assert result.mean == pytest.approx(sum(per_set) / 3, abs=1e-12)
    assert result.std == pytest.approx(float(torch.tensor(per_set).std(correction=0)), abs=1e-12)


def test_opposite_ssim_in_chunks_equals_all_at_once():
    g = torch.Generator().manual_seed(4)
    sets = torch.rand(5, 3, 3, 12, 12, generator=g)
    metric = OppositeSSIM()
    metric.update(sets[:2])
    metric.update(sets[2:])
    assert metric.compute() == opposite_ssim(sets)
    assert OppositeSSIM.higher_is_better is True
    metric.reset()
    with pytest.raises(UserInputError, match="no data yet"):
        metric.compute()


def test_opposite_ssim_needs_sets_of_two_or_more():
    with pytest.raises(UserInputError, match="at least 2 images"):
        opposite_ssim(torch.rand(3, 1, 1, 16, 16))
    with pytest.raises(UserInputError, match="S×V×C×H×W"):
        OppositeSSIM().update(torch.rand(4, 1, 16, 16))
