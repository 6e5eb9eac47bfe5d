"""Reading and writing weights safely.

* Our own format: ``NAME.safetensors`` beside ``NAME.json`` (the config that
  rebuilds the module); :func:`save_checkpoint` / :func:`read_checkpoint`.
* Foreign pickled files (``.pt``/``.pth``/``.bin``/``.pkl``) load with
  ``torch.load(weights_only=True)``: loading never executes code from the file.
* State dicts load with ``strict=True``; a mismatch raises a
  :class:`~gigs_core.errors.CheckpointError` listing missing and unexpected keys.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from gigs_core.atomic import atomic_file
from gigs_core.errors import CheckpointError, format_key_mismatch
from gigs_core.options import existing_checkpoint

SAFETENSORS_MAGIC_MAX_HEADER = 100 * 1024 * 1024


def is_safetensors(path: Path) -> bool:
    """True if ``path`` starts like a safetensors file (8-byte header length + JSON)."""
    with open(path, "rb") as handle:
        head = handle.read(9)
    if len(head) < 9:
        return False
    header_len = int.from_bytes(head[:8], "little")
    return 0 < header_len < SAFETENSORS_MAGIC_MAX_HEADER and head[8:9] == b"{"


def file_sha256(path: str | Path) -> str:
    """The SHA-256 of a file's bytes (hex): what records which checkpoint a result came from."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_torch_file(path: str | Path) -> Any:
    """A pickled torch file loaded with ``weights_only=True``, or a clear error."""
    path = existing_checkpoint(path)
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # garbage bytes make the unpickler fail in many different ways
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CheckpointError(
            f"{str(path)!r} is not a checkpoint gigs can read safely ({type(exc).__name__}: {first_line})"
        ) from None


def read_state_file(path: str | Path) -> dict[str, torch.Tensor]:
    """Tensors from a safetensors file or a pickled state dict."""
    path = existing_checkpoint(path)
    if is_safetensors(path):
        from safetensors.torch import load_file

        try:
            return load_file(str(path))
        except Exception as exc:  # safetensors raises its own error types
            raise CheckpointError(f"{str(path)!r} is a damaged safetensors file ({exc})") from None
    state = load_torch_file(path)
    if not isinstance(state, Mapping) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointError(f"{str(path)!r} holds no plain state dict (a mapping of names to tensors)")
    return dict(state)


def strip_prefix(state: Mapping[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    """Remove ``prefix`` (e.g. DataParallel's ``module.``) from every key that has it."""
    return {key[len(prefix):] if key.startswith(prefix) else key: value for key, value in state.items()}


def require_keys(given: Iterable[str], expected: Iterable[str], description: str) -> None:
    """Raise ``CheckpointError("{description}: missing keys [...]; unexpected keys [...]")``
    unless ``given`` and ``expected`` hold the same keys."""
    given, expected = set(given), set(expected)
    missing, unexpected = sorted(expected - given), sorted(given - expected)
    if missing or unexpected:
        raise CheckpointError(f"{description}: {format_key_mismatch(missing, unexpected)}")


def load_state_dict_strict(module: nn.Module, state: Mapping[str, torch.Tensor], source: str) -> None:
    """``module.load_state_dict(state, strict=True)`` with a readable error on mismatch."""
    require_keys(state, module.state_dict(), f"{source} does not fit {type(module).__name__}")
    try:
        module.load_state_dict(state, strict=True)
    except RuntimeError as exc:  # shape mismatches
        detail = " ".join(line.strip() for line in str(exc).splitlines()[1:4])
        raise CheckpointError(f"{source} does not fit {type(module).__name__}: {detail}") from None


def load_state_dict_file(
    module: nn.Module, path: str | Path, ignore_prefixes: Iterable[str] = ()
) -> None:
    """Load a state-dict file into ``module`` strictly, dropping keys with ``ignore_prefixes``."""
    state = read_state_file(path)
    prefixes = tuple(ignore_prefixes)
    if prefixes:
        state = {key: value for key, value in state.items() if not key.startswith(prefixes)}
    load_state_dict_strict(module, strip_prefix(state, "module."), repr(str(path)))


def save_checkpoint(module: nn.Module, config: Mapping[str, Any], path: str | Path) -> Path:
    """Write ``path`` (``.safetensors``) and its config beside it (``.json``), atomically."""
    from safetensors.torch import save_file

    path = Path(path).with_suffix(".safetensors")
    state = {key: value.detach().contiguous().cpu() for key, value in module.state_dict().items()}
    with atomic_file(path.with_suffix(".json")) as temporary:
        temporary.write_text(json.dumps(dict(config), indent=2, default=str))
    with atomic_file(path) as temporary:
        save_file(state, str(temporary))
    return path


def read_checkpoint(path: str | Path) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """``(config, state)`` of a file written by :func:`save_checkpoint`."""
    path = Path(path)
    config_path = path.with_suffix(".json")
    if not config_path.is_file():
        raise CheckpointError(f"{str(path)!r} has no config file beside it ({config_path.name})")
    try:
        config = json.loads(config_path.read_text())
    except json.JSONDecodeError as exc:
        raise CheckpointError(f"{str(config_path)!r} is not valid JSON ({exc})") from None
    return config, read_state_file(path)
