"""Catalogues and interaction data: one entry point, :func:`open_dataset`.

A dataset spec is ``NAME`` or ``NAME:LOCATION``, where ``NAME`` is a format that
a plugin registered with the ``register_datasets`` hook; a bare path is claimed
by the format whose ``matches`` accepts it. The core registers the generic
formats (see ``docs/data.md``); ``gigs plugins`` lists every one:

``fashion-mnist`` / ``fashion-mnist:DIR``
    IDX files in the Fashion-MNIST layout (Debian's ``/usr/share/datasets/fashion-mnist`` by default).
``csv:DIR`` (or a folder holding ``items.csv``)
    ``items.csv`` + ``interactions.csv`` with a leave-one-out split.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gigs_core.errors import DataError

if TYPE_CHECKING:
    from gigs_core.data.dataset import BadImagePolicy, Dataset


def format_list() -> str:
    """``name (description); …`` for every registered dataset format."""
    from gigs_core import extensions

    formats = extensions.datasets()
    return "; ".join(f"{name} ({entry.description})" if entry.description else name
                     for name, entry in sorted(formats.items())) or "none (is a plugin installed?)"


def parse_spec(spec: str | Path) -> tuple[str, str | None]:
    """``(format, location)`` of a dataset spec string."""
    from gigs_core import extensions

    formats = extensions.datasets()
    text = str(spec).strip()
    if not text:
        raise DataError(f"empty dataset spec; known formats: {format_list()}")
    head, sep, rest = text.partition(":")
    if sep and head in formats:
        return head, rest or None
    if text in formats:
        return text, None
    path = Path(text)
    for name, entry in sorted(formats.items()):
        matches = entry.extra["matches"]
        if matches is not None and matches(path):
            return name, text
    what = "a folder of no known layout" if path.is_dir() else (
        "a file of no known format" if path.exists() else "neither a known format nor an existing path")
    raise DataError(f"dataset spec {text!r} is {what}; known formats: {format_list()}")


def open_dataset(spec: str | Path, *, on_bad_image: BadImagePolicy = "fail") -> Dataset:
    """Open a dataset from a spec string (see the module docstring).

    ``on_bad_image``: ``"fail"`` raises a :class:`DataError` naming the item when
    an image cannot be decoded; ``"skip"`` substitutes a grey placeholder, logs a
    warning, and records the item in ``dataset.bad_items``.
    """
    from gigs_core import extensions

    name, location = parse_spec(spec)
    return extensions.datasets()[name].value(location, on_bad_image=on_bad_image)


def __getattr__(name: str):
    if name in ("Dataset", "Catalogue"):
        from gigs_core.data import dataset

        return getattr(dataset, name)
    raise AttributeError(f"module 'gigs_core.data' has no attribute {name!r}")


__all__ = ["open_dataset", "parse_spec", "format_list", "Dataset", "Catalogue"]
