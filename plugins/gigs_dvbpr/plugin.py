"""Registers the ``dvbpr`` recommender, its trainer (``gigs train recommender --recommender dvbpr``)
and the DVBPR ``.npy`` dataset format. No torch import here."""

from __future__ import annotations

from typing import Literal

from gigs_core import hookimpl
from gigs_core.options import CheckpointOptions


class DvbprOptions(CheckpointOptions):
    """Options of the ``dvbpr`` recommender.

    With ``checkpoint`` the architecture comes from the file (our
    ``.safetensors`` + ``.json``, or a GIGS-authors ``.tar``/``.pt``); the other
    options then override it where given. Without one, an untrained model is
    built (Xavier init) for ``num_users`` users.
    """

    variant: Literal["cnnf", "cnnf-aip", "cnnf-small"] | None = None
    """``cnnf`` (Kang et al., 224 px), ``cnnf-aip`` (the GIGS authors' PyTorch geometry) or
    ``cnnf-small`` (32–64 px images). Default: the checkpoint's, else ``cnnf``
    (``cnnf-aip`` for authors' files)."""
    normalization: Literal["dvbpr", "aip", "unit"] | None = None
    """Input normalisation: ``dvbpr`` ([−1, 1]), ``aip`` (the authors' mean/std) or ``unit``.
    Default: the checkpoint's, else ``dvbpr`` (``aip`` for authors' files)."""
    input_size: int | None = None
    """Square input size; default 224 (``cnnf``, ``cnnf-aip``) or 32 (``cnnf-small``)."""
    k: int = 100
    """Latent dimension K (untrained models only)."""
    num_users: int = 1
    """Number of users (untrained models only)."""
    seed: int = 0
    """Seed of the initial weights (untrained models only)."""


def build_dvbpr(options: DvbprOptions):
    import torch

    from gigs_dvbpr.checkpoints import load_dvbpr
    from gigs_dvbpr.model import DVBPR

    if options.checkpoint is not None:
        model = load_dvbpr(options.checkpoint, variant=options.variant, normalization=options.normalization,
                           input_size=options.input_size)
    else:
        generator = torch.Generator().manual_seed(options.seed)
        torch_state = torch.random.get_rng_state()
        torch.manual_seed(options.seed)  # Xavier init draws from the global generator
        try:
            model = DVBPR(options.num_users, k=options.k, variant=options.variant or "cnnf",
                          input_size=options.input_size, normalization=options.normalization or "dvbpr",
                          generator=generator)
        finally:
            torch.random.set_rng_state(torch_state)
    return model.eval()


@hookimpl
def register_recommenders(register):
    register(
        "dvbpr",
        DvbprOptions,
        build_dvbpr,
        description="DVBPR (Kang et al. 2017): CNN-F features, per-user θ; our checkpoints or the GIGS authors'.",
    )


@hookimpl
def register_trainers(register):
    from gigs_dvbpr.command import recommender

    register("recommender", "dvbpr", recommender)


def _open_dvbpr_npy(location, *, on_bad_image):
    from gigs_dvbpr.dataset import open_dvbpr_npy

    if location is None:
        from gigs_core.errors import DataError

        raise DataError("dataset format 'dvbpr' needs a file: 'dvbpr:FILE.npy'")
    return open_dvbpr_npy(location, on_bad_image=on_bad_image)


@hookimpl
def register_datasets(register):
    register("dvbpr", _open_dvbpr_npy, description="DVBPR partitioned .npy (Amazon, Tradesy): 'dvbpr:FILE.npy' or "
             "FILE.npy", matches=lambda path: path.suffix == ".npy")
