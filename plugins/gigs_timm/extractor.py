"""A timm backbone as a gigs FeatureExtractor."""

from __future__ import annotations

import torch
from torch import nn

from gigs_core.checkpoints import load_state_dict_file
from gigs_core.errors import UserInputError
from gigs_core.imaging import resize, to_channels


class TimmFeatureExtractor(nn.Module):
    """Pooled features of a timm model; inputs are ``[0, 1]`` images, normalised
    with the mean/std that travel with the model's pretrained config."""

    def __init__(self, backbone: nn.Module, input_size: int | None = None):
        super().__init__()
        self.backbone = backbone
        self.input_size = input_size
        # num_features is not always the pooled output's size (e.g. MobileNetV3's head), so measure it.
        was_training = backbone.training
        with torch.no_grad():
            self.feature_dim = int(backbone.eval()(torch.zeros(1, 3, 64, 64)).shape[1])
        backbone.train(was_training)
        config = getattr(backbone, "pretrained_cfg", {}) or {}
        mean = config.get("mean", (0.485, 0.456, 0.406))
        std = config.get("std", (0.229, 0.224, 0.225))
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1), persistent=False)

    @classmethod
    def from_options(cls, options) -> TimmFeatureExtractor:
        import timm

        from gigs_timm.hub_cache import cached_state_dict

        if options.model not in timm.list_models(options.model):
            raise UserInputError(f"timm has no model {options.model!r}; see timm.list_models()")
        # timm applies its own key filters and drops the classifier when handed the state dict itself.
        overlay = {"state_dict": cached_state_dict(options.model)} if options.pretrained else None
        backbone = timm.create_model(options.model, pretrained=options.pretrained, num_classes=0,
                                     pretrained_cfg_overlay=overlay)
        if options.checkpoint is not None:
            load_state_dict_file(backbone, options.checkpoint, ignore_prefixes=("fc.", "head.", "classifier."))
        return cls(backbone, options.input_size)

    def prepare(self, images: torch.Tensor) -> torch.Tensor:
        """``[0, 1]`` images as the backbone takes them: resized, RGB, normalised."""
        if self.input_size is not None:
            images = resize(images, self.input_size)
        images = to_channels(images, 3)
        return (images - self.mean.to(images.dtype)) / self.std.to(images.dtype)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.backbone(self.prepare(images))
