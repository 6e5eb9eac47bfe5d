"""Perceptual distances for inversion: LPIPS from the ``lpips`` package.

LPIPS's linear layers ship with the package, but its backbone (AlexNet, VGG16
or SqueezeNet) comes from torchvision's download cache. gigs never downloads:
a backbone that is not in ``$TORCH_HOME/hub/checkpoints`` is an error naming
the file, unless the user explicitly chose ``lpips-untrained`` (random
backbone) or ``none``. The choice is recorded in every result.
"""

from __future__ import annotations

import contextlib
import io
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
        with contextlib.redirect_stdout(io.StringIO()):  # lpips prints its settings
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


def create_perceptual_distance(name: str) -> nn.Module:
    """``lpips-alex|lpips-vgg|lpips-squeeze`` (pretrained backbone), ``lpips-untrained``
    (random AlexNet backbone, LPIPS linear layers) or ``none``."""
    if name == "none":
        return NoDistance()
    if name == "lpips-untrained":
        return LpipsDistance("alex", pretrained_backbone=False)
    return LpipsDistance(name.removeprefix("lpips-"), pretrained_backbone=True)
