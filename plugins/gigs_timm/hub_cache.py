"""timm's pretrained weights, read from the local Hugging Face cache only.

timm would download missing weights whenever ``HF_HUB_OFFLINE`` is unset; gigs
never downloads, so it looks the file up in the cache itself
(``huggingface_hub.try_to_load_from_cache``: ``$HF_HUB_CACHE``, by default
``~/.cache/huggingface/hub``) and reads it with :mod:`gigs_core.checkpoints`
(safetensors, or a pickle with ``weights_only=True``). The repository and file
names are timm's: a model's pretrained config names its Hugging Face repository
(``hf_hub_id``, e.g. ``timm/resnet18.a1_in1k``) and timm's hub loader prefers
``model.safetensors`` over ``pytorch_model.bin`` (timm/models/_hub.py).
"""

from __future__ import annotations

from pathlib import Path

import torch

from gigs_core.checkpoints import read_state_file
from gigs_core.errors import MissingWeightsError

WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def cached_weights_file(model: str) -> Path:
    """The cached weights file of timm model ``model`` (``arch`` or ``arch.tag``), or a one-line error."""
    from huggingface_hub import constants, try_to_load_from_cache
    from timm.models import get_pretrained_cfg

    config = get_pretrained_cfg(model)
    hub_id = getattr(config, "hf_hub_id", None)
    if not hub_id:
        raise MissingWeightsError(f"timm model {model!r} has no pretrained weights on the Hugging Face hub; "
                                  "pass checkpoint=PATH or pretrained=false")
    for filename in WEIGHT_FILES:
        found = try_to_load_from_cache(hub_id, filename)
        if isinstance(found, str):
            return Path(found)
    raise MissingWeightsError(
        f"pretrained weights for timm model {model!r} ({hub_id}) are not in the Hugging Face cache "
        f"{constants.HF_HUB_CACHE} and gigs never downloads; fetch them once (hf download {hub_id}), "
        "or pass checkpoint=PATH or pretrained=false"
    )


def cached_state_dict(model: str) -> dict[str, torch.Tensor]:
    """The state dict of ``model``'s cached pretrained weights (see :func:`cached_weights_file`)."""
    return read_state_file(cached_weights_file(model))
