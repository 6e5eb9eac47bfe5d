"""The DVBPR partitioned files (Kang et al. 2017): Amazon Fashion/Men/Women, Tradesy.

A pickled list ``[user_train, user_validation, user_test, Item, usernum, itemnum]``
written by Python 2, so dict keys are ``bytes``:

* ``user_train[u]``: a list of dicts ``{b'productid': int, ...}``;
* ``user_validation[u]``, ``user_test[u]``: one such dict (or a list of them);
* ``Item[i][b'imgs']``: JPEG bytes; ``Item[i][b'c']``: a one-hot category
  vector (``b'asin'`` may be present).

The user containers may be lists or dicts keyed by user id. JPEG bytes stay
in memory undecoded; an image is decoded when asked for.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gigs_core.data.dataset import BadImagePolicy, Catalogue, Dataset
from gigs_core.errors import DataError
from gigs_dvbpr.safe_npy import load_pickled_npy

AMAZON_FASHION_CATEGORIES = 6


def _get(record: Any, key: str) -> Any:
    if isinstance(record, dict):
        for candidate in (key.encode(), key):
            if candidate in record:
                return record[candidate]
    raise KeyError(key)


def _by_user(container: Any, usernum: int, what: str) -> list[Any]:
    if isinstance(container, dict):
        return [container.get(u, []) for u in range(usernum)]
    if isinstance(container, (list, tuple, np.ndarray)):
        return list(container) + [[] for _ in range(usernum - len(container))]
    raise DataError(f"DVBPR file: {what} is a {type(container).__name__}, expected a list or dict of users")


def _ids(entry: Any, user: int, what: str) -> list[int]:
    records = [entry] if isinstance(entry, dict) else list(entry if entry is not None else [])
    ids = []
    for record in records:
        try:
            ids.append(int(_get(record, "productid")))
        except (KeyError, TypeError, ValueError):
            raise DataError(f"DVBPR file: {what} of user {user} has a record without an integer b'productid'") from None
    return ids


def decode_jpeg(data: bytes) -> torch.Tensor:
    """JPEG (or any PIL-readable) bytes as a 3×H×W float tensor in [0, 1]."""
    from PIL import Image, UnidentifiedImageError

    from gigs_core.imaging import pil_to_tensor

    try:
        with Image.open(io.BytesIO(bytes(data))) as image:
            image.load()
            return pil_to_tensor(image)[0]
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DataError(f"undecodable image bytes ({exc})") from None


def open_dvbpr_npy(path: str | Path, *, on_bad_image: BadImagePolicy = "fail") -> Dataset:
    """Open a DVBPR ``.npy`` file (loaded with a restricted unpickler)."""
    path = Path(path)
    obj = load_pickled_npy(path)
    parts = list(obj.tolist() if isinstance(obj, np.ndarray) and obj.dtype.hasobject else obj) if not isinstance(obj, list) else obj
    if len(parts) != 6:
        raise DataError(
            f"{str(path)!r} is not a DVBPR file: expected [user_train, user_validation, user_test, Item, usernum, itemnum], "
            f"got {len(parts)} parts"
        )
    user_train, user_validation, user_test, items, usernum, itemnum = parts
    try:
        usernum, itemnum = int(usernum), int(itemnum)
    except (TypeError, ValueError):
        raise DataError(f"{str(path)!r}: usernum/itemnum are not integers") from None
    if isinstance(items, dict):
        missing = [i for i in range(itemnum) if i not in items]
        if missing:
            raise DataError(f"{str(path)!r}: Item has no entry for item {missing[0]} (of {len(missing)} missing)")
        records = [items[i] for i in range(itemnum)]
    else:
        records = list(items)
        if len(records) < itemnum:
            raise DataError(f"{str(path)!r}: itemnum is {itemnum} but Item holds {len(records)} entries")
        records = records[:itemnum]
    jpegs: list[bytes] = []
    categories = np.full(itemnum, -1, dtype=np.int64)
    width = 0
    for i, record in enumerate(records):
        try:
            jpegs.append(_get(record, "imgs"))
        except KeyError:
            raise DataError(f"{str(path)!r}: item {i} has no b'imgs'") from None
        try:
            onehot = np.asarray(_get(record, "c")).reshape(-1)
        except KeyError:
            continue
        width = max(width, onehot.size)
        if onehot.size and onehot.max() > 0:
            categories[i] = int(np.argmax(onehot))
    train = [_ids(e, u, "user_train") for u, e in enumerate(_by_user(user_train, usernum, "user_train"))]
    validation = [_ids(e, u, "user_validation") for u, e in enumerate(_by_user(user_validation, usernum, "user_validation"))]
    test = [_ids(e, u, "user_test") for u, e in enumerate(_by_user(user_test, usernum, "user_test"))]

    def decode(item: int) -> torch.Tensor:
        return decode_jpeg(jpegs[item])

    catalogue = Catalogue(
        num_items=itemnum,
        decode=decode,
        categories=categories,
        category_names=[f"category {k}" for k in range(width)],
        image_shape=None,
        item_keys=None,
    )
    return Dataset(catalogue, train[:usernum], validation[:usernum], test[:usernum], name=path.name,
                   on_bad_image=on_bad_image, metadata={"spec": f"dvbpr:{path}"})
