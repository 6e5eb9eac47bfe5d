"""akanimax ``pro_gan_pytorch`` (PyPI ``pro-gan-pth`` ≥ 3.0) files.

A saved model is a dict with ``generator``, ``discriminator`` and, when EMA
was used, ``shadow_generator``; each holds ``conf`` (``depth``,
``num_channels``, ``latent_size``, ``use_eql``) and ``state_dict``. Depth ``d``
gives ``2**d``-pixel images; stage ``s`` has ``min(512, 16384 // 2**s)``
feature maps. Their first layer is a 4×4 transposed convolution of the
(pixel-normalised) latent, stored the same way by gigs (gigs keeps one bias
per output unit, theirs is per channel); there is no pixel norm between it
and the following 3×3 conv.
"""

from __future__ import annotations

from typing import Any

import torch

from gigs_core.checkpoints import load_state_dict_strict, require_keys
from gigs_core.errors import CheckpointError
from gigs_progan.architecture import Architecture


def nf(stage: int) -> int:
    """Feature maps of akanimax's stage ``stage`` (their defaults: base 16384, max 512)."""
    return int(min(max(16384 // 2 ** stage, 1), 512))


def architecture(conf: dict[str, Any], source: str) -> Architecture:
    try:
        depth = int(conf["depth"])
        channels = int(conf.get("num_channels", 3))
        latent = int(conf.get("latent_size", 512))
        equalized = bool(conf.get("use_eql", True))
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"{source}: bad generator conf {conf!r} ({exc})") from None
    if depth < 2:
        raise CheckpointError(f"{source}: generator depth {depth} is below 2")
    try:
        return Architecture(latent_dim=latent, channels=channels, features=tuple(nf(s) for s in range(1, depth)),
                            equalized=equalized, format_norm=False)
    except ValueError as exc:
        raise CheckpointError(f"{source}: unsupported generator conf {conf!r} ({exc})") from None


def expected_keys(depth: int) -> list[str]:
    keys = []
    for layer in range(depth - 1):
        for conv in ("conv_1", "conv_2"):
            keys += [f"layers.{layer}.{conv}.weight", f"layers.{layer}.{conv}.bias"]
    for stage in range(depth - 1):
        keys += [f"rgb_converters.{stage}.weight", f"rgb_converters.{stage}.bias"]
    return keys


def convert_state(state: dict[str, torch.Tensor], arch: Architecture) -> dict[str, torch.Tensor]:
    """Their generator state dict as gigs' :class:`ProGanGenerator` state dict."""
    bias = state["layers.0.conv_1.bias"]
    out = {
        "format.weight": state["layers.0.conv_1.weight"],  # latent × C × 4 × 4, as gigs stores it
        "format.bias": bias[:, None, None].expand(-1, 4, 4).contiguous(),
        "base.weight": state["layers.0.conv_2.weight"],
        "base.bias": state["layers.0.conv_2.bias"],
    }
    for level in range(1, arch.levels):
        for theirs, ours in (("conv_1", "conv1"), ("conv_2", "conv2")):
            out[f"blocks.{level - 1}.{ours}.weight"] = state[f"layers.{level}.{theirs}.weight"]
            out[f"blocks.{level - 1}.{ours}.bias"] = state[f"layers.{level}.{theirs}.bias"]
    for level in range(arch.levels):
        out[f"to_rgb.{level}.weight"] = state[f"rgb_converters.{level}.weight"]
        out[f"to_rgb.{level}.bias"] = state[f"rgb_converters.{level}.bias"]
    return out


def from_saved(data: Any, source: str, weights: str = "ema"):
    """A :class:`ProGanGenerator` from a loaded akanimax file's contents."""
    from gigs_progan.generator import ProGanGenerator

    if not isinstance(data, dict):
        raise CheckpointError(f"{source} is not an akanimax pro_gan_pytorch file (not a dict)")
    key = "shadow_generator" if weights == "ema" else "generator"
    if key not in data:
        have = sorted(k for k in ("generator", "shadow_generator") if k in data)
        hint = " (it was trained without EMA; use weights='plain')" if key == "shadow_generator" else ""
        raise CheckpointError(f"{source} has no {key!r} entry{hint}; it has {have}")
    entry = data[key]
    if not isinstance(entry, dict) or "conf" not in entry or "state_dict" not in entry:
        raise CheckpointError(f"{source}: {key!r} should hold 'conf' and 'state_dict'")
    arch = architecture(entry["conf"], source)
    state = {k: v for k, v in entry["state_dict"].items()}
    if any(k.startswith("module.") for k in state):  # saved from DataParallel
        state = {k.removeprefix("module."): v for k, v in state.items()}
    require_keys(state, expected_keys(arch.levels + 1),
                 f"{source}: {key} (depth {arch.levels + 1}) does not fit akanimax's Generator")
    generator = ProGanGenerator(arch)
    try:
        converted = convert_state(state, arch)
    except RuntimeError as exc:
        raise CheckpointError(f"{source}: {key} has tensors of unexpected shapes ({exc})") from None
    load_state_dict_strict(generator, converted, source)
    return generator
