"""Catalogues and interaction data: one entry point, :func:`open_dataset`.

Spec strings (see ``docs/data.md``):

``fashion-mnist`` / ``fashion-mnist:DIR``
    Fashion-MNIST IDX files (Debian's ``/usr/share/datasets/fashion-mnist`` by default).
``dvbpr:FILE.npy`` (or any path ending ``.npy``)
    The DVBPR partitioned files (Amazon Fashion/Men/Women, Tradesy).
``csv:DIR`` (or a folder holding ``items.csv``)
    ``items.csv`` + ``interactions.csv`` with a leave-one-out split.
``users:FILE`` (or a path ending ``.users.npz``)
    A synthetic-users file from ``gigs data synth-users``: its catalogue plus
    the sampled interactions.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gigs_core.errors import DataError

if TYPE_CHECKING:
    from gigs_core.data.dataset import BadImagePolicy, Dataset

FORMATS = {
    "fashion-mnist": "Fashion-MNIST IDX files: 'fashion-mnist' or 'fashion-mnist:DIR'",
    "dvbpr": "DVBPR partitioned .npy: 'dvbpr:FILE.npy' or FILE.npy",
    "csv": "folder with items.csv + interactions.csv: 'csv:DIR' or DIR",
    "users": "synthetic users file: 'users:FILE' or FILE.users.npz",
}


def format_list() -> str:
    return "; ".join(FORMATS.values())


def parse_spec(spec: str | Path) -> tuple[str, str | None]:
    """``(format, location)`` of a dataset spec string."""
    text = str(spec).strip()
    if not text:
        raise DataError(f"empty dataset spec; known formats: {format_list()}")
    head, sep, rest = text.partition(":")
    if sep and head in FORMATS:
        return head, rest or None
    if text in FORMATS:
        return text, None
    path = Path(text)
    if text.endswith(".users.npz"):
        return "users", text
    if path.suffix == ".npy":
        return "dvbpr", text
    if path.is_dir() and (path / "items.csv").is_file():
        return "csv", text
    if path.is_dir() and any(path.glob("train-images-idx3-ubyte*")):
        return "fashion-mnist", text
    if path.is_file() and path.suffix == ".npz":
        return "users", text
    what = "a folder without items.csv or IDX files" if path.is_dir() else (
        "a file of no known format" if path.exists() else "neither a known format nor an existing path")
    raise DataError(f"dataset spec {text!r} is {what}; known formats: {format_list()}")


def open_dataset(spec: str | Path, *, on_bad_image: "BadImagePolicy" = "fail") -> "Dataset":
    """Open a dataset from a spec string (see the module docstring).

    ``on_bad_image``: ``"fail"`` raises a :class:`DataError` naming the item when
    an image cannot be decoded; ``"skip"`` substitutes a grey placeholder, logs a
    warning, and records the item in ``dataset.bad_items``.
    """
    from gigs_core.data.dataset import Dataset

    fmt, location = parse_spec(spec)
    if fmt == "fashion-mnist":
        from gigs_core.data.fashion_mnist import load_fashion_mnist

        return Dataset(load_fashion_mnist(location), name="fashion-mnist", on_bad_image=on_bad_image,
                       metadata={"spec": str(spec)})
    if location is None:
        raise DataError(f"dataset format {fmt!r} needs a path: {FORMATS[fmt]}")
    if fmt == "dvbpr":
        from gigs_core.data.dvbpr_npy import open_dvbpr_npy

        return open_dvbpr_npy(location, on_bad_image=on_bad_image)
    if fmt == "csv":
        from gigs_core.data.csv_folder import open_csv_folder

        return open_csv_folder(location, on_bad_image=on_bad_image)
    from gigs_core.data.synthetic import open_users_dataset

    return open_users_dataset(location, on_bad_image=on_bad_image)


def __getattr__(name: str):
    if name in ("Dataset", "Catalogue"):
        from gigs_core.data import dataset

        return getattr(dataset, name)
    raise AttributeError(f"module 'gigs_core.data' has no attribute {name!r}")


__all__ = ["open_dataset", "parse_spec", "FORMATS", "Dataset", "Catalogue"]
