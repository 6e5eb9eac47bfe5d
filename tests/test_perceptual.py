"""LPIPS never downloads: a missing backbone is a clear error; a cached one is used."""

import pytest
import torch
import torchvision

from gigs_core.errors import MissingWeightsError
from gigs_core.method.perceptual import BACKBONE_FILES, LpipsDistance, create_perceptual_distance
from gigs_core.testing import PerceptualDistanceContract


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    return tmp_path


def test_missing_backbone_names_the_file_and_place(torch_home):
    with pytest.raises(MissingWeightsError) as error:
        create_perceptual_distance("lpips-alex")
    message = str(error.value)
    assert BACKBONE_FILES["alex"] in message and str(torch_home / "hub" / "checkpoints") in message
    assert "lpips-untrained" in message


def test_cached_backbone_is_loaded_and_matches_lpips(torch_home):
    import lpips

    torch.manual_seed(0)
    alexnet = torchvision.models.alexnet()
    checkpoints = torch_home / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    torch.save(alexnet.state_dict(), checkpoints / BACKBONE_FILES["alex"])

    distance = create_perceptual_distance("lpips-alex")
    first_layer = distance.model.net.slice1[0].weight
    torch.testing.assert_close(first_layer, alexnet.features[0].weight)

    reference = lpips.LPIPS(net="alex", pnet_rand=True, verbose=False).eval()
    reference.net.load_state_dict(distance.model.net.state_dict())
    a = torch.rand(2, 3, 64, 64, generator=torch.Generator().manual_seed(1))
    b = torch.rand(2, 3, 64, 64, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        expected = reference(a * 2 - 1, b * 2 - 1).flatten()
        actual = distance(a, b)
    torch.testing.assert_close(actual, expected)
    assert torch.all(distance(a, a) < 1e-6)


def test_explicit_alternatives(torch_home):
    untrained = create_perceptual_distance("lpips-untrained")
    a, b = torch.rand(1, 1, 32, 32), torch.rand(1, 1, 32, 32)
    assert untrained(a, b).shape == (1,) and float(untrained(a, b)) > 0
    assert float(create_perceptual_distance("none")(a, b)) == 0.0


def test_the_untrained_backbone_is_one_network_whatever_the_global_random_state():
    torch.manual_seed(1)
    first = create_perceptual_distance("lpips-untrained").state_dict()
    torch.manual_seed(2)
    second = create_perceptual_distance("lpips-untrained").state_dict()
    assert first.keys() == second.keys() and all(torch.equal(first[key], second[key]) for key in first)


def test_lpips_untrained_runs_are_bit_identical_and_the_cli_agrees_with_the_api(tmp_path):
    """Two identical CLI runs give the same files; the Python API gives the same numbers."""
    from click.testing import CliRunner
    from PIL import Image

    from gigs_core.cli.main import cli
    from gigs_core.config import GigsConfig
    from gigs_core.factories import create_generator, create_recommender
    from gigs_core.imaging import load_image, resize
    from gigs_core.method.pipeline import run_gigs

    photo = tmp_path / "shoe.png"
    Image.new("RGB", (40, 30), (200, 120, 10)).save(photo)
    (tmp_path / "fast.toml").write_text('[shift]\npredictor_trunk = "tiny-cnn"\npredictor_trunk_options = {}\n')
    folders = []
    for run, global_seed in enumerate((1, 2)):
        torch.manual_seed(global_seed)  # whatever ran before in the process
        out = tmp_path / f"run{run}"
        result = CliRunner().invoke(cli, ["run", "-g", "toy", "-r", "toy", "-i", str(photo), "--steps", "3", "--n", "2",
                                          "--perceptual", "lpips-untrained", "--config", str(tmp_path / "fast.toml"),
                                          "-q", "-o", str(out)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        folders.append(out)
    for name in ("shoe/reconstruction.png", "shoe/variant_00.png", "shoe/variant_01.png"):
        assert (folders[0] / name).read_bytes() == (folders[1] / name).read_bytes()
    import json

    reports = [json.loads((folder / "report.json").read_text()) for folder in folders]
    assert reports[0]["items"] == reports[1]["items"]
    config = GigsConfig().merged({"inversion": {"steps": 3, "perceptual": "lpips-untrained"},
                                  "shift": {"steps": 3, "n": 2, "predictor_trunk": "tiny-cnn",
                                            "predictor_trunk_options": {}}})
    generator = create_generator("toy")
    api = run_gigs(generator, create_recommender("toy"), resize(load_image(photo), generator.resolution),
                   config=config, item_names=["shoe"])
    assert api.items[0].inversion_loss == reports[0]["items"][0]["inversion_loss"]
    assert api.items[0].variant_preferences == reports[0]["items"][0]["variant_preferences"]


class TestLpipsDistance(PerceptualDistanceContract):
    def make_distance(self):
        return LpipsDistance("alex", pretrained_backbone=False)


class TestLpipsDistanceOnGreyImages(TestLpipsDistance):
    image_channels = 1


def test_distance_to_falls_back_to_forward_without_the_method():
    from gigs_core.method.perceptual import distance_to

    class MeanAbs(torch.nn.Module):
        def forward(self, first, second):
            return (first - second).abs().flatten(1).mean(dim=1)

    targets, images = torch.rand(3, 1, 4, 4), torch.rand(3, 1, 4, 4)
    assert torch.equal(distance_to(MeanAbs(), targets)(images), MeanAbs()(targets, images))
