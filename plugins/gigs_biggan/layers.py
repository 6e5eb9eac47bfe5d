"""BigGAN's building blocks with the parameter names of ``pytorch-pretrained-BigGAN``, so its
``pytorch_model.bin`` loads with ``strict=True``.

Facts from ``pytorch_pretrained_biggan/model.py`` (PyPI 0.1.1), written anew here:

* spectral norm is ``torch.nn.utils.spectral_norm``'s state: ``weight_orig`` with the
  buffers ``weight_u`` and ``weight_v``; at inference the weight is
  ``weight_orig / (uᵀ W v)`` with ``W`` the weight flattened to ``out × rest`` (no power
  iteration: the stored vectors are used as they are);
* batch norm uses no batch statistics: ``running_means``/``running_vars`` hold
  ``n_stats`` rows, one per truncation ``i / (n_stats − 1)``; a truncation between two
  rows mixes them with the *fractional part weighting the lower row* (see
  :func:`statistics_at`); conditional batch norm scales by ``1 + scale(c)`` and shifts by
  ``offset(c)`` (spectral-norm linear maps of the condition vector ``c``, no bias);
* self-attention: 1×1 convolutions θ, φ (C/8), g (C/2) and o (back to C), φ and g
  max-pooled 2×2, softmax over the pooled positions, added with the learnt ``gamma``.

Training (``gigs_biggan.training``) adds what inference never needs: in training mode a
batch norm normalises by the batch's own statistics, and the trainer advances every
spectral-norm estimate by one power-iteration step per optimiser step.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class SpectralNormWeight(nn.Module):
    """A weight stored as ``weight_orig`` and divided by its spectral norm estimate uᵀ W v."""

    def __init__(self, weight_shape: tuple[int, ...]):
        super().__init__()
        self.weight_orig = nn.Parameter(torch.empty(weight_shape))
        nn.init.kaiming_uniform_(self.weight_orig, a=math.sqrt(5))  # torch's default for linear and conv layers
        rows, columns = weight_shape[0], math.prod(weight_shape[1:])
        self.register_buffer("weight_u", torch.zeros(rows))
        self.register_buffer("weight_v", torch.zeros(columns))

    def normalized_weight(self) -> torch.Tensor:
        matrix = self.weight_orig.flatten(1)
        sigma = torch.dot(self.weight_u, torch.mv(matrix, self.weight_v))
        return self.weight_orig / sigma

    @torch.no_grad()
    def power_iteration(self) -> None:
        """One step of the power method on the stored vectors (training: v ← Wᵀu/‖·‖, u ← Wv/‖·‖,
        as ``torch.nn.utils.spectral_norm`` does once per training forward pass)."""
        matrix = self.weight_orig.flatten(1)
        self.weight_v.copy_(F.normalize(torch.mv(matrix.t(), self.weight_u), dim=0, eps=1e-12))
        self.weight_u.copy_(F.normalize(torch.mv(matrix, self.weight_v), dim=0, eps=1e-12))

    @torch.no_grad()
    def set_singular_vectors(self) -> None:
        """Store the exact leading singular vectors (a fresh model's start; uᵀ W v = σ₁ > 0)."""
        left, _, right = torch.linalg.svd(self.weight_orig.flatten(1), full_matrices=False)
        self.weight_u.copy_(left[:, 0])
        self.weight_v.copy_(right[0])


class SNLinear(SpectralNormWeight):
    def __init__(self, in_features: int, out_features: int, bias: bool = True):
        super().__init__((out_features, in_features))
        self.bias = nn.Parameter(torch.zeros(out_features)) if bias else None

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return F.linear(inputs, self.normalized_weight(), self.bias)


class SNConv2d(SpectralNormWeight):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, bias: bool = True):
        super().__init__((out_channels, in_channels, kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None
        self.padding = kernel_size // 2

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return F.conv2d(inputs, self.normalized_weight(), self.bias, padding=self.padding)


def statistics_at(rows: torch.Tensor, truncation: float) -> torch.Tensor:
    """The statistics for ``truncation`` from ``n_stats`` rows stored for ``i / (n_stats − 1)``.

    Exactly the reference's rule, float arithmetic included: ``position = truncation / step``
    with ``step = 1 / (n_stats − 1)``, split into fraction ``f`` and row ``i``; ``f = 0`` takes
    row ``i``, otherwise ``f · row[i] + (1 − f) · row[i + 1]``. The fraction weights the
    lower row (not the nearer one); kept so that the same weights give the same images."""
    step = 1.0 / (rows.shape[0] - 1)
    fraction, index = math.modf(truncation / step)
    index = int(index)
    if fraction == 0.0:
        return rows[index]
    return rows[index] * fraction + rows[index + 1] * (1 - fraction)


class TruncationBatchNorm(nn.Module):
    """Batch norm with stored statistics chosen by the truncation; conditional (gain and bias
    from the condition vector) when ``condition_dim`` is given, else with learnt ``weight``/``bias``."""

    def __init__(self, num_features: int, n_stats: int, eps: float, condition_dim: int | None = None):
        super().__init__()
        self.eps = eps
        self.register_buffer("running_means", torch.zeros(n_stats, num_features))
        self.register_buffer("running_vars", torch.ones(n_stats, num_features))
        self.conditional = condition_dim is not None
        if self.conditional:
            self.scale = SNLinear(condition_dim, num_features, bias=False)
            self.offset = SNLinear(condition_dim, num_features, bias=False)
        else:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))

    def forward(self, inputs: torch.Tensor, truncation: float, condition: torch.Tensor | None = None) -> torch.Tensor:
        if self.training:  # gigs's trainer: the batch's own statistics (the stored rows are filled after training)
            mean, variance = inputs.mean(dim=(0, 2, 3)), inputs.var(dim=(0, 2, 3), unbiased=False)
        else:
            mean, variance = statistics_at(self.running_means, truncation), statistics_at(self.running_vars, truncation)
        inverse_std = torch.rsqrt(variance + self.eps)
        if self.conditional:
            gain, bias = 1 + self.scale(condition), self.offset(condition)
        else:
            gain, bias = self.weight.unsqueeze(0), self.bias.unsqueeze(0)
        normalized = (inputs - mean.view(1, -1, 1, 1)) * inverse_std.view(1, -1, 1, 1)
        return normalized * gain[:, :, None, None] + bias[:, :, None, None]


class SelfAttention(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.snconv1x1_theta = SNConv2d(channels, channels // 8, 1, bias=False)
        self.snconv1x1_phi = SNConv2d(channels, channels // 8, 1, bias=False)
        self.snconv1x1_g = SNConv2d(channels, channels // 2, 1, bias=False)
        self.snconv1x1_o_conv = SNConv2d(channels // 2, channels, 1, bias=False)
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        batch, _, height, width = features.shape
        queries = self.snconv1x1_theta(features).flatten(2)                      # N × C/8 × HW
        keys = F.max_pool2d(self.snconv1x1_phi(features), 2).flatten(2)          # N × C/8 × HW/4
        values = F.max_pool2d(self.snconv1x1_g(features), 2).flatten(2)          # N × C/2 × HW/4
        attention = torch.softmax(queries.transpose(1, 2) @ keys, dim=-1)        # N × HW × HW/4
        attended = (values @ attention.transpose(1, 2)).view(batch, -1, height, width)
        return features + self.gamma * self.snconv1x1_o_conv(attended)
