"""The StyleGAN2 generator network, whose ``state_dict`` is rosinality ``stylegan2-pytorch``'s
``Generator`` state dict key for key (``style.*``, ``input.input``, ``conv1.*``,
``to_rgb1.*``, ``convs.*``, ``to_rgbs.*``, ``noises.noise_*``).

Facts from rosinality's ``model.py``: ``style`` is ``[PixelNorm, EqualLinear × n_mlp]``
with ``lr_mul = 0.01`` and the fused leaky ReLU; the synthesis network reads W+ row
0 in ``conv1``, row 1 in ``to_rgb1``, then rows ``2j+1``, ``2j+2``, ``2j+3`` in level
``j``'s upsampling convolution, second convolution and ToRGB; the styled convolutions
take the stored noise images ``noise_0, noise_1, …`` in order; the output is the last
ToRGB's RGB image, roughly in ``[-1, 1]``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from gigs_stylegan2.architecture import Architecture
from gigs_stylegan2.layers import ConstantInput, EqualLinear, PixelNorm, StyledConv, ToRGB

MAPPING_LR_MUL = 0.01


class StyleGan2Network(nn.Module):
    """Mapping ``z → w`` (:meth:`mapping`) and synthesis ``W+ → image`` (:meth:`synthesis`)."""

    def __init__(self, arch: Architecture) -> None:
        super().__init__()
        self.arch = arch
        dim = arch.style_dim
        self.style = nn.Sequential(PixelNorm(), *[EqualLinear(dim, dim, lr_mul=MAPPING_LR_MUL, activate=True)
                                                  for _ in range(arch.n_mlp)])
        first = arch.channels[0]
        self.input = ConstantInput(first)
        self.conv1 = StyledConv(first, first, dim)
        self.to_rgb1 = ToRGB(first, dim, upsample=False)
        self.convs = nn.ModuleList()
        self.to_rgbs = nn.ModuleList()
        for previous, channels in zip(arch.channels, arch.channels[1:]):
            self.convs.append(StyledConv(previous, channels, dim, upsample=True))
            self.convs.append(StyledConv(channels, channels, dim))
            self.to_rgbs.append(ToRGB(channels, dim))
        self.noises = nn.Module()
        for layer in range(arch.noise_layers):
            size = 4 * 2 ** ((layer + 1) // 2)
            self.noises.register_buffer(f"noise_{layer}", torch.randn(1, 1, size, size))

    def mapping(self, z: torch.Tensor) -> torch.Tensor:
        """``N × style_dim`` noise → ``N × style_dim`` intermediate latents w."""
        return self.style(z)

    def stored_noise(self) -> list[torch.Tensor]:
        """The noise images ``noise_0, noise_1, …`` (``1 × 1 × H × W``), one per styled convolution."""
        return [getattr(self.noises, f"noise_{layer}") for layer in range(self.arch.noise_layers)]

    def synthesis(self, w_plus: torch.Tensor, noise: Sequence[torch.Tensor] | None = None) -> torch.Tensor:
        """``N × n_latent × style_dim`` → native ``N × 3 × size × size`` images (about ``[-1, 1]``).
        ``noise`` replaces the stored noise images (``N × 1 × H × W`` each, shaped as
        :meth:`stored_noise`): training draws fresh noise at every step."""
        noise = self.stored_noise() if noise is None else list(noise)
        x = self.conv1(self.input(w_plus.shape[0]), w_plus[:, 0], noise[0])
        rgb = self.to_rgb1(x, w_plus[:, 1])
        for level, to_rgb in enumerate(self.to_rgbs):
            row = 2 * level + 1
            x = self.convs[2 * level](x, w_plus[:, row], noise[row])
            x = self.convs[2 * level + 1](x, w_plus[:, row + 1], noise[row + 1])
            rgb = to_rgb(x, w_plus[:, row + 2], rgb)
        return rgb

    def extra_repr(self) -> str:
        a = self.arch
        return f"size={a.size}, style_dim={a.style_dim}, n_mlp={a.n_mlp}, channels={list(a.channels)}"
