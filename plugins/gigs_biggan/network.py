"""The BigGAN-deep generator network: (noise, class embedding, truncation) → image in [−1, 1].

Module names follow the keys of ``pytorch-pretrained-BigGAN``'s ``pytorch_model.bin``
(``embeddings.weight``, ``generator.gen_z.*``, ``generator.layers.<i>.bn_0..3/conv_0..3``,
the self-attention's ``snconv1x1_*`` and ``gamma``, ``generator.bn``,
``generator.conv_to_rgb``); the computation order is that of its ``model.py`` (PyPI
0.1.1), written anew: the 4×4 start is laid out height, width, channels (TensorFlow's
order) before it becomes channels-first; the image is the first 3 channels of
``conv_to_rgb`` through tanh.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from gigs_biggan.architecture import BOTTLENECK_REDUCTION, START_MULTIPLIER, BigGanArchitecture, Layer
from gigs_biggan.layers import SelfAttention, SNConv2d, SNLinear, SpectralNormWeight, TruncationBatchNorm


class ResidualBlock(nn.Module):
    """A BigGAN-deep block: four (batch norm, ReLU, conv) stages through a bottleneck of a
    quarter of the input width, up-sampling (nearest) before the first 3×3 conv; the skip
    path keeps the first ``out`` channels and is up-sampled alike."""

    def __init__(self, in_channels: int, out_channels: int, up_sample: bool, architecture: BigGanArchitecture):
        super().__init__()
        middle = in_channels // BOTTLENECK_REDUCTION
        widths = [(in_channels, middle, 1), (middle, middle, 3), (middle, middle, 3), (middle, out_channels, 1)]
        for index, (inputs, outputs, kernel) in enumerate(widths):
            setattr(self, f"bn_{index}", TruncationBatchNorm(inputs, architecture.n_stats, architecture.eps,
                                                             architecture.condition_dim))
            setattr(self, f"conv_{index}", SNConv2d(inputs, outputs, kernel))
        self.up_sample = up_sample
        self.out_channels = out_channels

    def forward(self, features: torch.Tensor, condition: torch.Tensor, truncation: float) -> torch.Tensor:
        hidden = features
        for index in range(4):
            hidden = F.relu(getattr(self, f"bn_{index}")(hidden, truncation, condition))
            if index == 1 and self.up_sample:
                hidden = F.interpolate(hidden, scale_factor=2, mode="nearest")
            hidden = getattr(self, f"conv_{index}")(hidden)
        skip = features[:, :self.out_channels]
        if self.up_sample:
            skip = F.interpolate(skip, scale_factor=2, mode="nearest")
        return hidden + skip


class Synthesis(nn.Module):
    """Condition vector (noise ‖ class embedding) → image in [−1, 1]."""

    def __init__(self, architecture: BigGanArchitecture):
        super().__init__()
        width = architecture.channel_width
        self.start_channels = START_MULTIPLIER * width
        self.gen_z = SNLinear(architecture.condition_dim, 4 * 4 * self.start_channels)
        layers: list[nn.Module] = []
        for index, layer in enumerate(architecture.layers):
            if index == architecture.attention_layer_position:
                layers.append(SelfAttention(layer.in_multiplier * width))
            layers.append(_block(layer, architecture))
        self.layers = nn.ModuleList(layers)
        self.bn = TruncationBatchNorm(width, architecture.n_stats, architecture.eps)
        self.conv_to_rgb = SNConv2d(width, width, 3)

    def forward(self, condition: torch.Tensor, truncation: float) -> torch.Tensor:
        features = self.gen_z(condition).view(-1, 4, 4, self.start_channels).permute(0, 3, 1, 2)
        for layer in self.layers:
            features = layer(features, condition, truncation) if isinstance(layer, ResidualBlock) else layer(features)
        features = F.relu(self.bn(features, truncation))
        return torch.tanh(self.conv_to_rgb(features)[:, :3])


class BigGanNetwork(nn.Module):
    """The whole checkpoint: the class embedding table and the synthesis network."""

    def __init__(self, architecture: BigGanArchitecture):
        super().__init__()
        self.architecture = architecture
        # A linear map of a one-hot class vector, as stored: weight is z_dim × num_classes.
        self.embeddings = nn.Linear(architecture.num_classes, architecture.z_dim, bias=False)
        self.generator = Synthesis(architecture)

    def class_embedding(self, class_index: int) -> torch.Tensor:
        """The ``z_dim`` embedding of one class (the reference's one-hot product, exactly)."""
        return self.embeddings.weight[:, class_index]

    def forward(self, noise: torch.Tensor, embedding: torch.Tensor, truncation: float) -> torch.Tensor:
        """``N × z_dim`` noise and ``N × z_dim`` class embeddings → ``N×3×H×W`` in [−1, 1]."""
        return self.generator(torch.cat([noise, embedding], dim=1), truncation)

    @torch.no_grad()
    def set_singular_vectors(self) -> None:
        """Give every spectral-norm weight its exact leading singular vectors (fresh models)."""
        for module in self.modules():
            if isinstance(module, SpectralNormWeight):
                module.set_singular_vectors()


def _block(layer: Layer, architecture: BigGanArchitecture) -> ResidualBlock:
    width = architecture.channel_width
    return ResidualBlock(layer.in_multiplier * width, layer.out_multiplier * width, layer.up_sample, architecture)
