"""Recognising NVlabs StyleGAN2 pickles, which gigs refuses to load.

The official TensorFlow pickles (``stylegan2``: ``dnnlib.tflib.network.Network``
objects) and the PyTorch ones (``stylegan2-ada-pytorch``, ``stylegan3``: objects
rebuilt by ``torch_utils.persistence``, whose pickles carry source code) only
unpickle by running NVlabs' code, and unpickling them runs whatever the file says.
gigs never does: it names the conversion to a rosinality checkpoint instead.
"""

from __future__ import annotations

from pathlib import Path

from gigs_core.errors import CheckpointError

ZIP_MAGIC = b"PK\x03\x04"
NVLABS_MODULES = (b"dnnlib", b"torch_utils")
HEAD_BYTES = 64 * 1024
"""NVlabs pickles name their classes at the start of the stream."""

CONVERSION = ("convert it to a rosinality stylegan2-pytorch checkpoint first — for the official "
              "TensorFlow pickles: python convert_weight.py --repo PATH/TO/NVlabs/stylegan2 FILE.pkl "
              "(rosinality's convert_weight.py writes FILE.pt with g_ema and latent_avg) — and pass that .pt")


def is_nvlabs_pickle(path: Path) -> bool:
    """True if ``path`` is a raw pickle (not a torch zip archive) naming NVlabs' modules."""
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
    return not head.startswith(ZIP_MAGIC) and any(name in head for name in NVLABS_MODULES)


def refuse_nvlabs_pickle(path: Path) -> None:
    """Raise a one-line :class:`CheckpointError` naming the conversion if ``path`` is an NVlabs pickle."""
    if is_nvlabs_pickle(path):
        raise CheckpointError(f"{str(path)!r} is an NVlabs StyleGAN pickle, which cannot be loaded without "
                              f"executing its code; {CONVERSION}")
