"""Registers the ``biggan`` generator: BigGAN-deep from a Hugging Face
``pytorch-pretrained-BigGAN`` folder, or fresh with seeded random weights; and its trainer
(``gigs train generator --generator biggan``). torch loads only when the generator is built
or the trainer runs."""

from __future__ import annotations

from pathlib import Path

import pydantic

from gigs_core import hookimpl
from gigs_core.options import CheckpointOptions

#: The options that describe a fresh model; a checkpoint brings its own.
FRESH_MODEL_OPTIONS = ("resolution", "channel_width", "z_dim", "num_classes", "seed")


class BigGanOptions(CheckpointOptions):
    """Options of the ``biggan`` generator. ``checkpoint`` is a folder holding ``config.json``
    and ``pytorch_model.bin``; without one, a small model with seeded random weights is built
    from ``resolution``, ``channel_width``, ``z_dim``, ``num_classes`` and ``seed``."""

    class_index: int | None = pydantic.Field(None, ge=0, description="class of the images (default 0)")
    class_name: str | None = pydantic.Field(None, min_length=1, description="class by name, from the folder's "
                                            "labels (config.json 'labels' or labels.txt); instead of class_index")
    truncation: float = pydantic.Field(1.0, gt=0, le=1, description="noise truncation in (0, 1]; also selects "
                                       "the stored batch-norm statistics")
    class_by_category: bool = pydantic.Field(False, description="each item's catalogue category (gigs batch, gigs "
                                             "eval) chooses its class by name among the checkpoint's labels; "
                                             "items without one use class_index/class_name")
    invert_class: bool = pydantic.Field(False, description="the latent holds the class embedding too: inversion "
                                        "optimises it and shifts move it")
    resolution: int = pydantic.Field(32, description="without checkpoint: image size, a power of two ≥ 32")
    channel_width: int = pydantic.Field(8, ge=4, description="without checkpoint: the width unit of every layer")
    z_dim: int = pydantic.Field(32, ge=1, description="without checkpoint: noise size (and class embedding size)")
    num_classes: int = pydantic.Field(10, ge=1, description="without checkpoint: number of classes")
    seed: int = pydantic.Field(0, description="without checkpoint: seed of the random weights")

    @pydantic.field_validator("checkpoint")
    @classmethod
    def _must_exist(cls, value: Path | None) -> Path | None:
        if value is not None and not Path(value).is_dir():
            raise ValueError(f"checkpoint folder {str(value)!r} does not exist (give a folder with config.json "
                             f"and pytorch_model.bin)")
        return value

    @pydantic.field_validator("resolution")
    @classmethod
    def _power_of_two(cls, value: int) -> int:
        if value < 32 or value & (value - 1):
            raise ValueError("must be a power of two ≥ 32")
        return value

    @pydantic.model_validator(mode="after")
    def _consistent(self) -> BigGanOptions:
        if self.class_index is not None and self.class_name is not None:
            raise ValueError("give class_index or class_name, not both")
        if self.checkpoint is not None:
            changed = [name for name in FRESH_MODEL_OPTIONS if getattr(self, name) != type(self).model_fields[name].default]
            if changed:
                raise ValueError(f"{', '.join(changed)} describe a fresh model; a checkpoint brings its own architecture")
        return self


def build_generator(options: BigGanOptions):
    from gigs_biggan import loading

    return loading.build_generator(options)


@hookimpl
def register_generators(register):
    register("biggan", BigGanOptions, build_generator,
             description="BigGAN-deep (Brock et al. 2019) from a pytorch-pretrained-BigGAN folder, one class (or "
                         "each item's category) and truncation; the latent is the truncated-normal noise.")


@hookimpl
def register_trainers(register):
    from gigs_biggan.command import train_generator

    register("generator", "biggan", train_generator,
             description="Train a small class-conditional BigGAN-deep on a catalogue's categories; resumable.")
