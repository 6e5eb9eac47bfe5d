"""The two custom operations of StyleGAN2, in plain PyTorch (no compiled extension).

* :func:`upfirdn2d`: upsample by inserting zeros, pad, then convolve with a 2-D FIR
  filter (NVlabs' ``upfirdn2d`` with ``down = 1``, all the generator needs).
* :func:`fused_leaky_relu`: add a per-channel bias, leaky ReLU with slope 0.2,
  multiply by √2 (NVlabs' ``fused_bias_act`` with ``lrelu``; rosinality's CPU path).

The blur filter is the outer product of ``[1, 3, 3, 1]`` with itself, normalised to
sum 1 and, where it follows a ×2 upsampling, multiplied by 4 so a constant keeps its
value (facts from rosinality ``stylegan2-pytorch``, ``model.make_kernel``, ``Blur``,
``Upsample``).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

BLUR_TAPS = (1.0, 3.0, 3.0, 1.0)
LEAK = 0.2
ACTIVATION_GAIN = math.sqrt(2.0)


def blur_kernel(upsample_factor: int = 1) -> torch.Tensor:
    """The 4×4 blur filter, scaled by ``upsample_factor²`` (1: sums to 1)."""
    taps = torch.tensor(BLUR_TAPS)
    kernel = taps[:, None] * taps[None, :]
    return kernel / kernel.sum() * upsample_factor ** 2


def upfirdn2d(x: torch.Tensor, kernel: torch.Tensor, *, up: int = 1, pad: tuple[int, int] = (0, 0)) -> torch.Tensor:
    """``N×C×H×W`` → zero-insertion upsampling by ``up`` (sample ``i`` lands at ``up·i``),
    ``pad = (before, after)`` zeros on both axes, then the true convolution (flipped kernel)
    with ``kernel`` on each channel separately. Output size ``up·H + before + after − k + 1``."""
    n, c, h, w = x.shape
    if up > 1:
        spread = x.new_zeros(n, c, h, up, w, up)
        spread[:, :, :, 0, :, 0] = x
        x = spread.reshape(n, c, h * up, w * up)
    before, after = pad
    x = F.pad(x, (before, after, before, after))
    weight = kernel.flip(0, 1).to(x)[None, None].expand(c, 1, *kernel.shape)
    return F.conv2d(x, weight, groups=c)


def fused_leaky_relu(x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """``leaky_relu(x + bias, 0.2) · √2`` with one bias per channel (dimension 1)."""
    shape = (1, -1) + (1,) * (x.ndim - 2)
    return F.leaky_relu(x + bias.view(shape), LEAK) * ACTIVATION_GAIN
