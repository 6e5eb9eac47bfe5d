"""The ``timm:MODEL`` perceptual distance: LPIPS-style distance in a timm backbone's feature maps.

For each feature level the backbone gives (``forward_intermediates``: the stem
and every stage of a CNN, e.g. five maps for a ResNet), the activations are
unit-normalised over channels at every position, as LPIPS does (Zhang et al.,
CVPR 2018, eq. 1); the level's distance is the squared difference summed over
channels and averaged over positions. The distance is the mean over levels,
with equal weights (LPIPS's learned per-channel weights exist only for its own
AlexNet/VGG/SqueezeNet backbones). It is zero for identical images, symmetric
and non-negative; images keep their size (grey is repeated to RGB and the
backbone's mean/std applied), the backbone runs in evaluation mode with frozen
weights, and gradients flow to the images.

The argument is ``MODEL`` (timm's pretrained weights, from the local Hugging Face
cache only), ``MODEL:random`` (random weights drawn from a fixed seed, so the
distance means the same in every run) or ``MODEL:FILE`` (a state-dict file).
"""

from __future__ import annotations

import torch

from gigs_core import create_feature_extractor
from gigs_core.errors import UserInputError
from gigs_core.method.perceptual import FeatureDistance, unit_normalised

#: The seed of ``MODEL:random``'s weights.
RANDOM_WEIGHTS_SEED = 0


def timm_options(argument: str) -> dict:
    """The ``timm`` feature extractor's options for a ``timm:`` distance argument."""
    model, _, weights = argument.partition(":")
    if not model:
        raise UserInputError(f"perceptual 'timm:{argument}' names no model; use timm:MODEL, timm:MODEL:random "
                             "or timm:MODEL:FILE (e.g. timm:resnet18)")
    if not weights:
        return {"model": model, "pretrained": True}
    if weights == "random":
        return {"model": model}
    return {"model": model, "checkpoint": weights}


class TimmFeatureDistance(FeatureDistance):
    """Per-image LPIPS-style distance between two ``N×C×H×W`` batches in ``[0, 1]`` (see the module docstring)."""

    def __init__(self, argument: str):
        super().__init__()
        self.argument = argument
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(RANDOM_WEIGHTS_SEED)
            self.extractor = create_feature_extractor("timm", **timm_options(argument))
        self.extractor.eval().requires_grad_(False)
        if not hasattr(self.extractor.backbone, "forward_intermediates"):
            raise UserInputError(f"timm model {argument.partition(':')[0]!r} cannot give its intermediate feature maps; "
                                 "choose a CNN such as resnet18 for the timm perceptual distance")

    def train(self, mode: bool = True) -> TimmFeatureDistance:
        """Stays in evaluation mode: BatchNorm must not use batch statistics in a distance."""
        return super().train(False)

    def features(self, images: torch.Tensor) -> list[torch.Tensor]:
        """The backbone's feature maps of ``images``, each unit-normalised over channels."""
        maps = self.extractor.backbone.forward_intermediates(self.extractor.prepare(images), intermediates_only=True)
        return [unit_normalised(level) for level in maps]

    def distance_from(self, features: list[torch.Tensor], images: torch.Tensor) -> torch.Tensor:
        per_level = [(a - b).pow(2).sum(dim=1).mean(dim=(1, 2)) for a, b in zip(features, self.features(images))]
        return torch.stack(per_level, dim=1).mean(dim=1)
