import pytest
import torch

from gigs_core.method.latent import clip_shifts, normalize_latents


@pytest.mark.parametrize("eps", [0.05, 0.4, 2.0])
def test_clip_bounds_and_identity_inside(eps):
    k = torch.randn(5, 7, 32, generator=torch.Generator().manual_seed(1)) * 2
    clipped = clip_shifts(k, eps)
    assert clipped.abs().max() <= eps
    inside = k.abs() <= eps
    assert torch.equal(clipped[inside], k[inside])
    assert torch.equal(clipped[~inside], eps * k[~inside].sign())


def test_row_normalisation_gives_zero_mean_unit_std_per_row():
    z = torch.randn(3, 4, 64, generator=torch.Generator().manual_seed(2)) * 5 + 3
    out = normalize_latents(z, "row")
    torch.testing.assert_close(out.mean(dim=-1), torch.zeros(3, 4), atol=1e-5, rtol=0)
    torch.testing.assert_close(out.std(dim=-1), torch.ones(3, 4), atol=1e-5, rtol=0)


def test_batch_normalisation_is_per_item_over_its_shifts():
    z = torch.randn(2, 4, 16, generator=torch.Generator().manual_seed(3))
    z[1] = z[1] * 10 + 5
    out = normalize_latents(z, "batch")
    for item in range(2):
        assert abs(float(out[item].mean())) < 1e-5
        assert abs(float(out[item].std()) - 1) < 1e-5
    # rows of one item are not standardised individually
    assert (out[0].std(dim=-1) - 1).abs().max() > 1e-3
    # a 2-D tensor is one batch
    flat = normalize_latents(z[0], "batch")
    torch.testing.assert_close(flat, out[0])


def test_normalisation_is_idempotent_and_scale_invariant():
    z = torch.randn(4, 32, generator=torch.Generator().manual_seed(4))
    once = normalize_latents(z)
    torch.testing.assert_close(normalize_latents(once), once)
    torch.testing.assert_close(normalize_latents(3 * z + 1), once, atol=1e-5, rtol=1e-5)


def test_none_returns_input():
    z = torch.randn(2, 8)
    assert normalize_latents(z, "none") is z
