"""benchmarks/generator_quality.py: its figures on hand-made probabilities, the uniform class
schedule, judging a tiny class-conditional generator class by class, and the training record."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest
import torch

from gigs_core import create_generator

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "generator_quality.py"


@pytest.fixture(scope="module")
def quality():
    spec = importlib.util.spec_from_file_location("generator_quality", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_figures_count_confident_samples_and_the_class_spread(quality):
    probabilities = torch.tensor([[0.95, 0.05, 0.0, 0.0],   # confident 0
                                  [0.05, 0.95, 0.0, 0.0],   # confident 1
                                  [0.5, 0.3, 0.2, 0.0],     # predicted 0, not confident
                                  [0.0, 0.0, 0.1, 0.9]])    # confident 3 (p = 0.9 counts)
    result = quality.figures(probabilities, 0.9)
    assert result["confident_fraction"] == 0.75
    assert result["histogram"] == [2, 1, 0, 1]
    share = torch.tensor([0.5, 0.25, 0.25])
    assert result["entropy_ratio"] == pytest.approx(float(-(share * share.log()).sum()) / math.log(4))
    assert result["entropy_ratio_confident"] == pytest.approx(math.log(3) / math.log(4))
    assert result["mean_confidence"] == pytest.approx((0.95 + 0.95 + 0.5 + 0.9) / 4)


def test_figures_of_one_class_only_have_no_entropy(quality):
    result = quality.figures(torch.tensor([[1.0, 0.0]] * 5), 0.9)
    assert (result["confident_fraction"], result["entropy_ratio"], result["histogram"]) == (1.0, 0.0, [5, 0])


@pytest.mark.parametrize(("batches", "classes"), [(10, 10), (23, 10), (4, 10), (7, 3)])
def test_the_class_schedule_gives_every_class_an_equal_share(quality, batches, classes):
    schedule = quality.class_schedule(batches, classes, seed=3)
    counts = torch.bincount(torch.tensor(schedule), minlength=classes)
    assert len(schedule) == batches and int(counts.max() - counts.min()) <= 1
    assert schedule == quality.class_schedule(batches, classes, seed=3)


class ClassOfTheImage:
    """A 'classifier' that reads the class back from the image the fake generator drew."""

    def predict_proba(self, images):
        return torch.nn.functional.one_hot(images[:, 0, 0, 0].round().long(), 3).float()


class ClassPainter(torch.nn.Module):
    """A class-conditional generator whose images are filled with the class index."""

    latent_shape, resolution, channels, num_classes = (2,), 4, 1, 3

    def __init__(self):
        super().__init__()
        self.class_index = 0

    def sample_latent(self, n, *, generator=None):
        return torch.rand(n, 2, generator=generator)

    def forward(self, latent):
        return torch.full((latent.shape[0], 1, 4, 4), float(self.class_index))


def test_judging_a_class_conditional_generator_sets_its_class_per_batch(quality):
    generator = ClassPainter()
    assert quality.is_class_conditional(generator)
    _, probabilities = quality.judge(generator, ClassOfTheImage(), samples=30, seed=0, batch_size=5,
                                     uniform_classes=True)
    assert quality.figures(probabilities, 0.9)["histogram"] == [10, 10, 10]


def test_a_biggan_is_judged_class_by_class(quality):
    generator = create_generator("biggan", channel_width=4, z_dim=8, num_classes=3)
    assert quality.is_class_conditional(generator)
    images, _ = quality.judge(generator, ClassOfTheImage(), samples=6, seed=0, batch_size=2, uniform_classes=True)
    first_class = quality.class_schedule(3, 3, seed=0)[0]
    generator.class_index = first_class
    expected = generator(generator.sample_latent(2, generator=torch.Generator().manual_seed(0)))
    torch.testing.assert_close(images[:2], expected)


def test_the_training_record_is_read_from_a_folder_or_a_sidecar(quality, tmp_path):
    (tmp_path / "generator").mkdir()
    (tmp_path / "generator" / "config.json").write_text(json.dumps({"training": {"steps": 5, "seconds": 1.5}}))
    (tmp_path / "g.safetensors").write_bytes(b"")
    (tmp_path / "g.json").write_text(json.dumps({"training": {"steps": 7}}))
    assert quality.training_record(tmp_path / "generator") == {"steps": 5, "seconds": 1.5}
    assert quality.training_record(tmp_path / "g.safetensors") == {"steps": 7}
    assert quality.training_record(None) == quality.training_record(tmp_path / "other.pt") == {}
