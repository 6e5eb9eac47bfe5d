"""The ``progan`` generator: the core contract, gigs' own format, options and load errors."""

from __future__ import annotations

import json

import pytest
import torch
from progan_helpers import seeded_latents

from gigs_core import create_generator
from gigs_core.errors import CheckpointError, InvalidOptionsError
from gigs_core.testing import GeneratorContract, SaveLoadContract
from gigs_progan.native_format import save_generator


class TestFreshProGan(GeneratorContract, SaveLoadContract):
    def make_generator(self):
        return create_generator("progan", resolution=16, latent_dim=24, channels=3, max_features=16)

    def reload(self, model, folder):
        return create_generator("progan", checkpoint=save_generator(model, folder / "g.safetensors"))


class TestGreyProGan(GeneratorContract):
    def make_generator(self):
        return create_generator("progan", resolution=8, latent_dim=8, channels=1, max_features=8, seed=3)


def test_defaults_are_the_papers_latent_size():
    generator = create_generator("progan", resolution=4, max_features=8)
    assert generator.latent_dim == 512 and generator.channels == 3 and generator.resolution == 4


def test_fresh_model_is_seeded():
    z = seeded_latents(2, 16)
    a, b, c = (create_generator("progan", resolution=8, latent_dim=16, max_features=8, seed=s) for s in (1, 1, 2))
    with torch.no_grad():
        torch.testing.assert_close(a(z), b(z))
        assert not torch.allclose(a(z), c(z))


def test_latent_scale_does_not_matter():
    """Every ProGAN pixel-normalises z first, so G(c·z) = G(z) for c > 0."""
    generator = create_generator("progan", resolution=8, latent_dim=16, max_features=8)
    z = seeded_latents(3, 16)
    with torch.no_grad():
        torch.testing.assert_close(generator(3.7 * z), generator(z), atol=1e-5, rtol=1e-5)


def test_fade_in_blends_the_upsampled_previous_level():
    generator = create_generator("progan", resolution=16, latent_dim=8, max_features=8)
    z = seeded_latents(2, 8)
    with torch.no_grad():
        new = generator.synthesize(z, level=2, alpha=1.0)
        old = torch.nn.functional.interpolate(generator.synthesize(z, level=1), scale_factor=2.0, mode="nearest")
        torch.testing.assert_close(generator.synthesize(z, level=2, alpha=0.0), old)
        torch.testing.assert_close(generator.synthesize(z, level=2, alpha=0.25), 0.25 * new + 0.75 * old)


def test_own_format_round_trip(tmp_path):
    original = create_generator("progan", resolution=16, latent_dim=12, channels=1, max_features=8, seed=5)
    path = save_generator(original, tmp_path / "g.safetensors")
    config = json.loads(path.with_suffix(".json").read_text())
    assert config["format"] == "gigs-progan" and config["architecture"]["features"] == [8, 8, 8]
    loaded = create_generator("progan", checkpoint=path)
    forced = create_generator("progan", checkpoint=path, format="gigs")
    z = seeded_latents(3, 12)
    with torch.no_grad():
        assert torch.equal(loaded(z), original(z)) and torch.equal(forced(z), original(z))
    with pytest.raises(CheckpointError, match="holds the ema weights"):
        create_generator("progan", checkpoint=path, weights="plain")


def test_architecture_options_clash_with_a_checkpoint(tmp_path):
    path = save_generator(create_generator("progan", resolution=4, latent_dim=8, max_features=8), tmp_path / "g")
    with pytest.raises(InvalidOptionsError, match="latent_dim"):
        create_generator("progan", checkpoint=path, latent_dim=64)
    with pytest.raises(InvalidOptionsError, match="power of two"):
        create_generator("progan", resolution=24)
    with pytest.raises(InvalidOptionsError, match="checkpoint=PATH"):
        create_generator("progan", weights="plain")
    with pytest.raises(InvalidOptionsError, match="format"):
        create_generator("progan", checkpoint=path, format="stylegan")


@pytest.mark.parametrize("content", [b"", b"hello, I am a text file\n", bytes(range(256)) * 10])
def test_a_file_that_is_not_a_checkpoint(tmp_path, content):
    path = tmp_path / "model.pth"
    path.write_bytes(content)
    with pytest.raises(CheckpointError) as info:
        create_generator("progan", checkpoint=path)
    assert "model.pth" in str(info.value) and "\n" not in str(info.value)


def test_a_checkpoint_of_another_architecture_lists_keys(tmp_path):
    """A StyleGAN2-like (rosinality) state dict saved in gigs' format under a ProGAN config."""
    good = create_generator("progan", resolution=8, latent_dim=8, max_features=8)
    path = save_generator(good, tmp_path / "other.safetensors")
    from safetensors.torch import save_file

    save_file({"style.1.weight": torch.zeros(8, 8), "conv1.conv.modulation.weight": torch.zeros(8, 8),
               "to_rgbs.0.bias": torch.zeros(1, 3, 1, 1)}, str(path))
    with pytest.raises(CheckpointError) as info:
        create_generator("progan", checkpoint=path)
    message = str(info.value)
    assert "missing keys [base.bias, base.weight" in message
    assert "unexpected keys [conv1.conv.modulation.weight, style.1.weight, to_rgbs.0.bias]" in message


def test_a_foreign_dict_of_unknown_layout(tmp_path):
    path = tmp_path / "stylegan2.pt"
    torch.save({"g_ema": {"style.1.weight": torch.zeros(2, 2)}, "latent_avg": torch.zeros(2)}, path)
    with pytest.raises(CheckpointError, match=r"found \['g_ema', 'latent_avg'\]"):
        create_generator("progan", checkpoint=path)


def test_safetensors_without_config(tmp_path):
    from safetensors.torch import save_file

    path = tmp_path / "bare.safetensors"
    save_file({"x": torch.zeros(1)}, str(path))
    with pytest.raises(CheckpointError, match="bare.json"):
        create_generator("progan", checkpoint=path)
    (tmp_path / "bare.json").write_text(json.dumps({"model": "dvbpr", "k": 100}))  # another model's file
    with pytest.raises(CheckpointError, match="its config bare.json describes another model"):
        create_generator("progan", checkpoint=path)
