"""A trained ProGAN's critic is kept (discriminator.safetensors) and, given as discriminator=FILE,
supplies the realism term of DVBPR's preference maximisation."""

from __future__ import annotations

import pytest
import torch

from gigs_core import create_generator, create_recommender
from gigs_core.config import GigsConfig
from gigs_core.errors import InvalidOptionsError
from gigs_core.method.pipeline import run_gigs
from gigs_core.protocols import Generator
from gigs_core.training.images import TrainingImages
from gigs_progan.native_format import load_critic
from gigs_progan.training import TrainConfig, train


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("progan")
    data = torch.rand(16, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    images = TrainingImages(range(16), lambda ids: data[list(ids)], resolution=8, channels=1)
    train(TrainConfig(resolution=8, channels=1, latent_dim=8, max_features=8, batch_size=4, images_per_phase=8,
                      checkpoint_every=100, log_every=1, grid_samples=4), images, out)
    return out


def test_the_critic_gives_the_realism_loss(trained):
    generator = create_generator("progan", checkpoint=trained / "generator.safetensors",
                                 discriminator=trained / "discriminator.safetensors")
    assert isinstance(generator, Generator) and not generator.training
    critic = load_critic(trained / "discriminator.safetensors")
    images = torch.rand(3, 1, 8, 8, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        torch.testing.assert_close(generator.realism_loss(images), -critic(images * 2 - 1))
        z = generator.sample_latent(2, generator=torch.Generator().manual_seed(2))
        plain = create_generator("progan", checkpoint=trained / "generator.safetensors")
        torch.testing.assert_close(generator(z), plain(z))


def test_dvbpr_pm_uses_the_critic(trained):
    generator = create_generator("progan", checkpoint=trained / "generator.safetensors",
                                 discriminator=trained / "discriminator.safetensors")
    config = GigsConfig().merged({"method": "dvbpr-pm", "shift": {"n": 2}, "baseline": {"steps": 2}})
    run = run_gigs(generator, create_recommender("toy", num_users=3), None, users="all", config=config, seeds=0)
    assert run.notes == [] and len(run.items[0].preference_history) == 2


def test_a_critic_needs_its_own_generator(trained, tmp_path):
    with pytest.raises(InvalidOptionsError, match="discriminator apply to a checkpoint"):
        create_generator("progan", discriminator=trained / "discriminator.safetensors")
    with pytest.raises(Exception, match="is not a gigs ProGAN critic"):
        create_generator("progan", checkpoint=trained / "generator.safetensors",
                         discriminator=trained / "generator.safetensors")
