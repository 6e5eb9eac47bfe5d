"""A small CNN that recognises a catalogue's categories, for judging generated samples.

Used to check that a generator trained on a catalogue produces recognisable
items (confident, class-balanced predictions) and, by the evaluation code, as
the feature/logit network of "domain" IS/FID. Saved as safetensors + JSON
(:func:`save_classifier` / :func:`load_classifier`) with its test accuracy.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from gigs_core.checkpoints import load_state_dict_strict, read_checkpoint, save_checkpoint
from gigs_core.errors import CheckpointError, DataError
from gigs_core.imaging import conform
from gigs_core.method.progress import Progress, no_progress

log = logging.getLogger(__name__)

FORMAT = "gigs-domain-classifier"
VERSION = 1


def _conv(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
                         nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))


class DomainClassifier(nn.Module):
    """``[0, 1]`` images (any size, 1 or 3 channels) → logits over the catalogue's categories.

    Three stages of two 3×3 conv + batch-norm + ReLU layers (widths ``w``,
    ``2w``, ``4w``; max-pool between), global average pooling, dropout and a
    linear layer. Images are resized to ``input_size`` and converted to
    ``channels`` first, then mapped to ``[-1, 1]``.
    """

    def __init__(self, num_classes: int, *, channels: int = 1, input_size: int = 32, width: int = 32,
                 class_names: Sequence[str] | None = None) -> None:
        super().__init__()
        if num_classes < 2:
            raise ValueError("a classifier needs at least two classes")
        self.num_classes = num_classes
        self.channels = channels
        self.input_size = input_size
        self.width = width
        self.class_names = list(class_names) if class_names is not None else [str(i) for i in range(num_classes)]
        w = width
        self.features = nn.Sequential(
            _conv(channels, w), _conv(w, w), nn.MaxPool2d(2),
            _conv(w, 2 * w), _conv(2 * w, 2 * w), nn.MaxPool2d(2),
            _conv(2 * w, 4 * w), _conv(4 * w, 4 * w),
        )
        self.dropout = nn.Dropout(0.3)
        self.head = nn.Linear(4 * w, num_classes)

    @property
    def feature_dim(self) -> int:
        return 4 * self.width

    def prepare(self, images: torch.Tensor) -> torch.Tensor:
        return conform(images, self.input_size, self.channels) * 2.0 - 1.0

    def embed(self, images: torch.Tensor) -> torch.Tensor:
        """Pooled ``N × feature_dim`` features (before the linear head)."""
        return self.features(self.prepare(images)).mean(dim=(2, 3))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """``N × num_classes`` logits."""
        return self.head(self.dropout(self.embed(images)))

    @torch.no_grad()
    def predict_proba(self, images: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
        """Class probabilities (evaluation mode, batched); the module's mode is restored."""
        was_training = self.training
        self.eval()
        try:
            return torch.cat([F.softmax(self(images[i:i + batch_size]), dim=1)
                              for i in range(0, images.shape[0], batch_size)])
        finally:
            self.train(was_training)

    def config(self) -> dict[str, Any]:
        return {"num_classes": self.num_classes, "channels": self.channels, "input_size": self.input_size,
                "width": self.width, "class_names": self.class_names}


@dataclass
class TrainingHistory:
    """Per-epoch training loss and test accuracy, and the final test accuracy."""

    train_loss: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)

    @property
    def final_accuracy(self) -> float:
        return self.test_accuracy[-1] if self.test_accuracy else float("nan")


ImageSource = Callable[[Sequence[int]], torch.Tensor]
"""``source(ids)`` → ``N×C×H×W`` ``[0, 1]`` images of those items."""


@torch.no_grad()
def evaluate(model: DomainClassifier, source: ImageSource, ids: Sequence[int], labels: torch.Tensor, *,
             batch_size: int = 512, device: torch.device | str | None = None) -> float:
    """Top-1 accuracy of ``model`` on items ``ids`` with true ``labels``."""
    device = torch.device(device) if device is not None else next(model.parameters()).device
    was_training = model.training
    model.eval()
    correct = 0
    try:
        for start in range(0, len(ids), batch_size):
            images = source(ids[start:start + batch_size]).to(device)
            predicted = model(images).argmax(dim=1).cpu()
            correct += int((predicted == labels[start:start + batch_size]).sum())
    finally:
        model.train(was_training)
    return correct / max(1, len(ids))


def train_classifier(
    model: DomainClassifier,
    source: ImageSource,
    train_ids: Sequence[int],
    train_labels: torch.Tensor,
    test_ids: Sequence[int],
    test_labels: torch.Tensor,
    *,
    epochs: int = 5,
    batch_size: int = 128,
    lr: float = 1e-3,
    seed: int = 0,
    device: torch.device | str = "cpu",
    progress: Progress = no_progress,
) -> TrainingHistory:
    """Adam + cross-entropy with a cosine learning-rate decay; random 2-pixel
    shifts as augmentation. Returns the per-epoch history (test accuracy each epoch)."""
    if len(train_ids) != len(train_labels) or len(test_ids) != len(test_labels):
        raise DataError("item ids and labels differ in number")
    device = torch.device(device)
    model.to(device)
    rng = torch.Generator().manual_seed(seed)
    steps_per_epoch = math.ceil(len(train_ids) / batch_size)
    total = epochs * steps_per_epoch
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 0.5 * (1 + math.cos(math.pi * step / total)))
    history = TrainingHistory()
    ids = torch.as_tensor(list(train_ids))
    done = 0
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(ids), generator=rng)
        running = 0.0
        for start in range(0, len(ids), batch_size):
            picks = order[start:start + batch_size]
            images = source(ids[picks].tolist())
            images = _shift(images, rng, 2).to(device)
            loss = F.cross_entropy(model(images), train_labels[picks].to(device))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            running += float(loss.detach()) * len(picks)
            done += 1
            progress(f"epoch {epoch + 1}/{epochs}", done, total)
        history.train_loss.append(running / len(ids))
        history.test_accuracy.append(evaluate(model, source, list(test_ids), test_labels, device=device))
        log.info("epoch %d: train loss %.4f, test accuracy %.4f", epoch + 1, history.train_loss[-1],
                 history.test_accuracy[-1])
    model.eval()
    return history


def _shift(images: torch.Tensor, rng: torch.Generator, pixels: int) -> torch.Tensor:
    """Each image translated by a random offset of up to ``pixels`` (edge pixels replicated)."""
    if pixels <= 0:
        return images
    n, _, h, w = images.shape
    padded = F.pad(images, (pixels,) * 4, mode="replicate")
    offsets = torch.randint(0, 2 * pixels + 1, (n, 2), generator=rng)
    return torch.stack([padded[i, :, y:y + h, x:x + w] for i, (y, x) in enumerate(offsets.tolist())])


def save_classifier(model: DomainClassifier, path: str | Path, **metadata: Any) -> Path:
    """Write ``path`` (.safetensors) and its JSON config, with ``metadata`` (e.g. test accuracy)."""
    config = {"format": FORMAT, "version": VERSION, **model.config(), **metadata}
    return save_checkpoint(model, config, path)


def load_classifier(path: str | Path) -> DomainClassifier:
    """A classifier written by :func:`save_classifier`, in evaluation mode.
    Its saved metadata is in ``model.metadata``."""
    path = Path(path)
    config, state = read_checkpoint(path)
    if config.get("format") != FORMAT:
        raise CheckpointError(f"{str(path)!r} is not a gigs domain classifier (format {config.get('format')!r})")
    try:
        model = DomainClassifier(int(config["num_classes"]), channels=int(config["channels"]),
                                 input_size=int(config["input_size"]), width=int(config["width"]),
                                 class_names=config.get("class_names"))
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"{str(path)!r}: bad classifier config ({exc})") from None
    load_state_dict_strict(model, state, repr(str(path)))
    model.metadata = {k: v for k, v in config.items() if k not in model.config()}
    return model.eval()
