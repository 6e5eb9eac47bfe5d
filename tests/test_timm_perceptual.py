"""The ``timm:MODEL`` perceptual distance: LPIPS's formula on a timm backbone's feature maps."""

import json

import pytest
import torch
from click.testing import CliRunner

from gigs_core.errors import MissingWeightsError, UserInputError
from gigs_core.method.perceptual import check_perceptual_name, create_perceptual_distance
from gigs_core.testing import PerceptualDistanceContract

RANDOM = "timm:resnet10t:random"


def images(n: int, size: int = 32, channels: int = 3, seed: int = 0) -> torch.Tensor:
    return torch.rand(n, channels, size, size, generator=torch.Generator().manual_seed(seed))


def reference_distance(backbone_state: dict, first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
    """LPIPS eq. 1 without learned weights, on timm's features_only network (another code path to the
    same feature maps), averaged over its levels."""
    import timm

    network = timm.create_model("resnet10t", features_only=True)
    network.load_state_dict(backbone_state, strict=True)
    network.eval()
    config = timm.models.get_pretrained_cfg("resnet10t")
    mean, std = torch.tensor(config.mean).view(1, 3, 1, 1), torch.tensor(config.std).view(1, 3, 1, 1)
    levels = []
    for a, b in zip(network((first - mean) / std), network((second - mean) / std)):
        a = a / (a.norm(dim=1, keepdim=True) + 1e-10)
        b = b / (b.norm(dim=1, keepdim=True) + 1e-10)
        levels.append(((a - b) ** 2).sum(dim=1).mean(dim=(1, 2)))
    assert len(levels) == 5  # a ResNet's stem and four stages
    return torch.stack(levels).mean(dim=0)


def test_registered_with_an_argument():
    assert check_perceptual_name("timm:resnet18") == "timm:resnet18"
    with pytest.raises(ValueError, match="timm:…"):
        check_perceptual_name("timm")


def test_matches_the_formula_on_weights_from_a_file(tmp_path):
    import timm
    from safetensors.torch import save_file

    torch.manual_seed(4)
    weights = {k: v.contiguous() for k, v in timm.create_model("resnet10t", num_classes=0).state_dict().items()}
    save_file(weights, str(tmp_path / "w.safetensors"))
    distance = create_perceptual_distance(f"timm:resnet10t:{tmp_path / 'w.safetensors'}")
    first, second = images(3, seed=1), images(3, seed=2)
    with torch.no_grad():
        torch.testing.assert_close(distance(first, second), reference_distance(weights, first, second))


def test_distance_properties():
    distance = create_perceptual_distance(RANDOM)
    first, second = images(3, seed=1), images(3, seed=2)
    with torch.no_grad():
        between = distance(first, second)
        assert between.shape == (3,) and (between > 0).all()
        torch.testing.assert_close(distance(second, first), between)
        torch.testing.assert_close(distance(first, first), torch.zeros(3))
        torch.testing.assert_close(distance(first[1:2], second[1:2]), between[1:2])  # rows are independent
        grey = distance(images(2, 28, channels=1, seed=3), images(2, 28, channels=1, seed=4))
        assert grey.shape == (2,) and torch.isfinite(grey).all()
        nearer = distance(first, (first + 0.02 * (second - first)))
        assert (nearer < between).all()  # a slightly changed image is nearer than another image
    distance.train()
    assert not distance.extractor.training  # BatchNorm never switches to batch statistics


def test_random_weights_are_the_same_every_time_and_gradients_reach_the_images():
    first, second = images(2, seed=5), images(2, seed=6)
    torch.manual_seed(123)
    a = create_perceptual_distance(RANDOM)
    b = create_perceptual_distance(RANDOM)
    torch.testing.assert_close(a(first, second), b(first, second))
    moving = first.clone().requires_grad_(True)
    a(moving, second).sum().backward()
    assert moving.grad is not None and moving.grad.abs().sum() > 0
    assert all(p.grad is None for p in a.parameters())


def test_absent_pretrained_weights_and_bad_arguments_are_one_line(tmp_path, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    with pytest.raises(MissingWeightsError, match="'resnet10t'.*never downloads"):
        create_perceptual_distance("timm:resnet10t")
    with pytest.raises(UserInputError, match="timm has no model 'resnet19'"):
        create_perceptual_distance("timm:resnet19:random")
    with pytest.raises(UserInputError, match="names no model"):
        create_perceptual_distance("timm::random")


def test_inverts_through_gigs_run(tmp_path):
    from PIL import Image

    from gigs_core.cli.main import cli

    photo = tmp_path / "item.png"
    Image.new("L", (16, 16), color=90).save(photo)
    config = tmp_path / "fast.toml"
    config.write_text('[shift]\npredictor_trunk = "tiny-cnn"\npredictor_trunk_options = {}\n')
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["run", "-g", "linear", "-r", "pixel", "-i", str(photo), "--steps", "3", "--n", "2",
                                      "--perceptual", RANDOM, "--config", str(config), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "report.json").read_text())["perceptual_distance"] == RANDOM


class TestTimmDistance(PerceptualDistanceContract):
    def make_distance(self):
        return create_perceptual_distance(RANDOM)
