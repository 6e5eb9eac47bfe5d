"""The :class:`Dataset` every format opens into: a catalogue plus interactions.

A dataset has items ``0..num_items-1`` (each with a category and an image that
is decoded only when asked for) and users ``0..num_users-1`` whose
interactions are split into ``train[u]``, ``validation[u]`` and ``test[u]``
(lists of item ids; validation/test usually hold one item each, the
leave-one-out protocol).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import torch

from gigs_core.errors import DataError, UserInputError

log = logging.getLogger(__name__)

BadImagePolicy = Literal["fail", "skip"]
SPLITS = ("train", "validation", "test")
#: The category name of an item whose source gives it none.
UNKNOWN_CATEGORY = "unknown"


@dataclass
class Catalogue:
    """Items of a dataset. ``decode(i)`` returns a C×H×W float tensor in [0, 1]
    or raises :class:`DataError`; ``categories`` holds one int per item (−1 when
    unknown)."""

    num_items: int
    decode: Callable[[int], torch.Tensor]
    categories: np.ndarray
    category_names: list[str]
    image_shape: tuple[int, int, int] | None = None
    """``(C, H, W)`` when every image has the same shape (used for placeholders)."""
    partitions: dict[str, np.ndarray] = field(default_factory=dict)
    """The catalogue's official partitions (e.g. Fashion-MNIST's train/test)."""
    item_keys: list[str] | None = None
    """The item ids of the source (e.g. ``items.csv``), in item-id order."""
    decode_many: Callable[[np.ndarray], torch.Tensor] | None = None
    """Optional fast path: N×C×H×W images of many ids at once (same-size catalogues)."""


class Dataset:
    """A catalogue and per-user interactions, as :func:`open_dataset` returns it."""

    def __init__(
        self,
        catalogue: Catalogue,
        train: Sequence[Sequence[int]] = (),
        validation: Sequence[Sequence[int]] = (),
        test: Sequence[Sequence[int]] = (),
        *,
        name: str = "dataset",
        on_bad_image: BadImagePolicy = "fail",
        user_keys: list[str] | None = None,
        metadata: dict | None = None,
    ) -> None:
        if on_bad_image not in ("fail", "skip"):
            raise UserInputError(f"on_bad_image must be 'fail' or 'skip', not {on_bad_image!r}")
        self.catalogue = catalogue
        self.name = name
        self.on_bad_image = on_bad_image
        self.user_keys = user_keys
        self.metadata = dict(metadata or {})
        num_users = max(len(train), len(validation), len(test))
        self.train = _pad([list(map(int, items)) for items in train], num_users)
        self.validation = _pad([list(map(int, items)) for items in validation], num_users)
        self.test = _pad([list(map(int, items)) for items in test], num_users)
        self.bad_items: set[int] = set()
        self._check_ids()

    # -- sizes -----------------------------------------------------------------
    @property
    def num_users(self) -> int:
        return len(self.train)

    @property
    def num_items(self) -> int:
        return self.catalogue.num_items

    @property
    def category_names(self) -> list[str]:
        return list(self.catalogue.category_names)

    @property
    def num_interactions(self) -> int:
        return sum(len(items) for split in (self.train, self.validation, self.test) for items in split)

    def users_with(self, split: str) -> np.ndarray:
        """Ids of users with at least one item in ``split``."""
        lists = self._split_lists(split)
        return np.array([u for u, items in enumerate(lists) if items], dtype=np.int64)

    def _split_lists(self, split: str) -> list[list[int]]:
        if split not in SPLITS:
            raise UserInputError(f"unknown split {split!r}; splits: {', '.join(SPLITS)}")
        return getattr(self, split)

    # -- items -----------------------------------------------------------------
    def check_item(self, item: int) -> int:
        item = int(item)
        if not 0 <= item < self.num_items:
            raise UserInputError(f"item id {item} is out of range; this dataset has items 0..{self.num_items - 1}")
        return item

    def category(self, item: int) -> int:
        """The category index of ``item`` (−1 when the source has none)."""
        return int(self.catalogue.categories[self.check_item(item)])

    def category_name(self, item: int) -> str:
        index = self.category(item)
        return self.catalogue.category_names[index] if index >= 0 else UNKNOWN_CATEGORY

    def catalog_split(self, name: str) -> np.ndarray:
        """Item ids of the catalogue's official partition ``name`` (``"train"``/``"test"``)."""
        parts = self.catalogue.partitions
        if name not in parts:
            have = ", ".join(sorted(parts)) or "none"
            raise UserInputError(f"{self.name} has no catalogue partition {name!r} (partitions: {have})")
        return parts[name]

    def image(self, item: int) -> torch.Tensor:
        """Item ``item``'s image as a C×H×W float tensor in [0, 1], decoded now.

        A corrupt image raises :class:`DataError` (``on_bad_image="fail"``) or
        is replaced by a mid-grey placeholder, counted in :attr:`bad_items` and
        logged once (``on_bad_image="skip"``).
        """
        image = self._decode(self.check_item(item))
        return image if image is not None else torch.full(self.catalogue.image_shape or (3, 64, 64), 0.5)

    def _decode(self, item: int) -> torch.Tensor | None:
        """The decoded image, or ``None`` for a skipped bad image."""
        try:
            return self.catalogue.decode(item)
        except DataError as exc:
            if self.on_bad_image == "fail":
                raise DataError(
                    f"{self.name}: item {item}: {exc} (open the dataset with on_bad_image='skip' to skip such items)"
                ) from None
            if item not in self.bad_items:
                self.bad_items.add(item)
                log.warning("%s: skipping item %d (%s); %d bad image(s) so far", self.name, item, exc, len(self.bad_items))
            return None

    def images(self, items: Sequence[int] | torch.Tensor | np.ndarray, size: int | None = None) -> torch.Tensor:
        """N×C×H×W images of ``items``; resized to ``size`` (square) when given,
        which is required when the images differ in size. Grey and colour mixed
        are returned as colour."""
        from gigs_core.imaging import resize, to_channels

        ids = [int(i) for i in (items.tolist() if hasattr(items, "tolist") else items)]
        if not ids:
            raise UserInputError("no item ids given")
        if self.catalogue.decode_many is not None:
            for item in (min(ids), max(ids)):
                self.check_item(item)
            batch = self.catalogue.decode_many(np.asarray(ids, dtype=np.int64))
            return batch if size is None else resize(batch, size)
        for item in ids:
            self.check_item(item)
        decoded = [self._decode(i) for i in ids]
        good = [image for image in decoded if image is not None]
        shape = good[0].shape if good else (self.catalogue.image_shape or (3, 64, 64))
        decoded = [image if image is not None else torch.full(shape, 0.5) for image in decoded]
        channels = max(image.shape[0] for image in decoded)
        out = []
        for image in decoded:
            image = to_channels(image[None], channels)
            if size is not None:
                image = resize(image, size)
            out.append(image)
        shapes = {tuple(image.shape) for image in out}
        if len(shapes) > 1:
            raise DataError(f"{self.name}: images differ in size ({sorted(shapes)[:3]}…); pass size= to resize them")
        return torch.cat(out)

    def check_images(self, items: Sequence[int] | None = None) -> list[int]:
        """Decode ``items`` (all by default) and return the ids that fail."""
        bad = []
        for item in range(self.num_items) if items is None else items:
            try:
                self.catalogue.decode(int(item))
            except DataError:
                bad.append(int(item))
        return bad

    # -- validation ------------------------------------------------------------
    def _check_ids(self) -> None:
        for split in SPLITS:
            for user, items in enumerate(getattr(self, split)):
                for item in items:
                    if not 0 <= item < self.num_items:
                        raise DataError(
                            f"{self.name}: user {user} has {split} item {item}, outside the catalogue "
                            f"(items 0..{self.num_items - 1})"
                        )
        empty = sum(1 for items in self.train if not items)
        if empty and self.num_users:
            log.warning("%s: %d of %d users have no training interactions; training skips them", self.name, empty, self.num_users)

    def summary(self) -> dict:
        """Counts that ``gigs data info`` shows."""
        return {
            "name": self.name,
            "users": self.num_users,
            "items": self.num_items,
            "interactions": {split: sum(len(x) for x in getattr(self, split)) for split in SPLITS},
            "users_without_train": int(sum(1 for items in self.train if not items)),
            "categories": self.category_names,
            "catalogue_partitions": {name: int(len(ids)) for name, ids in self.catalogue.partitions.items()},
            "image_shape": list(self.catalogue.image_shape) if self.catalogue.image_shape else None,
        }

    def __repr__(self) -> str:
        return f"Dataset({self.name!r}, users={self.num_users}, items={self.num_items})"


def _pad(lists: list[list[int]], n: int) -> list[list[int]]:
    return lists + [[] for _ in range(n - len(lists))]
