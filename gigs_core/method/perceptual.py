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


class LpipsDistance(nn.Module):
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

    def forward(self, first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
        if first.shape[1] == 1:
            first, second = first.expand(-1, 3, -1, -1), second.expand(-1, 3, -1, -1)
        return self.model(first, second, normalize=True).flatten()


class NoDistance(nn.Module):
    """The ``none`` choice: zero perceptual distance (MSE-only inversion)."""

    def forward(self, first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
        return first.new_zeros(first.shape[0])


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
