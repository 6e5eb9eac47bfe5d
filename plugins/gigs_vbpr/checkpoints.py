"""Saving and loading VBPR: ``NAME.safetensors`` (backbone, E, β', θ) beside ``NAME.json`` (its config).

The file holds the backbone's weights too, so loading never needs the Hugging
Face cache or the original backbone file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gigs_core.checkpoints import load_state_dict_strict, read_checkpoint, save_checkpoint
from gigs_core.errors import CheckpointError
from gigs_core.options import existing_checkpoint
from gigs_vbpr.building import build_backbone
from gigs_vbpr.model import VBPR

REQUIRED = ("num_users", "k", "backbone", "input_size")


def save_vbpr(model: VBPR, path: str | Path, extra: Mapping[str, Any] | None = None) -> Path:
    """Write ``path.safetensors`` + ``path.json`` (``extra`` goes under ``training``)."""
    config = dict(model.config())
    if extra:
        config["training"] = dict(extra)
    return save_checkpoint(model, config, path)


def load_vbpr(path: str | Path) -> VBPR:
    """A VBPR from a file :func:`save_vbpr` wrote, in evaluation mode."""
    path = existing_checkpoint(path)
    config, state = read_checkpoint(path)
    if config.get("model") != "vbpr-timm":
        raise CheckpointError(f"{str(path)!r} is a {config.get('model', 'unknown')!r} checkpoint, not vbpr-timm")
    missing = [key for key in REQUIRED if key not in config]
    if missing:
        raise CheckpointError(f"{str(path)!r}: its config lacks {', '.join(missing)}; save it again with gigs")
    backbone = build_backbone(config["backbone"], input_size=int(config["input_size"]))
    model = VBPR(backbone, int(config["num_users"]), k=int(config["k"]), backbone_model=config["backbone"],
                 input_size=int(config["input_size"]))
    load_state_dict_strict(model, state, repr(str(path)))
    return model.eval()
