"""LPIPS never downloads: a missing backbone is a clear error; a cached one is used."""

import pytest
import torch
import torchvision

from gigs_core.errors import MissingWeightsError
from gigs_core.method.perceptual import BACKBONE_FILES, create_perceptual_distance


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
