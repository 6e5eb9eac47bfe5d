"""Perceptual distance: LPIPS-alex when cached, else the bundle's domain features, never random."""

import pydantic
import pytest
import torch

from gigs_core.config import InversionConfig
from gigs_core.method.perceptual import BACKBONE_FILES, create_perceptual_distance
from gigs_core.testing import PerceptualDistanceContract
from gigs_demo.bundle import DemoBundle
from gigs_demo.runner import choose_perceptual
from gigs_domain.distance import DomainFeatureDistance


def test_domain_distance_is_a_distance(quick_bundle):
    path = quick_bundle / "classifier.safetensors"
    distance = create_perceptual_distance(f"domain:{path}")
    assert isinstance(distance, DomainFeatureDistance)
    a = torch.rand(3, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    b = torch.rand(3, 1, 8, 8, generator=torch.Generator().manual_seed(1))
    assert torch.allclose(distance(a, a), torch.zeros(3), atol=1e-6)
    assert (distance(a, b) > 0).all()
    assert torch.allclose(distance(a, b), distance(b, a), atol=1e-6)
    assert torch.equal(distance(a, b), distance(a, b))  # deterministic (evaluation mode)
    b.requires_grad_(True)
    distance(a, b).sum().backward()
    assert b.grad is not None and b.grad.abs().sum() > 0


def test_config_accepts_domain_and_rejects_unknown():
    assert InversionConfig(perceptual="domain:x.safetensors").perceptual == "domain:x.safetensors"
    for bad in ("lpips-foo", "domain:", "random"):
        with pytest.raises(pydantic.ValidationError, match="perceptual"):
            InversionConfig(perceptual=bad)


def test_choice_prefers_cached_lpips_alex(quick_bundle, tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    bundle = DemoBundle(quick_bundle)
    name, note = choose_perceptual(bundle)
    assert name == f"domain:{bundle.path('classifier')}" and BACKBONE_FILES["alex"] in note
    (tmp_path / "hub" / "checkpoints").mkdir(parents=True)
    (tmp_path / "hub" / "checkpoints" / BACKBONE_FILES["alex"]).write_bytes(b"")
    assert choose_perceptual(bundle)[0] == "lpips-alex"
    assert choose_perceptual(bundle, "none")[0] == "none"


class TestDomainDistance(PerceptualDistanceContract):
    image_channels, image_size = 1, 12

    @pytest.fixture(autouse=True)
    def _folder(self, tmp_path):
        self.folder = tmp_path

    def make_distance(self):
        from gigs_domain.classifier import DomainClassifier, save_classifier

        torch.manual_seed(0)
        path = save_classifier(DomainClassifier(3, channels=1, input_size=12, width=2), self.folder / "classifier")
        return create_perceptual_distance(f"domain:{path}")
