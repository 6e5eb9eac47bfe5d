"""CNN-F and the DVBPR recommender module.

Variants of φ (``variant=``):

``cnnf``
    Kang et al.'s CNN-F at 224×224, with TensorFlow "SAME" padding as in the
    official TF code: conv 11×11×64 stride 4 → maxpool 2 → conv 5×5×256 →
    maxpool 2 → conv 3×3×256 ×3 → maxpool 2 → FC 7·7·256→4096 → 4096 → K.
``cnnf-aip``
    The same weights with the geometry of the PyTorch port the GIGS authors
    used (``pthDVBPR``): conv1 unpadded, last maxpool padded by 1. Use it for
    their checkpoints so φ matches theirs exactly.
``cnnf-small``
    A scaled-down CNN-F for 32–64 px images (Fashion-MNIST): the same layer
    pattern (5 convs, 3 max-pools, 3 FCs, ReLU, dropout after FC1/FC2) with
    conv 5×5×32 stride 1 → maxpool 2 → conv 3×3×64 → maxpool 2 → conv 3×3×64 ×3
    → maxpool 2 → FC (s/8)²·64→512 → 512 → K (s = input size, 32 by default;
    about 15 M multiply-adds per 32-px image versus about 1.2 G for ``cnnf``).

All layers are named ``conv1..conv5``, ``fc1..fc3``, as in ``pthDVBPR``.
Dropout (0.5) after FC1 and FC2 is active only in training mode.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from gigs_core.imaging import resize, to_channels
from gigs_core.method.linear_preference import LinearPreferenceMixin

VARIANTS = ("cnnf", "cnnf-aip", "cnnf-small")
NORMALIZATIONS = {
    # name: (mean, std) applied to [0, 1] RGB
    "dvbpr": ((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),  # (255x − 127.5)/127.5, Kang et al.
    "aip": ((0.6949, 0.6748, 0.6676), (0.3102, 0.3220, 0.3252)),  # the GIGS authors' DVBPRtrain.py
    "unit": ((0.0, 0.0, 0.0), (1.0, 1.0, 1.0)),  # [0, 1] as is
}
DEFAULT_INPUT_SIZE = {"cnnf": 224, "cnnf-aip": 224, "cnnf-small": 32}


def _same_pad(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TensorFlow SAME padding (before, after) of one spatial dimension."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def spatial_side(variant: str, input_size: int) -> int:
    """The side of the last feature map (what FC1 sees) for ``input_size``-pixel inputs."""
    s = input_size
    if variant == "cnnf-aip":
        s = (s - 11) // 4 + 1  # conv1: 11×11 stride 4, unpadded
        s = s // 2  # pool
        s = s // 2  # conv2 (pad 2) keeps size; pool
        return (s + 2 - 2) // 2 + 1  # conv3-5 keep size; pool with padding 1
    s = math.ceil(s / (1 if variant == "cnnf-small" else 4))
    for _ in range(3):
        s = math.ceil(s / 2)
    return s


def input_sizes_for(variant: str, fc1_inputs: int, last_width: int = 256) -> list[int]:
    """Input sizes (16–1024 px) whose last feature map gives FC1 ``fc1_inputs`` numbers."""
    return [s for s in range(16, 1025) if spatial_side(variant, s) ** 2 * last_width == fc1_inputs]


class CNNF(nn.Module):
    """φ: N×3×s×s normalised images → N×K features (see the module docstring)."""

    def __init__(self, k: int = 100, variant: str = "cnnf", input_size: int | None = None, dropout: float = 0.5):
        super().__init__()
        if variant not in VARIANTS:
            raise ValueError(f"unknown CNN-F variant {variant!r}; variants: {', '.join(VARIANTS)}")
        self.variant = variant
        self.input_size = int(input_size or DEFAULT_INPUT_SIZE[variant])
        self.dropout = float(dropout)
        s = self.input_size
        if variant == "cnnf-small":
            widths, kernels, hidden = (32, 64, 64, 64, 64), (5, 3, 3, 3, 3), 512
            self._stride1 = 1
        else:
            widths, kernels, hidden = (64, 256, 256, 256, 256), (11, 5, 3, 3, 3), 4096
            self._stride1 = 4
        self._kernels = kernels
        self.conv1 = nn.Conv2d(3, widths[0], kernels[0], stride=self._stride1)
        self.conv2 = nn.Conv2d(widths[0], widths[1], kernels[1])
        self.conv3 = nn.Conv2d(widths[1], widths[2], kernels[2])
        self.conv4 = nn.Conv2d(widths[2], widths[3], kernels[3])
        self.conv5 = nn.Conv2d(widths[3], widths[4], kernels[4])
        side = spatial_side(variant, s)
        if side < 1:
            raise ValueError(f"input size {s} is too small for variant {variant!r}")
        self.flat = side * side * widths[4]
        self.fc1 = nn.Linear(self.flat, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.fc3 = nn.Linear(hidden, k)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Xavier-uniform weights and zero biases (Kang et al.)."""
        for module in self.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                nn.init.xavier_uniform_(module.weight)
                nn.init.zeros_(module.bias)

    def _conv_same(self, conv: nn.Conv2d, x: torch.Tensor) -> torch.Tensor:
        kh, kw = conv.kernel_size
        stride = conv.stride[0]
        top, bottom = _same_pad(x.shape[-2], kh, stride)
        left, right = _same_pad(x.shape[-1], kw, stride)
        return conv(F.pad(x, (left, right, top, bottom)))

    @staticmethod
    def _pool_same(x: torch.Tensor) -> torch.Tensor:
        # TF SAME max-pooling (2×2, stride 2) never counts padding: ceil mode does the same.
        return F.max_pool2d(x, 2, 2, ceil_mode=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.variant == "cnnf-aip":
            x = F.max_pool2d(F.relu(self.conv1(x)), 2, 2)
            x = F.max_pool2d(F.relu(F.conv2d(x, self.conv2.weight, self.conv2.bias, padding=2)), 2, 2)
            x = F.relu(F.conv2d(x, self.conv3.weight, self.conv3.bias, padding=1))
            x = F.relu(F.conv2d(x, self.conv4.weight, self.conv4.bias, padding=1))
            x = F.max_pool2d(F.relu(F.conv2d(x, self.conv5.weight, self.conv5.bias, padding=1)), 2, 2, padding=1)
        else:
            x = self._pool_same(F.relu(self._conv_same(self.conv1, x)))
            x = self._pool_same(F.relu(self._conv_same(self.conv2, x)))
            x = F.relu(self._conv_same(self.conv3, x))
            x = F.relu(self._conv_same(self.conv4, x))
            x = self._pool_same(F.relu(self._conv_same(self.conv5, x)))
        x = x.flatten(1)
        x = F.dropout(F.relu(self.fc1(x)), self.dropout, self.training)
        x = F.dropout(F.relu(self.fc2(x)), self.dropout, self.training)
        return self.fc3(x)


class DVBPR(LinearPreferenceMixin, nn.Module):
    """The DVBPR recommender: preference x_{u,i} = θ_uᵀ φ(X_i).

    Takes [0, 1] images of any size with 1 or 3 channels; converts them to RGB,
    resizes to the variant's input size and normalises them (``normalization``:
    ``dvbpr`` = [−1, 1], ``aip`` = the GIGS authors' mean/std, ``unit`` = none).
    """

    def __init__(
        self,
        num_users: int,
        k: int = 100,
        variant: str = "cnnf",
        input_size: int | None = None,
        normalization: str = "dvbpr",
        dropout: float = 0.5,
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        if num_users < 1:
            raise ValueError("DVBPR needs at least one user")
        if normalization not in NORMALIZATIONS:
            raise ValueError(f"unknown normalization {normalization!r}; choose from {', '.join(NORMALIZATIONS)}")
        self.k = int(k)
        self.normalization = normalization
        self.cnn = CNNF(k=k, variant=variant, input_size=input_size, dropout=dropout)
        # θ ~ U(0, 1/100), as in Kang et al.
        self.theta = nn.Parameter(torch.rand(num_users, k, generator=generator) / 100.0)
        mean, std = NORMALIZATIONS[normalization]
        self.register_buffer("mean", torch.tensor(mean).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(std).view(1, 3, 1, 1), persistent=False)

    @property
    def num_users(self) -> int:  # type: ignore[override]
        return self.theta.shape[0]

    @property
    def variant(self) -> str:
        return self.cnn.variant

    @property
    def input_size(self) -> int:
        return self.cnn.input_size

    def config(self) -> dict[str, Any]:
        """What rebuilds this module (stored beside its safetensors checkpoint)."""
        return {
            "model": "dvbpr",
            "num_users": self.num_users,
            "k": self.k,
            "variant": self.variant,
            "input_size": self.input_size,
            "normalization": self.normalization,
            "dropout": self.cnn.dropout,
        }

    def preprocess(self, images: torch.Tensor) -> torch.Tensor:
        images = to_channels(images, 3)
        images = resize(images, self.input_size)
        return (images - self.mean.to(images)) / self.std.to(images)

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """N×K φ of [0, 1] images."""
        return self.cnn(self.preprocess(images))

    def user_embeddings(self, users: torch.Tensor) -> torch.Tensor:
        users = self.check_users(users)
        return self.theta[users.to(self.theta.device)]
