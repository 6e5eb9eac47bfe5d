"""The domain classifier (gigs_domain.classifier) and ``gigs train classifier``."""

from __future__ import annotations

import json

import pytest
import torch
from click.testing import CliRunner

from gigs_core.errors import CheckpointError
from gigs_domain.classifier import DomainClassifier, evaluate, load_classifier, save_classifier, train_classifier


def _shapes(n: int, seed: int):
    """Three easy classes of 16×16 grey images: a bright square, a bright bar, darkness (+ noise)."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 3
    images = 0.1 * torch.rand(n, 1, 16, 16, generator=g)
    images[labels == 0, :, 4:12, 4:12] += 0.8
    images[labels == 1, :, 7:9, :] += 0.8
    return images.clamp(0, 1), labels


def test_learns_separable_classes_and_round_trips(tmp_path):
    torch.manual_seed(0)
    train_x, train_y = _shapes(96, 0)
    test_x, test_y = _shapes(30, 1)
    model = DomainClassifier(3, channels=1, input_size=16, width=4, class_names=["square", "bar", "dark"])
    history = train_classifier(model, lambda ids: torch.cat([train_x, test_x])[list(ids)], list(range(96)), train_y,
                               list(range(96, 126)), test_y, epochs=8, batch_size=16, lr=3e-3)
    assert len(history.test_accuracy) == 8 and history.final_accuracy >= 0.9
    path = save_classifier(model, tmp_path / "clf", test_accuracy=history.final_accuracy)
    loaded = load_classifier(path)
    assert loaded.class_names == ["square", "bar", "dark"] and loaded.metadata["test_accuracy"] == history.final_accuracy
    torch.testing.assert_close(loaded.predict_proba(test_x), model.predict_proba(test_x))
    assert evaluate(loaded, lambda ids: test_x[list(ids)], list(range(30)), test_y) == history.final_accuracy


def test_accepts_colour_and_any_size():
    model = DomainClassifier(4, channels=1, input_size=16, width=2).eval()
    probabilities = model.predict_proba(torch.rand(3, 3, 40, 40))
    assert probabilities.shape == (3, 4)
    torch.testing.assert_close(probabilities.sum(dim=1), torch.ones(3))


def test_load_rejects_other_files(tmp_path):
    from gigs_core.checkpoints import save_checkpoint

    path = save_checkpoint(torch.nn.Linear(2, 2), {"format": "something-else"}, tmp_path / "x.safetensors")
    with pytest.raises(CheckpointError, match="not a gigs domain classifier"):
        load_classifier(path)


@pytest.mark.skipif(not __import__("pathlib").Path("/usr/share/datasets/fashion-mnist").is_dir(),
                    reason="Debian's dataset-fashion-mnist is not installed")
def test_cli_writes_classifier_and_accuracy(tmp_path, monkeypatch):
    """One short epoch on Fashion-MNIST's official split (tiny width): files and metrics."""
    import gigs_domain.classifier as module
    from gigs_core.cli.main import cli

    original = module.train_classifier

    def few_items(model, source, train_ids, train_labels, test_ids, test_labels, **kwargs):
        return original(model, source, train_ids[:256], train_labels[:256], test_ids[:128], test_labels[:128], **kwargs)

    monkeypatch.setattr(module, "train_classifier", few_items)
    result = CliRunner().invoke(cli, ["train", "classifier", "--data", "fashion-mnist", "--out", str(tmp_path),
                                      "--epochs", "1", "--width", "2", "--device", "cpu"])
    assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["split"] == "official train/test partitions" and 0.0 <= metrics["test_accuracy"] <= 1.0
    model = load_classifier(tmp_path / "classifier.safetensors")
    assert model.num_classes == 10 and model.class_names[0] == "T-shirt/top"
