"""Saving and loading DVBPR weights: our safetensors + JSON files and the GIGS authors' ``.tar``/``.pt``.

The authors' files (``torch.save`` in their ``DVBPRtrain.py``) are dicts with
``model_state_dict`` (``pthDVBPR`` keys ``conv1..conv5``/``fc1..fc3``, maybe
prefixed ``module.``), ``U`` (a numpy users×K array), and training leftovers
(``epoch``, ``optimizer_state_dict``, ``loss``). They load with
``torch.load(weights_only=True)``; numpy's array reconstruction functions are
allowed for that one call and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gigs_core.checkpoints import (
    is_safetensors,
    load_state_dict_strict,
    read_checkpoint,
    save_checkpoint,
    strip_prefix,
)
from gigs_core.errors import CheckpointError
from gigs_core.options import existing_checkpoint
from gigs_dvbpr.model import DVBPR, input_sizes_for


def _numpy_safe_globals() -> list[Any]:
    try:
        from numpy._core import multiarray
    except ImportError:  # numpy < 2
        from numpy.core import multiarray
    allowed: list[Any] = [multiarray._reconstruct, np.ndarray, np.dtype]
    # Files written under numpy 1.x name the function by its old module path.
    for old_name in ("numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct"):
        if old_name != f"{multiarray._reconstruct.__module__}._reconstruct":
            allowed.append((multiarray._reconstruct, old_name))
    dtypes = getattr(np, "dtypes", None)
    if dtypes is not None:
        for name in ("Float16DType", "Float32DType", "Float64DType", "Int32DType", "Int64DType"):
            if hasattr(dtypes, name):
                allowed.append(getattr(dtypes, name))
    return allowed


def load_authors_file(path: str | Path) -> dict[str, Any]:
    """The dict in one of the GIGS authors' DVBPR checkpoints (weights_only, numpy arrays allowed)."""
    path = Path(path)
    try:
        with torch.serialization.safe_globals(_numpy_safe_globals()):
            obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # garbage bytes fail in many ways (torch may even hand a .safetensors name to safetensors)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CheckpointError(f"{str(path)!r} is not a checkpoint gigs can read safely ({first})") from None
    if not isinstance(obj, Mapping):
        raise CheckpointError(f"{str(path)!r} holds a {type(obj).__name__}, not a DVBPR checkpoint dict")
    return dict(obj)


def is_authors_checkpoint(obj: Mapping[str, Any]) -> bool:
    return "model_state_dict" in obj and "U" in obj


def model_from_authors(
    obj: Mapping[str, Any], source: str, *, variant: str = "cnnf-aip", normalization: str = "aip",
    input_size: int | None = None,
) -> DVBPR:
    """A :class:`DVBPR` holding the authors' CNN weights and their ``U`` as θ."""
    if not is_authors_checkpoint(obj):
        keys = ", ".join(sorted(map(str, obj))[:8])
        raise CheckpointError(f"{source} is not a GIGS-authors DVBPR checkpoint (needs model_state_dict and U; has {keys})")
    users = obj["U"]
    users = torch.as_tensor(np.asarray(users, dtype=np.float32)) if not isinstance(users, torch.Tensor) else users.float()
    if users.ndim != 2:
        raise CheckpointError(f"{source}: U has shape {tuple(users.shape)}, expected users×K")
    state = strip_prefix(dict(obj["model_state_dict"]), "module.")
    if input_size is None:
        input_size = _input_size_of(state, variant, source)
    model = DVBPR(users.shape[0], k=users.shape[1], variant=variant, normalization=normalization, input_size=input_size)
    load_state_dict_strict(model.cnn, state, source)
    with torch.no_grad():
        model.theta.copy_(users)
    return model


#: The sizes the authors' scripts train at, preferred when several sizes fit the weights.
AUTHORS_INPUT_SIZES = (128, 224)


def _input_size_of(state: Mapping[str, torch.Tensor], variant: str, source: str) -> int:
    """The input size an authors' file was trained at, read from its FC1 weight (a 128-px
    ``pthDVBPR`` has FC1 4096 × 4096; a 224-px one 4096 × 12544)."""
    weight = state.get("fc1.weight")
    if weight is None or weight.ndim != 2:
        raise CheckpointError(f"{source} has no fc1.weight matrix; it is not a CNN-F state dict")
    sizes = input_sizes_for(variant, int(weight.shape[1]))
    if not sizes:
        raise CheckpointError(f"{source}: fc1 takes {weight.shape[1]} inputs, which no {variant} input size "
                              f"between 16 and 1024 px gives; pass input_size=… or another variant=…")
    preferred = [size for size in AUTHORS_INPUT_SIZES if size in sizes]
    return preferred[0] if preferred else sizes[0]


def save_dvbpr(model: DVBPR, path: str | Path, extra: Mapping[str, Any] | None = None) -> Path:
    """Write ``path.safetensors`` + ``path.json``."""
    config = dict(model.config())
    if extra:
        config["training"] = dict(extra)
    return save_checkpoint(model, config, path)


def load_dvbpr(path: str | Path, **overrides: Any) -> DVBPR:
    """A DVBPR from our safetensors checkpoint or from a GIGS-authors file.

    ``overrides`` (``variant``, ``normalization``, ``input_size``) replace the
    stored config where given (for authors' files they choose the geometry and
    input normalisation, default ``cnnf-aip`` + ``aip``).
    """
    path = existing_checkpoint(path)
    overrides = {k: v for k, v in overrides.items() if v is not None}
    if is_safetensors(path):
        config, state = read_checkpoint(path)
        if config.get("model") != "dvbpr":
            raise CheckpointError(f"{str(path)!r} is a {config.get('model', 'unknown')!r} checkpoint, not dvbpr")
        settings = {key: config[key] for key in ("k", "variant", "input_size", "normalization", "dropout") if key in config}
        settings.update(overrides)
        theta = state.get("theta")
        if theta is None or theta.ndim != 2:
            raise CheckpointError(f"{str(path)!r} has no theta (users×K) tensor; missing keys ['theta']")
        try:
            model = DVBPR(theta.shape[0], **settings)
        except (TypeError, ValueError) as exc:
            raise CheckpointError(f"{str(path)!r}: its config cannot build DVBPR ({exc})") from None
        load_state_dict_strict(model, state, repr(str(path)))
        return model
    obj = load_authors_file(path)
    settings = {"variant": "cnnf-aip", "normalization": "aip"}
    settings.update(overrides)
    return model_from_authors(obj, repr(str(path)), **settings)
