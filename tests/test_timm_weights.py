"""timm's pretrained weights come from the local Hugging Face cache only: never downloaded,
whatever HF_HUB_OFFLINE says; a clear one-line error when they are absent."""

import pytest
import torch

from gigs_core import create_feature_extractor, create_recommender
from gigs_core.errors import MissingWeightsError


@pytest.fixture
def hub_cache(tmp_path, monkeypatch):
    """An empty Hugging Face cache, with the hub reachable as far as huggingface_hub knows
    and every timm download path broken: an attempt to download fails the test."""
    import timm.models._builder as builder
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)

    def no_download(*args, **kwargs):
        raise AssertionError("timm tried to download weights")

    monkeypatch.setattr(builder, "load_state_dict_from_hf", no_download)
    monkeypatch.setattr(builder, "load_state_dict_from_url", no_download)
    monkeypatch.setattr(builder, "download_cached_file", no_download)
    return tmp_path / "hub"


def cache_weights(cache, repo: str, state: dict) -> None:
    """Lay out ``state`` as huggingface_hub caches ``repo``'s model.safetensors."""
    from safetensors.torch import save_file

    folder = cache / f"models--{repo.replace('/', '--')}"
    (folder / "refs").mkdir(parents=True)
    (folder / "refs" / "main").write_text("0" * 40)
    snapshot = folder / "snapshots" / ("0" * 40)
    snapshot.mkdir(parents=True)
    save_file({key: value.contiguous() for key, value in state.items()}, str(snapshot / "model.safetensors"))


@pytest.mark.parametrize("build", [
    lambda: create_feature_extractor("timm", model="resnet10t", pretrained=True),
    lambda: create_recommender("vbpr-timm", model="resnet10t", pretrained=True),
])
def test_absent_weights_are_a_one_line_error_without_a_download(hub_cache, build):
    with pytest.raises(MissingWeightsError) as error:
        build()
    message = str(error.value)
    assert "'resnet10t'" in message and "timm/resnet10t" in message and "never downloads" in message
    assert "pretrained=false" in message and "\n" not in message


def test_cached_weights_are_loaded(hub_cache):
    import timm

    torch.manual_seed(3)
    reference = timm.create_model("resnet10t")
    cache_weights(hub_cache, timm.models.get_pretrained_cfg("resnet10t").hf_hub_id, reference.state_dict())
    extractor = create_feature_extractor("timm", model="resnet10t", pretrained=True).eval()
    reference.reset_classifier(0)
    images = torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(extractor(images), reference.eval()((images - extractor.mean) / extractor.std))
