"""A tiny csv catalogue on disk for the trainers' command tests."""

from __future__ import annotations


def write_catalogue(folder, categories=True):
    """Four 8×8 grey images (two categories, ``bag`` and ``shoe``, unless ``categories`` is false)
    with ``items.csv`` and ``interactions.csv``; returns ``folder``."""
    from PIL import Image

    folder.mkdir()
    rows = ["item_id,image,category" if categories else "item_id,image"]
    for index in range(4):
        Image.new("L", (8, 8), 40 * index).save(folder / f"{index}.png")
        rows.append(f"{index},{index}.png,{'shoe' if index % 2 else 'bag'}" if categories else f"{index},{index}.png")
    (folder / "items.csv").write_text("\n".join(rows) + "\n")
    (folder / "interactions.csv").write_text("user_id,item_id\n0,0\n0,1\n1,2\n1,3\n")
    return folder
