"""Fashion-MNIST (Xiao et al. 2017) from its IDX files.

The default location is Debian's ``dataset-fashion-mnist`` package,
``/usr/share/datasets/fashion-mnist/``; any folder holding
``train-images-idx3-ubyte[.gz]``, ``train-labels-idx1-ubyte[.gz]``,
``t10k-images-idx3-ubyte[.gz]`` and ``t10k-labels-idx1-ubyte[.gz]`` works.
Item ids 0..59999 are the official training images, 60000..69999 the test
images (:meth:`Dataset.catalog_split`). Images are 1×28×28, white garment on
black (the IDX convention), in [0, 1].
"""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

import numpy as np
import torch

from gigs_core.data.dataset import BadImagePolicy, Catalogue, Dataset
from gigs_core.errors import DataError

DEFAULT_DIR = Path("/usr/share/datasets/fashion-mnist")
CATEGORY_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str | Path) -> np.ndarray:
    """An IDX file (optionally gzipped) as a numpy array (Y. LeCun's MNIST format)."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            raw = handle.read()
    except (OSError, EOFError) as exc:
        raise DataError(f"cannot read IDX file {str(path)!r} ({exc})") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _DTYPES:
        raise DataError(f"{str(path)!r} is not an IDX file (bad magic number)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{str(path)!r} is a truncated IDX file")
    shape = tuple(int.from_bytes(raw[4 + 4 * k : 8 + 4 * k], "big") for k in range(ndim))
    dtype = np.dtype(_DTYPES[raw[2]])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header != expected:
        raise DataError(
            f"{str(path)!r} holds {len(raw) - header} data bytes but its header promises {expected} (shape {shape})"
        )
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)


def find_idx_file(folder: Path, stem: str) -> Path:
    for name in (stem + ".gz", stem):
        if (folder / name).is_file():
            return folder / name
    raise DataError(f"{str(folder)!r} has no {stem}[.gz]; Fashion-MNIST needs the four IDX files there")


def load_fashion_mnist(folder: str | Path | None = None) -> Catalogue:
    """The Fashion-MNIST catalogue (70,000 items) from ``folder`` (Debian's location by default)."""
    folder = Path(folder) if folder else DEFAULT_DIR
    if not folder.is_dir():
        hint = " (install the Debian package dataset-fashion-mnist)" if folder == DEFAULT_DIR else ""
        raise DataError(f"Fashion-MNIST folder {str(folder)!r} does not exist{hint}")
    stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.iterdir()) if "idx" in p.name)
    store, categories, n_train = _read_folder(str(folder.resolve()), stamp)

    def decode(item: int) -> torch.Tensor:
        return store[item][None].float() / 255.0

    def decode_many(items: np.ndarray) -> torch.Tensor:
        return store[torch.from_numpy(items)][:, None].float() / 255.0

    return Catalogue(
        num_items=len(store),
        decode=decode,
        decode_many=decode_many,
        categories=categories,
        category_names=list(CATEGORY_NAMES),
        image_shape=(1,) + tuple(store.shape[1:]),
        partitions={"train": np.arange(n_train), "test": np.arange(n_train, len(store))},
    )


def open_fashion_mnist(location: str | None, *, on_bad_image: BadImagePolicy = "fail") -> Dataset:
    """The ``fashion-mnist[:DIR]`` dataset format: the catalogue without interactions."""
    spec = f"fashion-mnist:{location}" if location else "fashion-mnist"
    return Dataset(load_fashion_mnist(location), name="fashion-mnist", on_bad_image=on_bad_image,
                   metadata={"spec": spec})


@functools.lru_cache(maxsize=2)
def _read_folder(folder: str, _stamp: tuple) -> tuple[torch.Tensor, np.ndarray, int]:
    """Decoded pixels (uint8, read-only use), labels and the train count; cached per folder
    and file state (``_stamp``), so reopening the catalogue is free."""
    folder_path = Path(folder)
    pixels, labels = [], []
    for part in ("train", "test"):
        images = read_idx(find_idx_file(folder_path, IDX_FILES[part][0]))
        targets = read_idx(find_idx_file(folder_path, IDX_FILES[part][1]))
        if images.ndim != 3 or targets.ndim != 1 or len(images) != len(targets):
            raise DataError(f"Fashion-MNIST {part} files in {folder!r} disagree: images {images.shape}, labels {targets.shape}")
        pixels.append(images)
        labels.append(targets)
    array = np.ascontiguousarray(np.concatenate(pixels))
    categories = np.concatenate(labels).astype(np.int64)
    if categories.size and (categories.min() < 0 or categories.max() >= len(CATEGORY_NAMES)):
        raise DataError(f"Fashion-MNIST labels in {folder!r} fall outside 0..9")
    categories.setflags(write=False)
    return torch.from_numpy(array), categories, len(pixels[0])
