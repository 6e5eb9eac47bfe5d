"""Perceptual distances for inversion: LPIPS from the ``lpips`` package.

LPIPS's linear layers ship with the package, but its backbone (AlexNet, VGG16
or SqueezeNet) comes from torchvision's download cache. gigs never downloads:
a backbone that is not in ``$TORCH_HOME/hub/checkpoints`` is an error naming
the file, unless the user explicitly chose ``lpips-untrained`` (random
backbone), ``domain:PATH`` (the features of a trained domain classifier, see
:class:`DomainFeatureDistance`) or ``none``. The choice is recorded in every
result. :func:`lpips_available` lets a caller (the demo) prefer LPIPS-alex
when its weights are cached and fall back to ``domain:PATH`` openly.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

import torch
from torch import nn

from gigs_core.errors import MissingWeightsError

BACKBONE_FILES = {
    "alex": "alexnet-owt-7be5be79.pth",
    "vgg": "vgg16-397923af.pth",
    "squeeze": "squeezenet1_1-b8a52dc0.pth",
}


def backbone_path(net: str) -> Path:
    """Where torchvision caches the ImageNet weights LPIPS needs for ``net``."""
    return Path(torch.hub.get_dir()) / "checkpoints" / BACKBONE_FILES[net]


class LpipsDistance(nn.Module):
    """Per-image LPIPS between ``[0, 1]`` image batches (grey images are repeated to RGB)."""

    def __init__(self, net: str = "vgg", pretrained_backbone: bool = True):
        super().__init__()
        import lpips

        if pretrained_backbone and not backbone_path(net).is_file():
            raise MissingWeightsError(
                f"LPIPS-{net} needs the torchvision ImageNet weights {BACKBONE_FILES[net]!r} in "
                f"{backbone_path(net).parent} (set TORCH_HOME to move it); copy the file there, or choose "
                f"perceptual 'lpips-untrained' or 'none' explicitly"
            )
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            # lpips prints its settings and calls torchvision's deprecated `pretrained=` argument
            warnings.filterwarnings("ignore", category=UserWarning, module="torchvision")
            self.model = lpips.LPIPS(net=net, pretrained=True, pnet_rand=not pretrained_backbone, verbose=False)
        self.model.eval().requires_grad_(False)

    def forward(self, first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
        if first.shape[1] == 1:
            first, second = first.expand(-1, 3, -1, -1), second.expand(-1, 3, -1, -1)
        return self.model(first, second, normalize=True).flatten()


class NoDistance(nn.Module):
    """The ``none`` choice: zero perceptual distance (MSE-only inversion)."""

    def forward(self, first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
        return first.new_zeros(first.shape[0])


DOMAIN_PREFIX = "domain:"


def lpips_available(net: str = "alex") -> bool:
    """Whether LPIPS-``net``'s backbone weights are in the torch hub cache (nothing is downloaded)."""
    return backbone_path(net).is_file()


class DomainFeatureDistance(nn.Module):
    """LPIPS-style distance in the feature space of a trained domain classifier
    (:mod:`gigs_core.domain_classifier`), for catalogues where LPIPS's ImageNet
    backbone is unavailable or out of domain.

    For each of the classifier's convolution blocks, the activations are unit-
    normalised over channels (as LPIPS does); the distance is the sum over blocks
    of the spatially averaged squared difference, with equal weights (no learned
    LPIPS calibration). Deterministic; the classifier runs in evaluation mode.
    """

    def __init__(self, path: str | Path):
        super().__init__()
        from gigs_core.domain_classifier import load_classifier

        self.path = str(path)
        self.classifier = load_classifier(path).eval().requires_grad_(False)

    def _activations(self, images: torch.Tensor) -> list[torch.Tensor]:
        x = self.classifier.prepare(images)
        outputs = []
        for layer in self.classifier.features:
            x = layer(x)
            if isinstance(layer, nn.Sequential):  # one conv + batch-norm + ReLU block
                outputs.append(x)
        return outputs

    def forward(self, first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
        total = first.new_zeros(first.shape[0])
        for a, b in zip(self._activations(first), self._activations(second)):
            a = a / (a.pow(2).sum(dim=1, keepdim=True).sqrt() + 1e-10)
            b = b / (b.pow(2).sum(dim=1, keepdim=True).sqrt() + 1e-10)
            total = total + (a - b).pow(2).sum(dim=1).mean(dim=(1, 2))
        return total


def create_perceptual_distance(name: str) -> nn.Module:
    """``lpips-alex|lpips-vgg|lpips-squeeze`` (pretrained backbone), ``lpips-untrained``
    (random AlexNet backbone, LPIPS linear layers), ``domain:PATH`` (a domain
    classifier's features, :class:`DomainFeatureDistance`) or ``none``."""
    if name == "none":
        return NoDistance()
    if name.startswith(DOMAIN_PREFIX):
        return DomainFeatureDistance(name[len(DOMAIN_PREFIX):])
    if name == "lpips-untrained":
        return LpipsDistance("alex", pretrained_backbone=False)
    return LpipsDistance(name.removeprefix("lpips-"), pretrained_backbone=True)
