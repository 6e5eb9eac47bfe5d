"""Reading other codebases' pickled ProGAN files without their code and without
executing anything from the file.

Files load through ``torch.load(weights_only=True)``, whose unpickler only
builds tensors, containers and primitive values. pytorch_GAN_zoo checkpoints
also hold a pickled ``models.utils.config.BaseConfig`` object; that one class
name is mapped to :class:`GanZooConfig`, an inert attribute bag, so the
object's fields can be read. Any other class in a file is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

GAN_ZOO_CONFIG_CLASS = "models.utils.config.BaseConfig"


class GanZooConfig:
    """Stand-in for pytorch_GAN_zoo's ``BaseConfig``: holds the unpickled attributes, does nothing else."""

    def __repr__(self) -> str:
        return f"GanZooConfig({vars(self)!r})"


def read_foreign(path: str | Path) -> Any:
    """The object in a pickled torch file, read safely (see the module docstring)."""
    import torch

    from gigs_core.checkpoints import load_torch_file

    with torch.serialization.safe_globals([(GanZooConfig, GAN_ZOO_CONFIG_CLASS)]):
        return load_torch_file(path)
