"""Registers the ``timm`` feature extractor. timm is imported only when one is built."""

from __future__ import annotations

from gigs_core import hookimpl
from gigs_core.options import CheckpointOptions


class TimmOptions(CheckpointOptions):
    """Options of the ``timm`` feature extractor."""

    model: str = "resnet18"
    """Any timm architecture name (``timm.list_models()``)."""
    pretrained: bool = False
    """Load timm's pretrained weights from the local Hugging Face cache (never downloads in tests)."""
    input_size: int | None = None
    """Resize images to this square size first; ``None`` keeps their size."""


def build_timm(options: TimmOptions):
    from gigs_timm.extractor import TimmFeatureExtractor

    return TimmFeatureExtractor.from_options(options)


@hookimpl
def register_feature_extractors(register):
    register(
        "timm",
        TimmOptions,
        build_timm,
        description="Any timm backbone's pooled features (resnet18 by default, random init unless pretrained).",
    )


def build_perceptual(argument: str):
    from gigs_timm.perceptual import TimmFeatureDistance

    return TimmFeatureDistance(argument)


@hookimpl
def register_perceptual_distances(register):
    register("timm", build_perceptual, takes_argument=True,
             description="LPIPS-style distance (unit-normalised feature maps, mean over levels, no learned weights) "
                         "in a timm backbone: 'timm:MODEL' (pretrained, Hugging Face cache only), "
                         "'timm:MODEL:random' or 'timm:MODEL:FILE'")
