"""A critic fitted to a fixed ProGAN (``gigs train critic --critic progan``): it learns to score
the catalogue's images above the generator's, resumes exactly, and loads as the generator's
realism term."""

from __future__ import annotations

import hashlib
import json

import pytest
import torch
from click.testing import CliRunner

from gigs_core import create_generator
from gigs_core.cli.main import cli
from gigs_core.training.images import TrainingImages
from gigs_progan.critic_fitting import CriticFitConfig, fit_critic
from gigs_progan.native_format import load_critic, save_generator
from tests.catalogue_helpers import write_catalogue


@pytest.fixture(scope="module")
def generator_file(tmp_path_factory):
    """A fresh 8 px grey ProGAN: its images are noise, far from the bright squares used as reals."""
    generator = create_generator("progan", resolution=8, latent_dim=8, channels=1, max_features=8)
    return save_generator(generator, tmp_path_factory.mktemp("generator") / "generator.safetensors")


def squares(count: int = 32) -> TrainingImages:
    """Real images unlike the generator's: a bright square on black."""
    data = torch.zeros(count, 1, 8, 8)
    data[:, :, 2:6, 2:6] = 1.0
    return TrainingImages(range(count), lambda ids: data[list(ids)], resolution=8, channels=1)


def config(generator_file, **changes) -> CriticFitConfig:
    return CriticFitConfig(generator=str(generator_file), **{"steps": 60, "batch_size": 8, "checkpoint_every": 20,
                                                              "log_every": 10, **changes})


def test_the_fitted_critic_scores_reals_above_the_generators_images(generator_file, tmp_path):
    generator = create_generator("progan", checkpoint=generator_file)
    result = fit_critic(config(generator_file), generator, squares(), tmp_path)
    assert result.finished and result.steps == 60
    critic = load_critic(result.generator_path)
    fakes = generator(generator.sample_latent(16, generator=torch.Generator().manual_seed(5)))
    with torch.no_grad():
        real_scores = critic(squares().batch(16, torch.Generator().manual_seed(6)))
        fake_scores = critic(fakes * 2 - 1)
    assert real_scores.mean() > fake_scores.mean()
    records = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert records[-1]["wasserstein"] > records[0]["wasserstein"]
    stored = json.loads((tmp_path / "discriminator.json").read_text())
    assert stored["fitted_to"]["checkpoint"] == str(generator_file) and stored["training"]["steps"] == 60
    assert stored["fitted_to"]["sha256"] == hashlib.sha256(generator_file.read_bytes()).hexdigest()


def test_a_resumed_fit_equals_an_uninterrupted_one(generator_file, tmp_path):
    generator = create_generator("progan", checkpoint=generator_file)
    straight = fit_critic(config(generator_file), generator, squares(), tmp_path / "straight")
    paused = fit_critic(config(generator_file), generator, squares(), tmp_path / "paused", max_steps=30)
    assert not paused.finished and paused.steps == 30
    resumed = fit_critic(config(generator_file), generator, squares(), tmp_path / "paused", resume=True)
    assert resumed.finished
    a, b = load_critic(straight.generator_path).state_dict(), load_critic(resumed.generator_path).state_dict()
    for name in a:
        torch.testing.assert_close(a[name], b[name], rtol=0, atol=0)


def test_the_fitted_critic_is_the_generators_realism_term(generator_file, tmp_path):
    generator = create_generator("progan", checkpoint=generator_file)
    critic_file = fit_critic(config(generator_file, steps=4), generator, squares(), tmp_path).generator_path
    with_critic = create_generator("progan", checkpoint=generator_file, discriminator=critic_file)
    images = torch.rand(3, 1, 8, 8, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        torch.testing.assert_close(with_critic.realism_loss(images), -load_critic(critic_file)(images * 2 - 1))


def test_the_command_fits_and_refuses_to_overwrite(generator_file, tmp_path):
    out = tmp_path / "critic"
    arguments = ["train", "critic", "--critic", "progan", "--checkpoint", str(generator_file), "-d",
                 f"csv:{write_catalogue(tmp_path / 'catalogue')}", "-o", str(out), "--steps", "3", "--batch-size", "4"]
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 0, result.output
    assert "done: 3 steps" in result.output and (out / "discriminator.safetensors").is_file()
    again = CliRunner().invoke(cli, arguments)
    assert again.exit_code == 2 and "already holds a training run; pass --resume" in again.output
    assert "Traceback" not in again.output


def test_a_file_that_is_not_a_progan_is_a_one_line_error(tmp_path):
    wrong = tmp_path / "notes.safetensors"
    wrong.write_bytes(b"not a checkpoint")
    result = CliRunner().invoke(cli, ["train", "critic", "--critic", "progan", "--checkpoint", str(wrong), "-d",
                                      f"csv:{write_catalogue(tmp_path / 'catalogue')}", "-o", str(tmp_path / "out")])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "notes.safetensors" in result.output and not (tmp_path / "out").exists()
