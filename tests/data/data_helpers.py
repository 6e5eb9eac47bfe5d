"""Fixtures writing tiny datasets in every supported format."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np


def write_idx(path: Path, array: np.ndarray, compress: bool = True) -> Path:
    """An IDX file (unsigned bytes) holding ``array``."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(struct.pack(">I", n) for n in array.shape)
    payload = header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()
    if compress:
        path = path.with_name(path.name + ".gz")
        with gzip.open(path, "wb") as handle:
            handle.write(payload)
    else:
        path.write_bytes(payload)
    return path


def make_idx_folder(folder: Path, n_train: int = 12, n_test: int = 5, seed: int = 0, compress: bool = True):
    """Fashion-MNIST-shaped IDX files with random garments; returns (pixels, labels)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    pixels = rng.integers(0, 256, size=(n_train + n_test, 28, 28), dtype=np.uint8)
    # give every image a clear "garment": a bright box of random size on a dark frame
    pixels[:] = pixels // 8
    for k in range(len(pixels)):
        h, w = rng.integers(6, 26, size=2)
        top, left = (28 - h) // 2, (28 - w) // 2
        pixels[k, top:top + h, left:left + w] = rng.integers(80, 256)
    labels = rng.integers(0, 10, size=n_train + n_test).astype(np.uint8)
    write_idx(folder / "train-images-idx3-ubyte", pixels[:n_train], compress)
    write_idx(folder / "train-labels-idx1-ubyte", labels[:n_train], compress)
    write_idx(folder / "t10k-images-idx3-ubyte", pixels[n_train:], compress)
    write_idx(folder / "t10k-labels-idx1-ubyte", labels[n_train:], compress)
    return pixels, labels




def jpeg_bytes(seed: int, size: tuple[int, int] = (20, 16)) -> bytes:
    """A small random JPEG."""
    import io

    from PIL import Image

    rng = np.random.default_rng(seed)
    array = rng.integers(0, 256, size=(size[1], size[0], 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(array, "RGB").save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def write_dvbpr_npy(path: Path, train, validation, test, jpegs, categories, n_categories: int = 6,
                    users_as_dict: bool = True, extra_item_keys: bool = True, protocol: int | None = None) -> Path:
    """A file in the DVBPR layout: Python-2-style bytes keys, JPEG bytes, one-hot categories."""
    def record(item: int) -> dict:
        return {b"productid": int(item), b"reviewerID": b"A%d" % item}

    user_train = {u: [record(i) for i in items] for u, items in enumerate(train)}
    user_validation = {u: record(items[0]) for u, items in enumerate(validation) if items}
    user_test = {u: record(items[0]) for u, items in enumerate(test) if items}
    if not users_as_dict:
        user_train = [user_train[u] for u in range(len(train))]
    items = []
    for i, (data, category) in enumerate(zip(jpegs, categories)):
        onehot = np.zeros(n_categories, dtype=np.float32)
        onehot[category] = 1
        entry = {b"imgs": data, b"c": onehot}
        if extra_item_keys:
            entry[b"asin"] = b"B%05d" % i
        items.append(entry)
    parts = [user_train, user_validation, user_test, items, len(train), len(jpegs)]
    array = np.empty(len(parts), dtype=object)
    for k, part in enumerate(parts):
        array[k] = part
    if protocol is None:
        np.save(path, array, allow_pickle=True)
    else:  # e.g. protocol 2, the highest Python 2 could write
        import pickle

        with open(path, "wb") as handle:
            np.lib.format.write_array_header_1_0(handle, {"descr": "|O", "fortran_order": False, "shape": array.shape})
            pickle.dump(array, handle, protocol=protocol)
    return path
