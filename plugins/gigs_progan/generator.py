"""The ProGAN generator (Karras et al., ICLR 2018) behind gigs' ``progan`` backend."""

from __future__ import annotations

import torch
from torch import nn

from gigs_core.method.latent import StandardNormalLatent
from gigs_progan.architecture import Architecture
from gigs_progan.layers import EqualizedConv2d, LatentToMap, pixel_norm, upscale


class _UpBlock(nn.Module):
    """×2 upsample, then two 3×3 convolutions, each followed by leaky ReLU and pixel norm."""

    def __init__(self, in_features: int, out_features: int, arch: Architecture) -> None:
        super().__init__()
        self.conv1 = EqualizedConv2d(in_features, out_features, 3, padding=1, equalized=arch.equalized)
        self.conv2 = EqualizedConv2d(out_features, out_features, 3, padding=1, equalized=arch.equalized)


class ProGanGenerator(StandardNormalLatent, nn.Module):
    """``z ∈ R^latent_dim → image``; :meth:`forward` returns ``[0, 1]`` images.

    :meth:`synthesize` gives the native output (roughly ``[-1, 1]``) at any
    level with any fade-in ``alpha``, which training uses while growing.
    """

    def __init__(self, arch: Architecture) -> None:
        super().__init__()
        self.arch = arch
        self.latent_dim = arch.latent_dim
        self.latent_shape = (arch.latent_dim,)
        self.channels = arch.channels
        self.resolution = arch.resolution
        self.alpha = arch.alpha
        first = arch.features[0]
        self.format = LatentToMap(arch.latent_dim, first, equalized=arch.equalized)
        self.base = EqualizedConv2d(first, first, 3, padding=1, equalized=arch.equalized)
        self.blocks = nn.ModuleList(
            _UpBlock(arch.features[k - 1], arch.features[k], arch) for k in range(1, arch.levels)
        )
        self.to_rgb = nn.ModuleList(
            EqualizedConv2d(f, arch.channels, 1, equalized=arch.equalized)
            for f in arch.features
        )
        self._act = nn.LeakyReLU(arch.leak)

    # -- the Generator protocol (latents: StandardNormalLatent) ------------------
    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Images in ``[0, 1]`` at full resolution (native ``[-1, 1]`` mapped and clamped)."""
        return ((self.synthesize(z) + 1.0) * 0.5).clamp(0.0, 1.0)

    # -- native output ----------------------------------------------------------
    def _norm(self, x: torch.Tensor) -> torch.Tensor:
        return pixel_norm(x) if self.arch.pixel_norm else x

    def synthesize(self, z: torch.Tensor, level: int | None = None, alpha: float | None = None) -> torch.Tensor:
        """Native images at ``level`` (default: the last), fading in with ``alpha``
        (default: the architecture's, 1 = the level alone)."""
        level = self.arch.levels - 1 if level is None else level
        alpha = self.alpha if alpha is None else alpha
        if not 0 <= level < self.arch.levels:
            raise ValueError(f"level must be in [0, {self.arch.levels - 1}], got {level}")
        x = z.reshape(z.shape[0], -1)
        if self.arch.normalize_latent:
            x = pixel_norm(x)
        x = self._act(self.format(x))
        if self.arch.format_norm:
            x = self._norm(x)
        x = self._norm(self._act(self.base(x)))
        previous = x
        for block in self.blocks[:level]:
            previous = x
            x = upscale(x)
            x = self._norm(self._act(block.conv1(x)))
            x = self._norm(self._act(block.conv2(x)))
        image = self.to_rgb[level](x)
        if level > 0 and alpha < 1.0:
            image = alpha * image + (1.0 - alpha) * upscale(self.to_rgb[level - 1](previous))
        if self.arch.output_activation == "tanh":
            image = torch.tanh(image)
        return image

    def extra_repr(self) -> str:
        a = self.arch
        return f"latent_dim={a.latent_dim}, resolution={a.resolution}, channels={a.channels}, features={list(a.features)}"

