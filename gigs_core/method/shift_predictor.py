"""The shift predictor Θs: a feature-extractor trunk (ResNet18 by default) with two
linear heads, one classifying which of the n shifts made an image, one
regressing the shift vector (after Voynov & Babenko 2020)."""

from __future__ import annotations

import copy
import logging

import torch
from torch import nn

logger = logging.getLogger(__name__)


class ShiftPredictor(nn.Module):
    """``images → (class logits n, the shift flattened: prod(latent_shape) values)``."""

    def __init__(self, trunk: nn.Module, feature_dim: int, num_shifts: int, shift_size: int):
        super().__init__()
        self.trunk = trunk
        self.class_head = nn.Linear(feature_dim, num_shifts)
        self.shift_head = nn.Linear(feature_dim, shift_size)

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.trunk(images)
        return self.class_head(features), self.shift_head(features)


def build_shift_predictor(trunk_name: str, trunk_options: dict, num_shifts: int, shift_size: int) -> ShiftPredictor:
    """A freshly (randomly) initialised predictor whose trunk is a registered feature extractor.
    Call under :func:`gigs_core.method.modules.seeded` for a reproducible initialisation."""
    from gigs_core.factories import create_feature_extractor

    trunk = create_feature_extractor(trunk_name, **trunk_options)
    return ShiftPredictor(trunk, trunk.feature_dim, num_shifts, shift_size)


class PredictorBatch(nn.Module):
    """One shift predictor per item of a batch, each trained only on its own item's images.

    ``vectorized``: the predictors run as one module over stacked weights (``torch.func.vmap``
    of a functional call), which pays off on GPUs; otherwise one after another. Both give the
    same losses and gradients up to rounding. A trunk that ``vmap`` cannot run (an operation
    without a batching rule) is found by a trial forward on ``image_shape`` zeros before any
    step, and runs one by one instead, with a log message.
    """

    def __init__(self, predictors: list[ShiftPredictor], *, vectorized: bool, image_shape: tuple[int, ...]):
        super().__init__()
        self.predictors = nn.ModuleList(predictors)
        self.vectorized = vectorized
        self.stacked: dict[str, torch.Tensor] = {}
        self.stacked_buffers: dict[str, torch.Tensor] = {}
        if vectorized:
            self._stack()
            self._check_vmap(image_shape)

    def _stack(self) -> None:
        from torch.func import replace_all_batch_norm_modules_, stack_module_state

        for predictor in self.predictors:  # they only train: batch statistics, no running ones to keep
            replace_all_batch_norm_modules_(predictor)
        parameters, buffers = stack_module_state(list(self.predictors))
        self.stacked = {name: value.detach().requires_grad_(True) for name, value in parameters.items()}
        self.stacked_buffers = buffers
        self.template = copy.deepcopy(self.predictors[0]).to("meta")

    def trainable(self) -> list[torch.Tensor]:
        """What the optimiser steps: the stacked weights, or every predictor's own."""
        return list(self.stacked.values()) if self.vectorized else list(self.predictors.parameters())

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``B × n × C × H × W`` images → (``B × n × n`` logits, ``B × n × shift_size`` shifts)."""
        if self.vectorized:
            return torch.func.vmap(self._functional)(self.stacked, self.stacked_buffers, images)
        outputs = [predictor(item_images) for predictor, item_images in zip(self.predictors, images)]
        return torch.stack([logits for logits, _ in outputs]), torch.stack([shifts for _, shifts in outputs])

    def _functional(self, parameters, buffers, images):
        return torch.func.functional_call(self.template, (parameters, buffers), (images,))

    def _check_vmap(self, image_shape: tuple[int, ...]) -> None:
        first = next(iter(self.stacked.values()))
        trial = first.new_zeros(len(self.predictors), *image_shape)
        try:
            with torch.no_grad():
                self(trial)
        except (RuntimeError, NotImplementedError) as error:
            logger.info("shift predictors run one by one: vmap cannot run this trunk (%s)", error)
            self.vectorized, self.stacked, self.stacked_buffers = False, {}, {}
