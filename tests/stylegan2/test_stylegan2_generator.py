"""The ``stylegan2`` generator: the contracts in z, W and W+, the published architecture's
properties (W+ with equal rows is W, ψ = 1 changes nothing, truncation pulls toward the
mean W), the inversion start and a ``gigs run`` through the CLI."""

import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from stylegan2_helpers import TINY, save_converted, seeded, with_random_biases

from gigs_core import create_generator
from gigs_core.cli.main import cli
from gigs_core.config import InversionConfig
from gigs_core.method.inversion import LatentOptimizationInverter, initial_latents
from gigs_core.testing import GeneratorContract, SaveLoadContract
from gigs_stylegan2.native_format import save_generator


def tiny(**options):
    return create_generator("stylegan2", **{**TINY, **options})


class _StyleGan2Contract(GeneratorContract, SaveLoadContract):
    latent_space = "w+"

    def make_generator(self):
        return with_random_biases(tiny(latent_space=self.latent_space, truncation=0.8)).eval()

    def reload(self, model, folder):
        path = save_generator(model, folder / "g.safetensors")
        return create_generator("stylegan2", checkpoint=path, latent_space=self.latent_space, truncation=0.8)


class TestStyleGan2Z(_StyleGan2Contract):
    latent_space = "z"


class TestStyleGan2W(_StyleGan2Contract):
    latent_space = "w"


class TestStyleGan2WPlus(_StyleGan2Contract):
    latent_space = "w+"


def test_latent_shapes_follow_the_space():
    assert tiny(latent_space="z").latent_shape == (8,)
    assert tiny(latent_space="w").latent_shape == (8,)
    assert tiny(latent_space="w+").latent_shape == (4, 8)  # 2·log2(8) − 2 rows
    assert create_generator("stylegan2", size=32, style_dim=4, n_mlp=1, max_channels=4).latent_shape == (8, 4)
    generator = tiny()
    assert (generator.resolution, generator.channels) == (8, 3)


def test_w_plus_with_equal_rows_equals_w_and_z_is_w_of_its_mapping():
    w_space, w_plus_space, z_space = (with_random_biases(tiny(latent_space=space)) for space in ("w", "w+", "z"))
    z = seeded((3, 8), 0)
    with torch.no_grad():
        w = w_space.network.mapping(z)
        from_w = w_space(w)
        torch.testing.assert_close(w_plus_space(w[:, None].repeat(1, 4, 1)), from_w, rtol=0, atol=0)
        torch.testing.assert_close(z_space(z), from_w)
        different_rows = w[:, None].repeat(1, 4, 1)
        different_rows[:, 2] = w.flip(0)
        assert not torch.allclose(w_plus_space(different_rows), from_w)


def test_psi_one_is_the_identity_and_psi_zero_gives_the_mean_image():
    plain, psi_one = tiny(latent_space="z"), tiny(latent_space="z", truncation=1.0)
    psi_zero = tiny(latent_space="z", truncation=0.0)
    z = seeded((3, 8), 1)
    with torch.no_grad():
        untruncated = plain.render(plain.network.mapping(z)[:, None].expand(-1, 4, -1))
        torch.testing.assert_close(psi_one(z), untruncated, rtol=0, atol=0)
        mean_image = plain.render(plain.latent_avg.expand(1, 4, -1))
        torch.testing.assert_close(psi_zero(z), mean_image.expand(3, -1, -1, -1))
    assert torch.equal(psi_one.truncate(z), z)


def test_truncation_pulls_prior_samples_toward_the_mean_w_by_psi():
    for space in ("w", "w+"):
        free, truncated = tiny(latent_space=space), tiny(latent_space=space, truncation=0.3)
        free_w = free.sample_latent(4, generator=torch.Generator().manual_seed(2))
        truncated_w = truncated.sample_latent(4, generator=torch.Generator().manual_seed(2))
        torch.testing.assert_close(truncated_w - free.latent_avg, 0.3 * (free_w - free.latent_avg))
    w_plus = tiny(latent_space="w+").sample_latent(2, generator=torch.Generator().manual_seed(3))
    assert torch.equal(w_plus, w_plus[:, :1].expand(-1, 4, -1)), "a W+ sample repeats one w"


def test_w_projection_is_the_identity_and_z_projection_standardises():
    w = 5 * seeded((3, 8), 4) + 2
    assert torch.equal(tiny(latent_space="w").project_latent(w), w)
    projected = tiny(latent_space="z").project_latent(w)
    torch.testing.assert_close(projected.mean(1), torch.zeros(3), atol=1e-5, rtol=0)
    torch.testing.assert_close(projected.std(1), torch.ones(3))


def test_without_a_stored_mean_the_mean_w_is_the_mapping_networks_mean():
    generator = tiny(n_mlp=1)
    with torch.no_grad():
        independent = generator.network.mapping(seeded((50_000, 8), 99)).mean(0)
        spread = float(generator.network.mapping(seeded((50_000, 8), 98)).std(0).max())
    assert float((generator.latent_avg - independent).abs().max()) < 4 * spread / np.sqrt(4096)


@pytest.mark.parametrize("space", ["w", "w+"])
def test_latent_optimization_starts_from_the_mean_w(space, tmp_path):
    latent_avg = seeded((8,), 5)
    path = save_converted(tiny(), tmp_path / "converted.pt", latent_avg=latent_avg)
    generator = create_generator("stylegan2", checkpoint=path, latent_space=space)
    images = torch.rand(2, 3, 8, 8, generator=torch.Generator().manual_seed(6))
    inverter = LatentOptimizationInverter(InversionConfig(steps=0, perceptual="none"))
    result = inverter.invert(generator, images, seeds=[0, 1])
    torch.testing.assert_close(result.latents, latent_avg.expand(2, *generator.latent_shape), rtol=0, atol=0)
    moved = LatentOptimizationInverter(InversionConfig(steps=5, lr=0.05, perceptual="none"))
    assert torch.all(moved.invert(generator, images, seeds=[0, 1]).losses < result.losses)


def test_z_inversion_starts_from_a_prior_sample():
    generator = tiny(latent_space="z")
    assert not hasattr(generator, "inversion_start")
    images = torch.rand(1, 3, 8, 8, generator=torch.Generator().manual_seed(7))
    result = LatentOptimizationInverter(InversionConfig(steps=0, perceptual="none")).invert(generator, images, seeds=[3])
    torch.testing.assert_close(result.latents, initial_latents(generator, [3]))


def test_gigs_run_with_a_converted_checkpoint(tmp_path):
    path = save_converted(with_random_biases(tiny()), tmp_path / "stylegan2.pt")
    (tmp_path / "fast.toml").write_text('[shift]\npredictor_trunk = "tiny-cnn"\npredictor_trunk_options = {}\n')
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["run", "-g", "stylegan2", "-G", f"checkpoint={path}", "-G", "latent_space=w+",
                                      "-G", "truncation=0.7", "-r", "toy", "--steps", "2", "--n", "2",
                                      "--perceptual", "none", "--config", str(tmp_path / "fast.toml"), "-q",
                                      "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["backends"]["generator"]["class"] == "gigs_stylegan2.generator.StyleGan2WPlus"
    assert report["backends"]["generator"]["options"]["truncation"] == 0.7
    assert np.array(report["items"][0]["base_latent"]).shape == (4, 8)
    assert "untrained weights" not in " ".join(report.get("notes", []))
