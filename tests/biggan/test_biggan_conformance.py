"""The ``biggan`` generator against the reference package ``pytorch-pretrained-biggan``
(a test-only dependency): the same weights give the same images, at stored and
interpolated truncations, and the noise prior is the reference's."""

from __future__ import annotations

import pytest
import torch
from biggan_helpers import TINY_CONFIG, reference_biggan, reference_images, write_folder
from scipy import stats

from gigs_core import create_generator

FRESH = {"channel_width": 4, "z_dim": 8, "num_classes": 5}


@pytest.mark.parametrize(("n_stats", "truncation"), [
    (51, 0.4),     # a stored row
    (51, 1.0),     # the last stored row
    (51, 0.37),    # halfway between rows 18 and 19
    (51, 0.345),   # a quarter past row 17: the reference weights row 17 by 0.25, row 18 by 0.75
    (11, 0.37),    # other spacing: 0.7 past row 3
])
def test_images_equal_the_reference(tmp_path, n_stats, truncation):
    model = reference_biggan(seed=n_stats, n_stats=n_stats)
    folder = write_folder(model.state_dict(), model.config.to_dict(), tmp_path / "biggan")
    generator = create_generator("biggan", checkpoint=folder, class_index=3, truncation=truncation)
    noise = generator.sample_latent(3, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        images = generator(noise)
    torch.testing.assert_close(images, reference_images(model, noise, 3, truncation), atol=1e-5, rtol=0)
    assert images.shape == (3, 3, TINY_CONFIG["output_dim"], TINY_CONFIG["output_dim"])


def test_a_fresh_model_is_a_reference_checkpoint():
    from pytorch_pretrained_biggan import BigGAN, BigGANConfig

    generator = create_generator("biggan", **FRESH, class_index=4, truncation=0.5, seed=2)
    model = BigGAN(BigGANConfig.from_dict(generator.network.architecture.to_json()))
    model.load_state_dict(generator.network.state_dict(), strict=True)
    model.eval()
    noise = generator.sample_latent(2, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        torch.testing.assert_close(generator(noise), reference_images(model, noise, 4, 0.5), atol=1e-5, rtol=0)


@pytest.mark.parametrize("truncation", [0.3, 1.0])
def test_noise_is_the_references_truncated_normal(truncation):
    generator = create_generator("biggan", **FRESH, truncation=truncation)
    noise = generator.sample_latent(2500, generator=torch.Generator().manual_seed(0)).double()
    assert noise.shape == (2500, 8) and float(noise.abs().max()) <= 2 * truncation
    # pytorch_pretrained_biggan.truncated_noise_sample draws truncation · truncnorm(−2, 2)
    assert stats.kstest(noise.flatten().numpy() / truncation, stats.truncnorm(-2, 2).cdf).pvalue > 0.01
