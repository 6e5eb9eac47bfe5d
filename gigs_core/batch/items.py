"""``--items``: a folder of photos, a CSV of photo paths (optional ids and categories), or a
dataset spec (every item of its catalogue). Checked before any model loads: a missing
photo, a duplicate id or a broken CSV is one line; a photo that exists but does not decode
is found by its job, which fails alone."""

from __future__ import annotations

from pathlib import Path

from gigs_core.batch.csv_table import read_csv_table
from gigs_core.batch.jobs import BatchItem
from gigs_core.errors import DataError, UserInputError

#: Files of a photo folder that are taken as items.
PHOTO_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff"})


def read_items(spec: str) -> list[BatchItem]:
    """The items ``spec`` names, in order (a folder's photos by file name)."""
    path = Path(spec)
    if path.suffix.lower() == ".csv":
        if not path.is_file():
            raise UserInputError(f"--items {spec!r}: no such CSV file")
        return _csv_items(path)
    if path.is_dir() and not _is_dataset(spec):
        return _folder_items(path)
    return _dataset_items(spec)


def _is_dataset(spec: str) -> bool:
    """Whether a registered dataset format claims the folder ``spec`` (e.g. one with ``items.csv``)."""
    from gigs_core.data import parse_spec

    try:
        parse_spec(spec)
    except DataError:
        return False
    return True


def _folder_items(folder: Path) -> list[BatchItem]:
    photos = sorted(entry for entry in folder.iterdir() if entry.suffix.lower() in PHOTO_SUFFIXES and entry.is_file())
    if not photos:
        raise DataError(f"--items folder {str(folder)!r} holds no photos ({', '.join(sorted(PHOTO_SUFFIXES))})")
    items, seen = [], {}
    for photo in photos:
        if photo.stem in seen:
            raise DataError(f"photos {seen[photo.stem].name!r} and {photo.name!r} in {str(folder)!r} share the id "
                            f"{photo.stem!r}; rename one (an item's id is its file name without extension)")
        seen[photo.stem] = photo
        items.append(BatchItem(id=photo.stem, source=str(photo)))
    return items


def _csv_items(path: Path) -> list[BatchItem]:
    items, lines = [], {}
    for row in read_csv_table(path, required=["path"], optional=["id", "category"]):
        where = f"{str(path)!r} line {row.line}"
        if not row.values["path"]:
            raise DataError(f"{where} has an empty path; give the photo's path")
        photo = Path(row.values["path"])
        photo = photo if photo.is_absolute() else path.parent / photo
        if not photo.is_file():
            raise DataError(f"{where}: photo {row.values['path']!r} does not exist "
                            f"(relative paths are from the CSV's folder); fix the path or remove the line")
        item_id = row.values.get("id") or photo.stem
        if item_id in lines:
            raise DataError(f"{where} repeats the item id {item_id!r} of line {lines[item_id]}; ids must be unique")
        lines[item_id] = row.line
        items.append(BatchItem(id=item_id, source=str(photo), category=row.values.get("category", "")))
    if not items:
        raise DataError(f"{str(path)!r} lists no items; add one row per photo under the header")
    return items


def _dataset_items(spec: str) -> list[BatchItem]:
    from gigs_core.data import open_dataset

    dataset = open_dataset(spec)
    keys = dataset.catalogue.item_keys or [str(index) for index in range(dataset.num_items)]
    if len(set(keys)) != len(keys):
        raise DataError(f"dataset {spec!r} repeats item ids; its item keys must be unique")
    return [BatchItem(id=key, source=spec, index=index, category=dataset.category_name(index))
            for index, key in enumerate(keys)]


def select_items(items: list[BatchItem], only: str | None) -> list[BatchItem]:
    """The items whose ids ``--only`` lists (comma-separated), in its order; all without it."""
    if only is None:
        return items
    wanted = [part.strip() for part in only.split(",") if part.strip()]
    if not wanted:
        raise UserInputError("--only lists no item ids; give ids separated by commas")
    by_id = {item.id: item for item in items}
    unknown = [item_id for item_id in wanted if item_id not in by_id]
    if unknown:
        sample = ", ".join(list(by_id)[:5]) + (", …" if len(by_id) > 5 else "")
        raise UserInputError(f"--only names unknown item {unknown[0]!r}; the items are {sample}")
    return [by_id[item_id] for item_id in dict.fromkeys(wanted)]
