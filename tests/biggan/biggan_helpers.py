"""Tiny BigGANs for the ``biggan`` tests: the reference package's model with random weights,
and folders in its layout (``config.json`` + ``pytorch_model.bin``)."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from gigs_core.method.modules import seeded

#: A 32 px BigGAN-deep small enough for one CPU thread: three up-sampling levels, width
#: unit 4, self-attention before block 4 (8 channels), five classes.
TINY_CONFIG = {
    "output_dim": 32, "z_dim": 8, "class_embed_dim": 8, "channel_width": 4, "num_classes": 5,
    "layers": [[False, 16, 8], [True, 8, 4], [False, 4, 4], [True, 4, 2], [False, 2, 2], [True, 2, 1]],
    "attention_layer_position": 4, "eps": 1e-4, "n_stats": 51,
}


def reference_biggan(seed: int = 0, **changes):
    """``pytorch_pretrained_biggan.BigGAN`` of :data:`TINY_CONFIG` (with ``changes``) in eval
    mode, every stored value random: weights, batch-norm statistics that differ per
    truncation, the final batch norm's affine, a non-zero attention gain, and spectral-norm
    vectors refined by the package's own power iteration (a few training-mode passes)."""
    from pytorch_pretrained_biggan import BigGAN, BigGANConfig

    config = BigGANConfig.from_dict({**TINY_CONFIG, **changes})
    with seeded(seed):
        model = BigGAN(config)
    draws = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, tensor in [*model.named_parameters(), *model.named_buffers()]:
            if name.endswith("running_means") or name == "generator.bn.bias":
                tensor.copy_(0.2 * torch.randn(tensor.shape, generator=draws))
            elif name == "generator.bn.weight":
                tensor.copy_(1 + 0.2 * torch.randn(tensor.shape, generator=draws))
            elif name.endswith("running_vars"):
                tensor.copy_(0.5 + torch.rand(tensor.shape, generator=draws))
            elif name.endswith("gamma"):
                tensor.fill_(0.7)
        model.train()
        one_hot = torch.eye(config.num_classes)[:1]
        for _ in range(3):
            model(torch.zeros(1, config.z_dim), one_hot, 1.0)
    return model.eval()


def write_folder(state: dict[str, torch.Tensor], config: dict, folder: Path, **extra) -> Path:
    """``folder`` with ``config.json`` (``config`` and ``extra`` keys) and ``pytorch_model.bin``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps({**config, **extra}))
    torch.save(state, folder / "pytorch_model.bin")
    return folder


def reference_folder(folder: Path, seed: int = 0, **extra) -> Path:
    """A folder holding :func:`reference_biggan`'s weights and config."""
    model = reference_biggan(seed)
    return write_folder(model.state_dict(), model.config.to_dict(), folder, **extra)


def reference_images(model, noise: torch.Tensor, class_index: int, truncation: float) -> torch.Tensor:
    """The reference's images for ``noise`` and one class, mapped from [−1, 1] to [0, 1]."""
    one_hot = torch.zeros(noise.shape[0], model.config.num_classes)
    one_hot[:, class_index] = 1
    with torch.no_grad():
        return (model(noise, one_hot, truncation) + 1) / 2
