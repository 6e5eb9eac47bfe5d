"""StyleGAN2's layers (Karras et al., CVPR 2020), with rosinality ``stylegan2-pytorch``'s
parameter names so its state dicts load with ``strict=True``.

Facts from rosinality's ``model.py``: equalised learning rate stores weights as
N(0, 1) / ``lr_mul`` and scales them at run time by ``lr_mul / √fan_in`` (biases by
``lr_mul``); a modulated convolution scales its weight's input channels by the style
``s = A(w)`` (an equalised dense layer whose bias starts at 1), then, when
demodulating, divides each output channel's weights by ``√(Σ w² + 1e-8)``; an
upsampling convolution is a stride-2 transposed convolution followed by the blur
(pad 1, 1); noise is added as ``weight · noise`` before the bias and activation; ToRGB
is a 1×1 modulated convolution without demodulation plus a bias, and adds the
previous RGB image upsampled with the blur (pad 2, 1).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from gigs_stylegan2.ops import blur_kernel, fused_leaky_relu, upfirdn2d


class PixelNorm(nn.Module):
    """Each vector divided by the root of its mean square (over dimension 1)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(dim=1, keepdim=True) + 1e-8)


class EqualLinear(nn.Module):
    """A dense layer with equalised learning rate; ``activate`` adds the fused leaky ReLU."""

    def __init__(self, in_dim: int, out_dim: int, *, bias_init: float = 0.0, lr_mul: float = 1.0,
                 activate: bool = False) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_dim, in_dim) / lr_mul)
        self.bias = nn.Parameter(torch.full((out_dim,), float(bias_init)))
        self.scale = lr_mul / math.sqrt(in_dim)
        self.lr_mul = lr_mul
        self.activate = activate

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.activate:
            return fused_leaky_relu(F.linear(x, self.weight * self.scale), self.bias * self.lr_mul)
        return F.linear(x, self.weight * self.scale, self.bias * self.lr_mul)


class EqualConv2d(nn.Module):
    """A convolution without bias with equalised learning rate: weights stored N(0, 1), scaled
    by ``1 / √(in_channel · k²)`` at run time (the discriminator's; its biases sit in the
    activation that follows)."""

    def __init__(self, in_channel: int, out_channel: int, kernel_size: int, *, stride: int = 1,
                 padding: int = 0) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_channel, in_channel, kernel_size, kernel_size))
        self.scale = 1.0 / math.sqrt(in_channel * kernel_size ** 2)
        self.stride, self.padding = stride, padding

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight * self.scale, stride=self.stride, padding=self.padding)


class Blur(nn.Module):
    """The [1, 3, 3, 1] FIR filter with fixed padding (the kernel is a stored buffer)."""

    def __init__(self, pad: tuple[int, int], upsample_factor: int = 1) -> None:
        super().__init__()
        self.register_buffer("kernel", blur_kernel(upsample_factor))
        self.pad = pad

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return upfirdn2d(x, self.kernel, pad=self.pad)


class Upsample(nn.Module):
    """×2 upsampling: zero insertion, then the blur scaled by 4 (pad 2, 1)."""

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("kernel", blur_kernel(2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return upfirdn2d(x, self.kernel, up=2, pad=(2, 1))


class ModulatedConv2d(nn.Module):
    """A convolution whose input channels are scaled per sample by the style ``s = A(w)``.

    Computed without per-sample weights: the input is scaled by ``s``, convolved with the
    shared weight, and each output channel multiplied by its demodulation factor
    ``1 / √(Σ_{i,k} (scale · w_oik · s_i)² + 1e-8)``; this equals convolving with the
    modulated, demodulated weight of the paper (its Eq. 1 and 3).
    """

    def __init__(self, in_channel: int, out_channel: int, kernel_size: int, style_dim: int, *,
                 demodulate: bool = True, upsample: bool = False) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(1, out_channel, in_channel, kernel_size, kernel_size))
        self.modulation = EqualLinear(style_dim, in_channel, bias_init=1.0)
        self.scale = 1.0 / math.sqrt(in_channel * kernel_size ** 2)
        self.demodulate = demodulate
        self.upsample = upsample
        if upsample:
            self.blur = Blur(pad=(1, 1), upsample_factor=2)

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        styles = self.modulation(w)
        weight = self.weight[0] * self.scale
        x = x * styles[:, :, None, None]
        if self.upsample:
            out = self.blur(F.conv_transpose2d(x, weight.transpose(0, 1), stride=2))
        else:
            out = F.conv2d(x, weight, padding=weight.shape[-1] // 2)
        if self.demodulate:
            energy = styles.pow(2) @ weight.pow(2).sum(dim=(2, 3)).t()
            out = out * torch.rsqrt(energy + 1e-8)[:, :, None, None]
        return out


class NoiseInjection(nn.Module):
    """Adds ``weight · noise`` (one learned strength per layer)."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        return x + self.weight * noise


class FusedLeakyReLU(nn.Module):
    """Per-channel bias, leaky ReLU (0.2), gain √2."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return fused_leaky_relu(x, self.bias)


class StyledConv(nn.Module):
    """Modulated 3×3 convolution (optionally upsampling), noise, bias and activation."""

    def __init__(self, in_channel: int, out_channel: int, style_dim: int, *, upsample: bool = False) -> None:
        super().__init__()
        self.conv = ModulatedConv2d(in_channel, out_channel, 3, style_dim, upsample=upsample)
        self.noise = NoiseInjection()
        self.activate = FusedLeakyReLU(out_channel)

    def forward(self, x: torch.Tensor, w: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        return self.activate(self.noise(self.conv(x, w), noise))


class ToRGB(nn.Module):
    """1×1 modulated convolution to RGB (no demodulation) plus a bias; adds the previous
    level's RGB image upsampled when there is one."""

    def __init__(self, in_channel: int, style_dim: int, *, upsample: bool = True) -> None:
        super().__init__()
        if upsample:
            self.upsample = Upsample()
        self.conv = ModulatedConv2d(in_channel, 3, 1, style_dim, demodulate=False)
        self.bias = nn.Parameter(torch.zeros(1, 3, 1, 1))

    def forward(self, x: torch.Tensor, w: torch.Tensor, skip: torch.Tensor | None = None) -> torch.Tensor:
        out = self.conv(x, w) + self.bias
        return out if skip is None else out + self.upsample(skip)


class ConstantInput(nn.Module):
    """The learned 4×4 map the synthesis network starts from."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.input = nn.Parameter(torch.randn(1, channels, 4, 4))

    def forward(self, batch: int) -> torch.Tensor:
        return self.input.expand(batch, -1, -1, -1)
