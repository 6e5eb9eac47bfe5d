"""Perceptual distances for inversion: LPIPS from the ``lpips`` package.

LPIPS's linear layers ship with the package, but its backbone (AlexNet, VGG16
or SqueezeNet) comes from torchvision's download cache. gigs never downloads:
a backbone that is not in ``$TORCH_HOME/hub/checkpoints`` is an error naming
the file, unless the user explicitly chose ``lpips-untrained`` (random
backbone), ``none``, or a distance another plugin registered (the domain
classifier's ``domain:PATH``). The choice is recorded in every result.
:func:`lpips_available` lets a caller (the demo) prefer LPIPS-alex when its
weights are cached and fall back openly.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Callable
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


#: The seed of ``lpips-untrained``'s random backbone: one fixed network, so that the distance
#: means the same in every run, item and process, whatever the global random state.
RANDOM_BACKBONE_SEED = 0


def unit_normalised(features: torch.Tensor) -> torch.Tensor:
    """Feature maps ``N×C×H×W`` scaled to unit length over channels at every position (as LPIPS does)."""
    return features / (features.pow(2).sum(dim=1, keepdim=True).sqrt() + 1e-10)


class FeatureDistance(nn.Module):
    """A distance computed from each image's features: a subclass defines ``features(images)``
    and ``distance_from(features, images)``; this gives the module's ``forward`` and a
    ``distance_to(targets)`` that computes the targets' features once."""

    def features(self, images: torch.Tensor) -> list[torch.Tensor]:
        raise NotImplementedError

    def distance_from(self, features: list[torch.Tensor], images: torch.Tensor) -> torch.Tensor:
        """``N`` distances from the images whose features are ``features`` to ``images``."""
        raise NotImplementedError

    def distance_to(self, targets: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
        """``images → N`` distances to fixed ``targets``, whose features are computed once."""
        with torch.no_grad():
            features = self.features(targets)
        return lambda images: self.distance_from(features, images)

    def forward(self, first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
        return self.distance_from(self.features(first), second)


class LpipsDistance(FeatureDistance):
    """Per-image LPIPS between ``[0, 1]`` image batches (grey images are repeated to RGB).
    Without ``pretrained_backbone`` the backbone is random, drawn from ``RANDOM_BACKBONE_SEED``."""

    def __init__(self, net: str = "vgg", pretrained_backbone: bool = True):
        super().__init__()
        import lpips

        if pretrained_backbone and not backbone_path(net).is_file():
            raise MissingWeightsError(
                f"LPIPS-{net} needs the torchvision ImageNet weights {BACKBONE_FILES[net]!r} in "
                f"{backbone_path(net).parent} (set TORCH_HOME to move it); copy the file there, or choose "
                f"perceptual 'lpips-untrained' or 'none' explicitly"
            )
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings(), torch.random.fork_rng(devices=[]):
            torch.manual_seed(RANDOM_BACKBONE_SEED)
            # lpips prints its settings and calls torchvision's deprecated `pretrained=` argument
            warnings.filterwarnings("ignore", category=UserWarning, module="torchvision")
            self.model = lpips.LPIPS(net=net, pretrained=True, pnet_rand=not pretrained_backbone, verbose=False)
        self.model.eval().requires_grad_(False)

    def features(self, images: torch.Tensor) -> list[torch.Tensor]:
        """LPIPS's unit-normalised backbone activations of ``[0, 1]`` images, as ``lpips.LPIPS.forward``
        computes them with ``normalize=True`` (``[0, 1]`` mapped to ``[-1, 1]``, then its scaling layer)."""
        from lpips import normalize_tensor

        if images.shape[1] == 1:
            images = images.expand(-1, 3, -1, -1)
        return [normalize_tensor(layer) for layer in self.model.net(self.model.scaling_layer(2 * images - 1))]

    def distance_from(self, features: list[torch.Tensor], images: torch.Tensor) -> torch.Tensor:
        """Per layer, LPIPS's learned linear layer on the squared difference, spatially averaged;
        summed over layers."""
        from lpips.lpips import spatial_average

        total = 0
        for linear, theirs, ours in zip(self.model.lins, features, self.features(images)):
            total = total + spatial_average(linear((theirs - ours) ** 2))
        return total.flatten()


class NoDistance(nn.Module):
    """The ``none`` choice: zero perceptual distance (MSE-only inversion)."""

    def forward(self, first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
        return first.new_zeros(first.shape[0])


def distance_to(distance: nn.Module, targets: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
    """``images → N`` distances to fixed ``targets``: the module's own ``distance_to(targets)`` when it
    has one (the targets' features computed once), else ``distance(targets, images)`` on every call."""
    if hasattr(distance, "distance_to"):
        return distance.distance_to(targets)
    return lambda images: distance(targets, images)


def lpips_available(net: str = "alex") -> bool:
    """Whether LPIPS-``net``'s backbone weights are in the torch hub cache (nothing is downloaded)."""
    return backbone_path(net).is_file()


def _split(name: str) -> tuple[str, str | None]:
    head, sep, argument = name.partition(":")
    return head, (argument if sep else None)


def check_perceptual_name(name: str) -> str:
    """``name`` if it names a registered perceptual distance (``NAME`` or ``NAME:ARGUMENT``),
    else a ``ValueError`` listing the valid ones."""
    from gigs_core import extensions

    registered = extensions.perceptual_distances()
    head, argument = _split(name)
    entry = registered.get(head)
    if entry is not None and entry.extra["takes_argument"] == (argument is not None) and argument != "":
        return name
    valid = ", ".join(f"{key}:…" if e.extra["takes_argument"] else key for key, e in sorted(registered.items()))
    raise ValueError(f"perceptual must be one of {valid}, not {name!r}")


def create_perceptual_distance(name: str) -> nn.Module:
    """The registered perceptual distance ``NAME`` (or ``NAME:ARGUMENT``), e.g. ``lpips-vgg``."""
    from gigs_core import extensions

    head, argument = _split(check_perceptual_name(name))
    return extensions.perceptual_distances()[head].value(argument)
