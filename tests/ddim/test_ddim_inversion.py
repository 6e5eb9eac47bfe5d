"""The ``ddim-inversion`` inverter: exact where DDIM inversion is exact, its result as the
pipeline expects it, and only for the ``ddim`` generator."""

import json

import pytest
import torch
from click.testing import CliRunner

from gigs_core import create_generator
from gigs_core.cli.main import cli
from gigs_core.errors import UserInputError
from gigs_core.factories import create_inverter
from gigs_core.protocols import Inverter
from gigs_ddim.inversion import invert_to_noise


def blind_generator(steps):
    """A ddim generator whose UNet predicts zero noise whatever it sees: there DDIM inversion
    is the exact inverse of DDIM sampling."""
    generator = create_generator("ddim", resolution=8, width=8, num_inference_steps=steps)
    torch.nn.init.zeros_(generator.unet.conv_out.weight)
    torch.nn.init.zeros_(generator.unet.conv_out.bias)
    return generator


@pytest.mark.parametrize("steps", [1, 5, 20])
def test_inversion_then_sampling_gives_the_image_back_where_inversion_is_exact(steps):
    generator = blind_generator(steps)
    images = 0.2 + 0.6 * torch.rand(2, 3, 8, 8, generator=torch.Generator().manual_seed(0))
    noise = invert_to_noise(generator, images, steps)
    with torch.no_grad():
        torch.testing.assert_close(generator(noise), images, atol=1e-5, rtol=1e-5)
    assert not torch.allclose(noise, images * 2 - 1)  # it did move towards noise


def test_the_inverter_returns_projected_latents_and_their_reconstructions():
    generator = create_generator("ddim", resolution=8, width=8, num_inference_steps=4)
    inverter = create_inverter("ddim-inversion")
    assert isinstance(inverter, Inverter)
    images = torch.rand(2, 3, 8, 8, generator=torch.Generator().manual_seed(1))
    result = inverter.invert(generator, images, seeds=[0, 1])
    assert result.latents.shape == (2, 3, 8, 8)
    torch.testing.assert_close(result.latents, generator.project_latent(result.latents))
    with torch.no_grad():
        torch.testing.assert_close(result.reconstructions, generator(result.latents))
    torch.testing.assert_close(result.losses, (result.reconstructions - images).pow(2).flatten(1).mean(1))
    assert "DDIM inversion, 4 steps" in result.perceptual


def test_a_refinement_starts_from_the_ddim_inversion_and_lowers_its_error():
    generator = create_generator("ddim", resolution=8, width=8, num_inference_steps=3)
    images = torch.rand(2, 3, 8, 8, generator=torch.Generator().manual_seed(1))
    plain = create_inverter("ddim-inversion").invert(generator, images, seeds=[0, 1])
    barely = create_inverter("ddim-inversion", refine_steps=1, refine_lr=1e-9).invert(generator, images, seeds=[0, 1])
    torch.testing.assert_close(barely.latents, plain.latents, atol=1e-5, rtol=1e-5)
    refined = create_inverter("ddim-inversion", refine_steps=15, refine_lr=0.05).invert(generator, images,
                                                                                        seeds=[0, 1])
    assert bool((refined.losses < plain.losses).all())
    assert "after DDIM inversion, 3 steps" in refined.perceptual


def test_other_generators_are_refused():
    with pytest.raises(UserInputError, match="inverts only the ddim generator"):
        create_inverter("ddim-inversion").invert(create_generator("toy"), torch.rand(1, 3, 32, 32), seeds=[0])


def test_gigs_run_with_the_ddim_inverter(tmp_path):
    from PIL import Image

    photo = tmp_path / "shoe.png"
    Image.new("RGB", (12, 12), (200, 40, 40)).save(photo)
    (tmp_path / "fast.toml").write_text('[shift]\npredictor_trunk = "tiny-cnn"\npredictor_trunk_options = {}\n')
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["run", "-g", "ddim", "-G", "resolution=8", "-G", "width=8", "-r", "toy",
                                      "--inverter", "ddim-inversion", "-I", "num_inference_steps=3", "-i", str(photo),
                                      "--steps", "2", "--n", "2", "--config", str(tmp_path / "fast.toml"), "-q",
                                      "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["perceptual_distance"].startswith("none (DDIM inversion, 3 steps")
    assert report["items"][0]["reconstruction_psnr_db"] > 0


@pytest.mark.parametrize("args,message", [
    (["-g", "toy", "-r", "toy", "-I", "x=1"], "--inverter-option needs --inverter NAME"),
    (["-g", "toy", "-r", "toy", "--inverter", "nosuch"], "unknown inverter 'nosuch'"),
    (["-g", "ddim", "-r", "toy", "--inverter", "ddim-inversion", "-I", "num_inference_steps=0"],
     "num_inference_steps: Input should be greater than or equal to 1"),
])
def test_inverter_mistakes_are_one_line_errors(tmp_path, args, message):
    result = CliRunner().invoke(cli, ["run", *args, "-o", str(tmp_path / "run")], catch_exceptions=False)
    assert result.exit_code == 2 and message in result.output and len(result.output.strip().splitlines()) <= 2
