import pytest
import torch

from gigs_core.method.latent import StandardNormalLatent, clip_shifts, normalize_latents
from tests import fakes


def paper_normalize(z: torch.Tensor) -> torch.Tensor:
    """The paper's z ← (z − mean z) / std z per latent vector, written out (the formula
    gigs used before generators defined their own projection)."""
    return (z - z.mean(dim=-1, keepdim=True)) / z.std(dim=-1, keepdim=True)


@pytest.mark.parametrize("eps", [0.05, 0.4, 2.0])
def test_clip_bounds_and_identity_inside(eps):
    k = torch.randn(5, 7, 32, generator=torch.Generator().manual_seed(1)) * 2
    clipped = clip_shifts(k, eps)
    assert clipped.abs().max() <= eps
    inside = k.abs() <= eps
    assert torch.equal(clipped[inside], k[inside])
    assert torch.equal(clipped[~inside], eps * k[~inside].sign())


@pytest.mark.parametrize("mode", ["generator", "row"])
def test_a_standard_normal_generator_normalises_as_the_paper_bit_for_bit(mode):
    generator = fakes.LinearGenerator(latent_dim=64)
    assert isinstance(generator, StandardNormalLatent)
    z = torch.randn(3, 4, 64, generator=torch.Generator().manual_seed(2)) * 5 + 3
    assert torch.equal(normalize_latents(z, mode, generator), paper_normalize(z))


def test_generator_mode_uses_the_generators_projection():
    generator = fakes.LayeredGenerator(layers=3, latent_dim=4)
    z = torch.randn(2, 5, 3, 4, generator=torch.Generator().manual_seed(3)) * 4 - 1
    out = normalize_latents(z, "generator", generator)
    torch.testing.assert_close(out, paper_normalize(z))  # this generator standardises each layer's row
    whole = normalize_latents(z, "row")  # 'row' standardises each whole 3×4 latent instead
    torch.testing.assert_close(whole.flatten(2).std(-1), torch.ones(2, 5))
    assert not torch.allclose(out, whole)


def test_generator_mode_needs_the_generator():
    with pytest.raises(ValueError, match="needs the generator"):
        normalize_latents(torch.randn(1, 2, 3), "generator")


def test_batch_normalisation_is_per_item_over_its_shifts():
    z = torch.randn(2, 4, 16, generator=torch.Generator().manual_seed(3))
    z[1] = z[1] * 10 + 5
    out = normalize_latents(z, "batch")
    for item in range(2):
        assert abs(float(out[item].mean())) < 1e-5
        assert abs(float(out[item].std()) - 1) < 1e-5
    # rows of one item are not standardised individually
    assert (out[0].std(dim=-1) - 1).abs().max() > 1e-3


def test_normalisation_is_idempotent_and_scale_invariant():
    z = torch.randn(1, 4, 32, generator=torch.Generator().manual_seed(4))
    once = normalize_latents(z, "row")
    torch.testing.assert_close(normalize_latents(once, "row"), once)
    torch.testing.assert_close(normalize_latents(3 * z + 1, "row"), once, atol=1e-5, rtol=1e-5)


def test_none_returns_input():
    z = torch.randn(2, 1, 8)
    assert normalize_latents(z, "none") is z


def test_latents_must_carry_item_and_shift_axes():
    with pytest.raises(ValueError, match="B×n×"):
        normalize_latents(torch.randn(2, 8), "row")


def test_standard_normal_latents_follow_the_generator_device_and_dtype():
    generator = fakes.LinearGenerator(latent_dim=5).double()
    z = generator.sample_latent(3, generator=torch.Generator().manual_seed(0))
    assert z.shape == (3, 5) and z.dtype == torch.float64
    expected = torch.randn(3, 5, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    assert torch.equal(z, expected)
