"""Image fidelity a person can read: PSNR between images in ``[0, 1]``."""

from __future__ import annotations

import torch

#: PSNR of identical images is infinite; it is reported as this ceiling instead (strict JSON).
PSNR_CEILING_DB = 100.0


def psnr(first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
    """Per-image peak signal-to-noise ratio in dB of ``N×C×H×W`` batches in ``[0, 1]``:
    ``10·log10(1 / MSE)``, at most ``PSNR_CEILING_DB``. About 20 dB differs visibly,
    above 30 dB the two are hard to tell apart."""
    mse = (first.float() - second.float()).pow(2).flatten(1).mean(dim=1)
    return (10 * torch.log10(1 / mse.clamp_min(10 ** (-PSNR_CEILING_DB / 10)))).clamp_max(PSNR_CEILING_DB)
