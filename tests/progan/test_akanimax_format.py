"""Conformance with akanimax ``pro_gan_pytorch`` (PyPI ``pro-gan-pth``), the ProGAN
the GIGS authors trained: files its networks save load in gigs and give the same images."""

from __future__ import annotations

import pytest
import torch
from progan_helpers import seeded_latents

from gigs_core import create_generator
from gigs_core.errors import CheckpointError


def _save_like_pro_gan(networks, path, *, depth, channels, latent, use_eql, ema=True):
    """A file with the layout of ``ProGAN.get_save_info``: generator, discriminator,
    optimiser states and (with EMA) shadow_generator, each network as its own
    ``get_save_info()`` returns it."""
    torch.manual_seed(depth * 100 + channels)
    gen = networks.Generator(depth=depth, num_channels=channels, latent_size=latent, use_eql=use_eql)
    shadow = networks.Generator(depth=depth, num_channels=channels, latent_size=latent, use_eql=use_eql)
    dis = networks.Discriminator(depth=depth, num_channels=channels, latent_size=latent, use_eql=use_eql)
    for module in (gen, shadow):  # their init leaves biases at zero; make biases matter too
        with torch.no_grad():
            for name, parameter in module.named_parameters():
                if name.endswith("bias"):
                    parameter.normal_(0.0, 0.3)
    gen_optim = torch.optim.Adam(gen.parameters(), lr=0.003, betas=(0.0, 0.99))
    dis_optim = torch.optim.Adam(dis.parameters(), lr=0.003, betas=(0.0, 0.99))
    info = {"generator": gen.get_save_info(), "discriminator": dis.get_save_info(),
            "gen_optim": gen_optim.state_dict(), "dis_optim": dis_optim.state_dict()}
    if ema:
        info["shadow_generator"] = shadow.get_save_info()
    torch.save(info, path)
    return gen.eval(), shadow.eval()


@pytest.mark.parametrize(
    "depth,channels,latent,use_eql",
    [(2, 3, 512, True), (3, 1, 32, True), (4, 3, 24, True), (3, 3, 16, False)],
)
@pytest.mark.parametrize("weights", ["ema", "plain"])
def test_same_images_as_pro_gan_pytorch(akanimax, tmp_path, depth, channels, latent, use_eql, weights):
    path = tmp_path / "model.bin"
    gen, shadow = _save_like_pro_gan(akanimax, path, depth=depth, channels=channels, latent=latent,
                                     use_eql=use_eql)
    reference = shadow if weights == "ema" else gen
    ours = create_generator("progan", checkpoint=path, weights=weights)
    assert (ours.resolution, ours.channels, ours.latent_dim) == (2 ** depth, channels, latent)
    z = seeded_latents(2, latent, seed=depth)
    with torch.no_grad():
        expected_native = reference(z)
        got = ours(z)
        got_native = ours.synthesize(z)
    expected = ((expected_native + 1) / 2).clamp(0, 1)
    assert got.shape == expected.shape == (2, channels, 2 ** depth, 2 ** depth)
    assert (got - expected).abs().max() <= 1e-5
    assert (got_native - expected_native).abs().max() <= 1e-5 * expected_native.abs().max().clamp(min=1.0)
    # the two copies really differ, so the right one was loaded
    other = gen if weights == "ema" else shadow
    with torch.no_grad():
        assert (other(z[:1]) - expected_native[:1]).abs().max() > 1e-2


def test_fade_in_and_lower_depths_match(akanimax, tmp_path):
    path = tmp_path / "model.bin"
    _, shadow = _save_like_pro_gan(akanimax, path, depth=4, channels=3, latent=16, use_eql=True)
    ours = create_generator("progan", checkpoint=path)
    z = seeded_latents(2, 16)
    with torch.no_grad():
        for depth, alpha in ((2, 1.0), (3, 0.0), (3, 0.3), (4, 0.7)):
            expected = shadow(z, depth=depth, alpha=alpha)
            got = ours.synthesize(z, level=depth - 2, alpha=alpha)
            assert (got - expected).abs().max() <= 1e-5 * expected.abs().max().clamp(min=1.0)


def test_format_detected_and_forced(akanimax, tmp_path):
    path = tmp_path / "model.pth"
    _save_like_pro_gan(akanimax, path, depth=3, channels=3, latent=8, use_eql=True)
    auto = create_generator("progan", checkpoint=path)
    forced = create_generator("progan", checkpoint=path, format="akanimax")
    z = seeded_latents(2, 8)
    with torch.no_grad():
        torch.testing.assert_close(auto(z), forced(z))
    with pytest.raises(CheckpointError, match="config"):
        create_generator("progan", checkpoint=path, format="gan-zoo")


def test_file_without_ema_needs_plain(akanimax, tmp_path):
    path = tmp_path / "no_ema.bin"
    gen, _ = _save_like_pro_gan(akanimax, path, depth=3, channels=3, latent=8, use_eql=True, ema=False)
    with pytest.raises(CheckpointError, match="weights='plain'"):
        create_generator("progan", checkpoint=path)
    ours = create_generator("progan", checkpoint=path, weights="plain")
    z = seeded_latents(2, 8)
    with torch.no_grad():
        assert (ours(z) - ((gen(z) + 1) / 2).clamp(0, 1)).abs().max() <= 1e-5


def test_state_of_another_depth_lists_keys(akanimax, tmp_path):
    path = tmp_path / "model.bin"
    _save_like_pro_gan(akanimax, path, depth=3, channels=3, latent=8, use_eql=True)
    data = torch.load(path, weights_only=True)
    data["shadow_generator"]["conf"]["depth"] = 2  # conf says 2, weights are depth 3
    torch.save(data, path)
    with pytest.raises(CheckpointError) as info:
        create_generator("progan", checkpoint=path)
    message = str(info.value)
    assert "unexpected keys [layers.1.conv_1.bias" in message and "rgb_converters.1.weight" in message
    assert "missing keys []" in message
