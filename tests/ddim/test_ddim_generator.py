"""The ``ddim`` generator: the contract, diffusers' own DDIM pipeline as the reference,
local diffusers folders, and clear errors."""

import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from gigs_core import create_generator
from gigs_core.cli.main import cli
from gigs_core.errors import CheckpointError, InvalidOptionsError
from gigs_core.testing import GeneratorContract, SaveLoadContract

TINY = {"resolution": 8, "width": 8, "num_inference_steps": 3}


def save_pipeline(generator, folder):
    from diffusers import DDIMPipeline

    DDIMPipeline(unet=generator.unet, scheduler=generator.scheduler).save_pretrained(folder)
    return folder


class TestDdim(GeneratorContract, SaveLoadContract):
    def make_generator(self):
        return create_generator("ddim", **TINY)

    def reload(self, model, folder):
        return create_generator("ddim", checkpoint=save_pipeline(model, folder / "pipeline"), num_inference_steps=3)


@pytest.mark.parametrize("steps", [1, 4])
def test_images_equal_diffusers_ddim_pipeline(steps):
    from diffusers import DDIMPipeline

    generator = create_generator("ddim", resolution=8, width=8, num_inference_steps=steps, seed=3)
    pipeline = DDIMPipeline(unet=generator.unet, scheduler=generator.scheduler)
    expected = pipeline(batch_size=2, generator=torch.Generator().manual_seed(5), eta=0.0,
                        num_inference_steps=steps, output_type="np").images
    noise = torch.randn(2, *generator.latent_shape, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        actual = generator(noise).permute(0, 2, 3, 1).numpy()
    np.testing.assert_allclose(actual, expected, atol=1e-5)


def test_projection_puts_noise_on_the_gaussian_shell():
    generator = create_generator("ddim", **TINY)
    z = 3 * generator.sample_latent(4, generator=torch.Generator().manual_seed(1)) + 1
    projected = generator.project_latent(z)
    torch.testing.assert_close(projected.flatten(1).norm(dim=1), torch.full((4,), float(np.sqrt(3 * 8 * 8))))
    torch.testing.assert_close(projected / projected.flatten(1).norm(dim=1).view(-1, 1, 1, 1),
                               z / z.flatten(1).norm(dim=1).view(-1, 1, 1, 1))


def test_a_unet_folder_alone_loads_with_the_default_schedule(tmp_path):
    generator = create_generator("ddim", **TINY)
    generator.unet.save_pretrained(tmp_path / "unet-only")
    loaded = create_generator("ddim", checkpoint=tmp_path / "unet-only", num_inference_steps=3)
    z = generator.sample_latent(1, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        torch.testing.assert_close(loaded(z), generator(z))


def test_folders_that_are_not_diffusers_models_are_one_line_errors(tmp_path):
    with pytest.raises(InvalidOptionsError, match="does not exist"):
        create_generator("ddim", checkpoint=tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CheckpointError, match="holds no diffusers UNet"):
        create_generator("ddim", checkpoint=tmp_path / "empty")
    folder = save_pipeline(create_generator("ddim", **TINY), tmp_path / "broken")
    (folder / "unet" / "diffusion_pytorch_model.safetensors").write_bytes(b"not weights")
    with pytest.raises(CheckpointError) as info:
        create_generator("ddim", checkpoint=folder)
    assert "is not a UNet2DModel gigs can read" in str(info.value) and "\n" not in str(info.value)


def test_gigs_run_with_the_ddim_generator(tmp_path):
    (tmp_path / "fast.toml").write_text('[shift]\npredictor_trunk = "tiny-cnn"\npredictor_trunk_options = {}\n')
    out = tmp_path / "run"
    options = [arg for key, value in TINY.items() for arg in ("-G", f"{key}={value}")]
    result = CliRunner().invoke(cli, ["run", "-g", "ddim", *options, "-r", "toy", "--steps", "2", "--n", "2",
                                      "--perceptual", "none", "--config", str(tmp_path / "fast.toml"), "-q",
                                      "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["backends"]["generator"]["class"] == "gigs_ddim.generator.DdimGenerator"
    assert np.array(report["items"][0]["base_latent"]).shape == (3, 8, 8)
    assert "untrained weights" in " ".join(report["notes"])
