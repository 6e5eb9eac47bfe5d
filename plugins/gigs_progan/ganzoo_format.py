"""facebookresearch ``pytorch_GAN_zoo`` PGAN checkpoints.

``{'config': BaseConfig, 'netG': …, 'netD': …, 'avgG': …}`` where ``avgG`` is
the moving-average generator. The config's ``depthScale0`` and
``depthOtherScales`` give the width of each level, ``latentVectorDim`` (noise
+ category size) the latent size, ``dimOutput`` the channels, and
``leakyReluLeak``, ``perChannelNormalization``, ``equalizedlR``, ``alpha`` and
``lossCriterion`` (``MSE``/``DCGAN`` → tanh output) the rest. Their
equalised layers multiply the layer's whole output, bias included, by
``sqrt(2 / fan_in)``; gigs scales the weight only, so biases are rescaled on
loading. Their fade-in ``alpha`` counts the other way (1 = only the previous
level).
"""

from __future__ import annotations

import math
from typing import Any

import torch

from gigs_core.checkpoints import load_state_dict_strict, require_keys
from gigs_core.errors import CheckpointError
from gigs_progan.architecture import Architecture


def _config_fields(config: Any) -> dict[str, Any]:
    if isinstance(config, dict):
        return dict(config)
    if hasattr(config, "__dict__"):
        return dict(vars(config))
    raise CheckpointError(f"GAN-zoo config of unexpected type {type(config).__name__}")


def architecture(config: Any, source: str) -> Architecture:
    fields = _config_fields(config)
    try:
        depths = [int(fields["depthScale0"]), *[int(d) for d in fields.get("depthOtherScales", [])]]
        latent = int(fields.get("latentVectorDim", fields.get("noiseVectorDim", 512)))
        channels = int(fields.get("dimOutput", 3))
        loss = str(fields.get("lossCriterion", "WGANGP"))
        arch = Architecture(
            latent_dim=latent, channels=channels, features=tuple(depths),
            equalized=bool(fields.get("equalizedlR", True)), leak=float(fields.get("leakyReluLeak", 0.2)),
            normalize_latent=bool(fields.get("perChannelNormalization", True)),
            pixel_norm=bool(fields.get("perChannelNormalization", True)), format_norm=True,
            output_activation="tanh" if loss in ("MSE", "DCGAN") else "none",
            alpha=1.0 - float(fields.get("alpha", 0.0)) if len(depths) > 1 else 1.0,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"{source}: GAN-zoo config does not describe a PGAN generator ({exc})") from None
    return arch


def expected_keys(levels: int) -> list[str]:
    keys = ["formatLayer.module.weight", "formatLayer.module.bias",
            "groupScale0.0.module.weight", "groupScale0.0.module.bias"]
    for scale in range(levels - 1):
        for conv in (0, 1):
            keys += [f"scaleLayers.{scale}.{conv}.module.weight", f"scaleLayers.{scale}.{conv}.module.bias"]
    for level in range(levels):
        keys += [f"toRGBLayers.{level}.module.weight", f"toRGBLayers.{level}.module.bias"]
    return keys


def _bias_scale(weight: torch.Tensor, equalized: bool) -> float:
    return math.sqrt(2.0 / math.prod(weight.shape[1:])) if equalized else 1.0


def convert_state(state: dict[str, torch.Tensor], arch: Architecture) -> dict[str, torch.Tensor]:
    """Their GNet state dict as gigs' :class:`ProGanGenerator` state dict."""

    def pair(prefix: str) -> tuple[torch.Tensor, torch.Tensor]:
        weight, bias = state[f"{prefix}.module.weight"], state[f"{prefix}.module.bias"]
        return weight, bias * _bias_scale(weight, arch.equalized)

    out: dict[str, torch.Tensor] = {}
    weight, bias = pair("formatLayer")  # (16·C) × latent, output unit index = c·16 + y·4 + x
    out["format.weight"] = weight.reshape(-1, 4, 4, weight.shape[1]).permute(3, 0, 1, 2).contiguous()
    out["format.bias"] = bias.reshape(-1, 4, 4)
    out["base.weight"], out["base.bias"] = pair("groupScale0.0")
    for scale in range(arch.levels - 1):
        for conv in (0, 1):
            out[f"blocks.{scale}.conv{conv + 1}.weight"], out[f"blocks.{scale}.conv{conv + 1}.bias"] = pair(
                f"scaleLayers.{scale}.{conv}")
    for level in range(arch.levels):
        out[f"to_rgb.{level}.weight"], out[f"to_rgb.{level}.bias"] = pair(f"toRGBLayers.{level}")
    return out


def from_saved(data: Any, source: str, weights: str = "ema"):
    """A :class:`ProGanGenerator` from a loaded GAN-zoo checkpoint's contents."""
    from gigs_progan.generator import ProGanGenerator

    if not isinstance(data, dict) or "config" not in data:
        raise CheckpointError(f"{source} is not a pytorch_GAN_zoo checkpoint (no 'config')")
    key = "avgG" if weights == "ema" else "netG"
    if key not in data:
        hint = " (use weights='plain' for netG)" if key == "avgG" and "netG" in data else ""
        raise CheckpointError(f"{source} has no {key!r} entry{hint}; it has {sorted(map(str, data))}")
    arch = architecture(data["config"], source)
    state = {k.removeprefix("module."): v for k, v in dict(data[key]).items()}
    require_keys(state, expected_keys(arch.levels),
                 f"{source}: {key} ({arch.levels} scales per its config) does not fit GAN-zoo's GNet")
    generator = ProGanGenerator(arch)
    load_state_dict_strict(generator, convert_state(state, arch), source)
    return generator
