"""The shape of a BigGAN-deep generator, as the ``config.json`` of a Hugging Face
``pytorch-pretrained-BigGAN`` folder describes it, checked before any weights load.

Facts from ``pytorch_pretrained_biggan/config.py`` and ``model.py`` (PyPI
``pytorch-pretrained-biggan`` 0.1.1): the fields and their defaults (the 128 px model; a
field missing from ``config.json`` takes its default, as ``BigGANConfig.from_dict`` does);
``layers`` lists ``(up-sample?, in, out)`` channel multipliers of ``channel_width``; the
first block receives ``16 · channel_width`` channels from the 4×4 start, a block that
changes width halves it (the skip path keeps the first half of the channels), the last
ends at ``channel_width``; self-attention runs before block ``attention_layer_position``
(never when it is past the end); the class embedding has ``z_dim`` values (the config's
``class_embed_dim`` is not used by the model); batch-norm statistics are stored for
``n_stats`` truncations evenly spaced on [0, 1].
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from gigs_core.errors import CheckpointError

#: ``BigGANConfig``'s defaults: the 128 px BigGAN-deep.
REFERENCE_DEFAULTS: dict[str, Any] = {
    "output_dim": 128, "z_dim": 128, "class_embed_dim": 128, "channel_width": 128, "num_classes": 1000,
    "layers": [[False, 16, 16], [True, 16, 16], [False, 16, 16], [True, 16, 8], [False, 8, 8],
               [True, 8, 4], [False, 4, 4], [True, 4, 2], [False, 2, 2], [True, 2, 1]],
    "attention_layer_position": 8, "eps": 1e-4, "n_stats": 51,
}
#: Channels of the 4×4 start, in multiples of ``channel_width``.
START_MULTIPLIER = 16
#: A block's inner width is its input width divided by this.
BOTTLENECK_REDUCTION = 4


@dataclass(frozen=True)
class Layer:
    """One residual block: whether it doubles the image size, and its input and output
    widths as multiples of ``channel_width``."""

    up_sample: bool
    in_multiplier: int
    out_multiplier: int


@dataclass(frozen=True)
class BigGanArchitecture:
    output_dim: int
    z_dim: int
    class_embed_dim: int
    channel_width: int
    num_classes: int
    layers: tuple[Layer, ...]
    attention_layer_position: int
    eps: float
    n_stats: int

    @property
    def condition_dim(self) -> int:
        """Length of the condition vector every block reads: noise and class embedding."""
        return 2 * self.z_dim

    def has_attention(self) -> bool:
        return self.attention_layer_position < len(self.layers)

    def to_json(self) -> dict[str, Any]:
        """The ``config.json`` content that describes this architecture."""
        fields = asdict(self)
        fields["layers"] = [[layer.up_sample, layer.in_multiplier, layer.out_multiplier] for layer in self.layers]
        return fields


def architecture_from_config(values: Any, source: str) -> BigGanArchitecture:
    """The architecture a ``config.json`` describes, or a one-line :class:`CheckpointError`."""
    if not isinstance(values, dict):
        raise CheckpointError(f"{source} is not a JSON object of BigGAN settings")
    merged = {**REFERENCE_DEFAULTS, **{key: values[key] for key in REFERENCE_DEFAULTS if key in values}}
    for name in ("output_dim", "z_dim", "class_embed_dim", "channel_width", "num_classes", "n_stats"):
        _require(_is_int(merged[name]) and merged[name] >= 1, source, f"{name} must be a positive integer")
    _require(_is_int(merged["attention_layer_position"]) and merged["attention_layer_position"] >= 0, source,
             "attention_layer_position must be an integer ≥ 0")
    _require(isinstance(merged["eps"], (int, float)) and not isinstance(merged["eps"], bool) and merged["eps"] > 0,
             source, "eps must be a positive number")
    _require(merged["n_stats"] >= 2, source, "n_stats must be at least 2")
    architecture = BigGanArchitecture(**{**merged, "eps": float(merged["eps"]),
                                         "layers": _layers(merged["layers"], source)})
    check_architecture(architecture, source)
    return architecture


def read_config(folder: Path) -> Any:
    """The parsed ``folder/config.json`` (checked by :func:`architecture_from_config`)."""
    path = folder / "config.json"
    if not path.is_file():
        raise CheckpointError(f"{str(folder)!r} has no config.json; give a pytorch-pretrained-BigGAN folder "
                              f"(config.json + pytorch_model.bin)")
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"{str(path)!r} is not valid JSON ({exc})") from None


def check_architecture(architecture: BigGanArchitecture, source: str) -> None:
    """Raise a one-line :class:`CheckpointError` unless the blocks chain into a working generator."""
    layers, width = architecture.layers, architecture.channel_width
    _require(width >= 3, source, "channel_width must be at least 3 (the image is its first 3 channels)")
    _require(layers[0].in_multiplier == START_MULTIPLIER, source,
             f"the first layer must take {START_MULTIPLIER} (× channel_width) channels")
    for index, layer in enumerate(layers):
        if index:
            _require(layer.in_multiplier == layers[index - 1].out_multiplier, source,
                     f"layer {index} takes {layer.in_multiplier} but layer {index - 1} gives "
                     f"{layers[index - 1].out_multiplier} (× channel_width)")
        _require(layer.out_multiplier * width in (layer.in_multiplier * width, layer.in_multiplier * width // 2),
                 source, f"layer {index} must keep or halve its width")
        _require(layer.in_multiplier * width >= BOTTLENECK_REDUCTION, source,
                 f"layer {index} is narrower than {BOTTLENECK_REDUCTION} channels")
    _require(layers[-1].out_multiplier == 1, source, "the last layer must end at 1 (× channel_width)")
    if architecture.has_attention():
        _require(layers[architecture.attention_layer_position].in_multiplier * width >= 8, source,
                 "self-attention needs at least 8 channels where it runs")
    side = 4 * 2 ** sum(layer.up_sample for layer in layers)
    _require(architecture.output_dim == side, source,
             f"output_dim {architecture.output_dim} does not match the layers, which make {side}×{side} images")


def fresh_architecture(*, resolution: int, channel_width: int, z_dim: int, num_classes: int) -> BigGanArchitecture:
    """A BigGAN-deep layout for ``resolution`` = 4·2^L px (L ≥ 3): L levels, each a plain block
    then an up-sampling one; level j ends at ``2^clip(L − j, 0, 4)`` × ``channel_width`` (for
    128 px this is the published 16, 8, 4, 2, 1 schedule), self-attention before the last but
    one level, statistics for 51 truncations, as in the published models."""
    levels = resolution.bit_length() - 3
    layers, width = [], START_MULTIPLIER
    for level in range(1, levels + 1):
        target = 2 ** max(0, min(4, levels - level))
        middle = width // 2 if width == 4 * target else width
        layers += [Layer(False, width, middle), Layer(True, middle, target)]
        width = target
    architecture = BigGanArchitecture(
        output_dim=resolution, z_dim=z_dim, class_embed_dim=z_dim, channel_width=channel_width,
        num_classes=num_classes, layers=tuple(layers), attention_layer_position=2 * levels - 2,
        eps=REFERENCE_DEFAULTS["eps"], n_stats=REFERENCE_DEFAULTS["n_stats"])
    check_architecture(architecture, "the fresh model's settings")
    return architecture


def _layers(value: Any, source: str) -> tuple[Layer, ...]:
    _require(isinstance(value, list) and value, source, "layers must be a non-empty list")
    layers = []
    for index, entry in enumerate(value):
        _require(isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], bool)
                 and _is_int(entry[1]) and _is_int(entry[2]) and entry[1] >= 1 and entry[2] >= 1, source,
                 f"layers[{index}] must be [up_sample (true/false), in, out] with positive integers")
        layers.append(Layer(*entry))
    return tuple(layers)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _require(condition: bool, source: str, problem: str) -> None:
    if not condition:
        raise CheckpointError(f"{source} describes no BigGAN gigs can build: {problem}")
