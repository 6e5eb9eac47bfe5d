"""A plain folder: ``items.csv`` + ``interactions.csv``.

``items.csv`` has a header with ``item_id`` and ``image`` (a path relative to
the folder, or absolute) and optionally ``category``. ``interactions.csv`` has
``user_id`` and ``item_id`` and optionally ``timestamp`` (a number or an ISO
date). Ids are any strings; gigs numbers items in ``items.csv`` order and users
in order of first appearance (``dataset.item_keys`` / ``dataset.user_keys``
map back). Each user's interactions are ordered by timestamp (file order when
there is none or on ties) and split leave-one-out: the latest is the test
item, the one before it the validation item.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import numpy as np
import torch

from gigs_core.data.dataset import BadImagePolicy, Catalogue, Dataset
from gigs_core.data.splits import leave_one_out
from gigs_core.errors import DataError


def _rows(path: Path, required: tuple[str, ...]) -> tuple[list[str], list[dict[str, str]]]:
    if not path.is_file():
        raise DataError(f"{str(path)!r} does not exist")
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        fields = [f.strip() for f in (reader.fieldnames or [])]
        missing = [name for name in required if name not in fields]
        if missing:
            raise DataError(f"{str(path)!r} lacks column(s) {', '.join(missing)} (has: {', '.join(fields) or 'none'})")
        rows = [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]
    return fields, rows


def _time(value: str, where: str) -> float:
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        raise DataError(f"{where}: timestamp {value!r} is neither a number nor an ISO date") from None


def open_csv_folder(folder: str | Path | None, *, on_bad_image: BadImagePolicy = "fail") -> Dataset:
    """The ``csv:DIR`` dataset format."""
    if folder is None:
        raise DataError("dataset format 'csv' needs a folder: 'csv:DIR'")
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"dataset folder {str(folder)!r} does not exist")
    item_fields, item_rows = _rows(folder / "items.csv", ("item_id", "image"))
    if not item_rows:
        raise DataError(f"{str(folder / 'items.csv')!r} lists no items")
    index: dict[str, int] = {}
    paths: list[Path] = []
    category_names: list[str] = []
    category_index: dict[str, int] = {}
    categories = np.full(len(item_rows), -1, dtype=np.int64)
    for line, row in enumerate(item_rows, start=2):
        key = row["item_id"]
        if key in index:
            raise DataError(f"items.csv line {line}: item_id {key!r} appears twice")
        index[key] = len(paths)
        image = Path(row["image"])
        paths.append(image if image.is_absolute() else folder / image)
        name = row.get("category", "")
        if name:
            if name not in category_index:
                category_index[name] = len(category_names)
                category_names.append(name)
            categories[index[key]] = category_index[name]

    inter_fields, inter_rows = _rows(folder / "interactions.csv", ("user_id", "item_id"))
    timed = "timestamp" in inter_fields
    users: dict[str, int] = {}
    sequences: list[list[tuple[float, int, int]]] = []
    for line, row in enumerate(inter_rows, start=2):
        item_key = row["item_id"]
        if item_key not in index:
            raise DataError(f"interactions.csv line {line}: item_id {item_key!r} is not in items.csv")
        user = users.setdefault(row["user_id"], len(users))
        if user == len(sequences):
            sequences.append([])
        stamp = _time(row["timestamp"], f"interactions.csv line {line}") if timed and row["timestamp"] else 0.0
        sequences[user].append((stamp, line, index[item_key]))
    train, validation, test = [], [], []
    for sequence in sequences:
        ordered = [item for _, _, item in sorted(sequence)]
        a, b, c = leave_one_out(ordered)
        train.append(a)
        validation.append(b)
        test.append(c)

    def decode(item: int) -> torch.Tensor:
        from gigs_core.imaging import load_image

        return load_image(paths[item])[0]

    catalogue = Catalogue(
        num_items=len(paths),
        decode=decode,
        categories=categories,
        category_names=category_names,
        item_keys=list(index),
    )
    return Dataset(catalogue, train, validation, test, name=folder.name, on_bad_image=on_bad_image,
                   user_keys=list(users), metadata={"spec": f"csv:{folder}", "timestamps": timed})
