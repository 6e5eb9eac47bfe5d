"""Building a new VBPR: its timm backbone comes from the registry's ``timm`` feature extractor."""

from __future__ import annotations

from pathlib import Path

import torch

from gigs_core import create_feature_extractor
from gigs_vbpr.model import VBPR
from gigs_vbpr.plugin import VbprOptions

#: The defaults of the ``vbpr-timm`` options, written down once (in the options model).
DEFAULTS = VbprOptions()


def default_input_size(model: str) -> int:
    """The square input size of ``model``'s pretrained config in timm (224 for resnet18)."""
    from timm.models import get_pretrained_cfg

    config = get_pretrained_cfg(model)
    return int(config.input_size[-1]) if config is not None else 224


def build_backbone(model: str, *, input_size: int, pretrained: bool = False, checkpoint: str | Path | None = None,
                   seed: int = 0) -> torch.nn.Module:
    """The ``timm`` feature extractor in evaluation mode; random initial weights are drawn from ``seed``
    without touching the global random state."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        backbone = create_feature_extractor("timm", model=model, pretrained=pretrained, checkpoint=checkpoint,
                                            input_size=input_size)
    return backbone.eval()


def new_vbpr(num_users: int, *, model: str = DEFAULTS.model, pretrained: bool = DEFAULTS.pretrained,
             backbone_checkpoint: str | Path | None = None, input_size: int | None = None, k: int = DEFAULTS.k,
             seed: int = DEFAULTS.seed) -> VBPR:
    """An untrained VBPR for ``num_users`` users on a timm backbone (pretrained weights from the
    Hugging Face cache, a state-dict file, or random ones drawn from ``seed``)."""
    size = input_size or default_input_size(model)
    backbone = build_backbone(model, input_size=size, pretrained=pretrained, checkpoint=backbone_checkpoint, seed=seed)
    return VBPR(backbone, num_users, k=k, backbone_model=model, input_size=size,
                generator=torch.Generator().manual_seed(seed)).eval()
