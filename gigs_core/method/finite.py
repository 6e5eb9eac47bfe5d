"""Results are checked before they are worded: a NaN or infinite score, image or loss
stops the run (exit 1, nothing written) instead of becoming a black variant and a
``σ = nan`` sentence in the report."""

from __future__ import annotations

from collections.abc import Mapping

import torch

from gigs_core.errors import ResultError


def require_finite(values: Mapping[str, torch.Tensor | list | None]) -> None:
    """Raise :class:`ResultError` naming every entry of ``values`` that holds NaN or ±inf."""
    broken = []
    for name, value in values.items():
        if value is None:
            continue
        tensor = torch.as_tensor([v for v in value if v is not None] if isinstance(value, list) else value,
                                 dtype=torch.float64)
        bad = int((~torch.isfinite(tensor)).sum())
        if bad:
            broken.append(f"{name} ({bad} of {tensor.numel()} values)")
    if broken:
        raise ResultError(
            "the run produced NaN or infinite " + ", ".join(broken) + "; nothing was written. "
            "Check the checkpoints for NaN/inf weights, or, if the optimisation diverged, "
            "lower the learning rates (inversion.lr, shift.lr_shift, shift.lr_predictor in --config)"
        )
