"""The domain classifier as the network of "domain IS" and "domain FID" (gigs_domain.feature_network)."""

import torch

from gigs_core.metrics import FrechetInceptionDistance, InceptionScore
from gigs_domain.classifier import DomainClassifier, save_classifier
from gigs_domain.feature_network import domain_feature_network


def saved_classifier(folder):
    torch.manual_seed(0)
    model = DomainClassifier(4, channels=1, input_size=12, width=2).eval()
    return model, save_classifier(model, folder / "classifier.safetensors")


def test_features_and_logits_are_the_classifiers_and_the_metrics_say_domain(tmp_path):
    model, path = saved_classifier(tmp_path)
    images = torch.rand(6, 1, 12, 12, generator=torch.Generator().manual_seed(1))
    features = domain_feature_network(path)
    logits = domain_feature_network(path, outputs="logits")
    with torch.no_grad():
        torch.testing.assert_close(features(images), model.embed(images))
        torch.testing.assert_close(logits(images), model(images))
    assert features.outputs == "features" and logits.outputs == "logits"
    fid, score = FrechetInceptionDistance(features), InceptionScore(logits, splits=2)
    assert (fid.label, score.label) == ("domain FID", "domain IS")
    assert "classifier.safetensors" in fid.network_name
    fid.update(images[:3], real=True)
    fid.update(images[3:], real=False)
    score.update(images)
    assert fid.compute() >= 0 and score.compute().mean >= 1
