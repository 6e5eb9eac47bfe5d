"""rosinality ``stylegan2-pytorch`` checkpoints.

Facts from its ``train.py`` and ``convert_weight.py``: a training checkpoint is
``{'g', 'd', 'g_ema', 'g_optim', 'd_optim', 'args', 'ada_aug_p'}`` (``args`` an
``argparse.Namespace`` whose ``arch`` is ``stylegan2`` or ``swagan``); a converted
NVlabs model is ``{'g_ema', 'latent_avg'}`` (plus ``g``/``d`` when asked). gigs loads
``g_ema``, the moving-average generator, and ``latent_avg`` when the file has one. A
bare ``Generator`` state dict (what ``g_ema.state_dict()`` saved alone gives) loads too.
:func:`save_training_checkpoint` writes the training layout (``gigs train generator
--generator stylegan2`` does), with ``latent_avg`` added.

The file is read with ``torch.load(weights_only=True)``, told that
``argparse.Namespace`` (an inert attribute bag) may appear; nothing in it is executed.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from gigs_core.checkpoints import load_state_dict_strict, load_torch_file, strip_prefix
from gigs_core.errors import CheckpointError
from gigs_stylegan2.architecture import Architecture
from gigs_stylegan2.network import StyleGan2Network

GENERATOR_KEY = "g_ema"
MEAN_KEY = "latent_avg"
BARE_STATE_KEY = "conv1.conv.weight"


def read_file(path: Path) -> Any:
    """The object in a rosinality ``.pt`` file, read safely."""
    with torch.serialization.safe_globals([argparse.Namespace]):
        return load_torch_file(path)


def generator_entries(data: Any, source: str) -> tuple[Mapping[str, Any], Any]:
    """``(g_ema state dict, latent_avg or None)`` of a loaded file."""
    if not isinstance(data, Mapping):
        raise CheckpointError(f"{source} is not a rosinality stylegan2-pytorch checkpoint (it holds a "
                              f"{type(data).__name__}, not a dict with {GENERATOR_KEY!r})")
    if GENERATOR_KEY in data:
        arch = getattr(data.get("args"), "arch", "stylegan2")
        if arch != "stylegan2":
            raise CheckpointError(f"{source} is a rosinality {arch!r} checkpoint; the stylegan2 generator "
                                  f"loads only the 'stylegan2' architecture")
        return data[GENERATOR_KEY], data.get(MEAN_KEY)
    if any(str(key).removeprefix("module.") == BARE_STATE_KEY for key in data):
        return data, None
    shown = sorted(map(str, data))[:8]
    raise CheckpointError(f"{source} is not a rosinality stylegan2-pytorch checkpoint: expected {GENERATOR_KEY!r} "
                          f"(with 'latent_avg' or the training entries g, d, g_optim, d_optim, args); found {shown}")


def mean_w(value: Any, style_dim: int, source: str) -> torch.Tensor | None:
    """The stored ``latent_avg`` as a ``style_dim`` vector (``None`` stays ``None``)."""
    if value is None:
        return None
    if not isinstance(value, torch.Tensor) or value.numel() != style_dim:
        shape = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
        raise CheckpointError(f"{source}: 'latent_avg' should hold {style_dim} values (the style size), got {shape}")
    return value.reshape(style_dim).float()


def save_training_checkpoint(path: Path, *, g: torch.nn.Module, d: torch.nn.Module, g_ema: torch.nn.Module,
                             g_optim: torch.optim.Optimizer, d_optim: torch.optim.Optimizer,
                             args: argparse.Namespace, latent_avg: torch.Tensor) -> Path:
    """Write rosinality's training layout ``{'g', 'd', 'g_ema', 'g_optim', 'd_optim', 'args',
    'ada_aug_p'}`` (``ada_aug_p`` 0: no adaptive augmentation) plus ``latent_avg`` to ``path``
    (to a temporary name first, so a kill leaves the old file or the new one). The networks'
    state dicts have rosinality's key names."""
    from gigs_core.training.run_files import save_state

    path = Path(path)
    save_state({"g": g.state_dict(), "d": d.state_dict(), GENERATOR_KEY: g_ema.state_dict(),
                "g_optim": g_optim.state_dict(), "d_optim": d_optim.state_dict(), "args": args, "ada_aug_p": 0.0,
                MEAN_KEY: latent_avg.detach().reshape(-1).clone()}, path)
    return path


def load_network(path: Path) -> tuple[StyleGan2Network, torch.Tensor | None]:
    """The network in a rosinality file and its ``latent_avg`` (``None`` when the file has none)."""
    source = repr(str(path))
    state, average = generator_entries(read_file(path), source)
    if not isinstance(state, Mapping) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointError(f"{source}: {GENERATOR_KEY!r} is not a state dict (a mapping of names to tensors)")
    state = strip_prefix(state, "module.")
    network = StyleGan2Network(Architecture.of_state_dict(state, source))
    load_state_dict_strict(network, state, source)
    return network, mean_w(average, network.arch.style_dim, source)
