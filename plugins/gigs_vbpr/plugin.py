"""Registers the ``vbpr-timm`` recommender and its trainer
(``gigs train recommender --recommender vbpr-timm``). No torch import here."""

from __future__ import annotations

from pathlib import Path

import pydantic

from gigs_core import hookimpl
from gigs_core.options import CheckpointOptions, existing_checkpoint

#: Options that describe a new model; a saved checkpoint already fixes them.
NEW_MODEL_OPTIONS = ("model", "pretrained", "backbone_checkpoint", "input_size", "k", "num_users", "seed")


class VbprOptions(CheckpointOptions):
    """Options of the ``vbpr-timm`` recommender.

    With ``checkpoint`` (a ``.safetensors`` written by gigs, ``.json`` beside it)
    everything comes from the file. Without one, an untrained model is built on
    the timm backbone ``model``.
    """

    model: str = "resnet10t"
    """The timm backbone f (any name in ``timm.list_models()``). A small ResNet whose shortcuts average
    (a random-weight resnet18 sees one corner pixel of a small image: see docs/backends/vbpr-timm.md)."""
    pretrained: bool = False
    """timm's pretrained weights for the backbone, from the local Hugging Face cache only
    (never downloaded); an error naming the model when they are absent."""
    backbone_checkpoint: Path | None = None
    """A state-dict file (safetensors or torch) for the backbone; classifier-head keys are ignored."""
    input_size: int | None = pydantic.Field(default=None, ge=8)
    """Square size images are resized to before the backbone; default the backbone's pretrained size."""
    k: int = pydantic.Field(default=20, ge=1)
    """Dimension K of θ_u and of the embedding E."""
    num_users: int = pydantic.Field(default=1, ge=1)
    """Number of users (untrained models only)."""
    seed: int = 0
    """Seed of the initial weights (untrained models only)."""

    @pydantic.field_validator("backbone_checkpoint")
    @classmethod
    def _backbone_file_exists(cls, value: Path | None) -> Path | None:
        from gigs_core.errors import CheckpointError

        try:
            return None if value is None else existing_checkpoint(value)
        except CheckpointError as exc:
            raise ValueError(str(exc)) from None

    @pydantic.model_validator(mode="after")
    def _checkpoint_fixes_the_model(self) -> VbprOptions:
        clashing = sorted(set(NEW_MODEL_OPTIONS) & self.model_fields_set) if self.checkpoint is not None else []
        if clashing:
            raise ValueError(f"checkpoint= already fixes {', '.join(clashing)}; drop them or drop checkpoint=")
        return self


def build_vbpr(options: VbprOptions):
    if options.checkpoint is not None:
        from gigs_vbpr.checkpoints import load_vbpr

        return load_vbpr(options.checkpoint)
    from gigs_vbpr.building import new_vbpr

    return new_vbpr(options.num_users, model=options.model, pretrained=options.pretrained,
                    backbone_checkpoint=options.backbone_checkpoint, input_size=options.input_size, k=options.k,
                    seed=options.seed)


@hookimpl
def register_recommenders(register):
    register(
        "vbpr-timm",
        VbprOptions,
        build_vbpr,
        description="VBPR (He & McAuley 2016): θ_uᵀE·f(x) + β'ᵀf(x) on a timm backbone f (resnet10t by default).",
    )


@hookimpl
def register_trainers(register):
    from gigs_vbpr.command import recommender

    register("recommender", "vbpr-timm", recommender)
