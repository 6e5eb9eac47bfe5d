"""Synthetic users whose true taste is known.

Each user ``u`` has a utility over images ``x``::

    utility_u(x) = w_uᵀ a(x),   a(x) = (attributes(x) − mean) / std

with the attributes of :mod:`gigs_synthetic.attributes` standardised over the
catalogue. ``w_u`` = the weight vector of the user's *taste segment*
(:data:`SEGMENTS`) plus Gaussian noise (``user_noise``). Each user's
interactions are drawn without replacement from ``softmax(utility_u / temperature)``
over the item pool (the catalogue's ``train`` partition by default, so its
``test`` partition holds items no user has seen); the draw order is the
interaction order, and the split is leave-one-out (last → test, the one before
→ validation). Everything is a function of the seed.

The users file (``NAME.users.npz``, plain arrays, no pickles) holds the
weights, segments, standardisation, interactions and a JSON header naming the
catalogue spec; ``open_dataset("users:NAME.users.npz")`` reopens the data and
the ``ground-truth`` recommender scores any image with the true utility.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from gigs_core.data.dataset import BadImagePolicy, Dataset
from gigs_core.data.splits import leave_one_out
from gigs_core.errors import DataError, UserInputError
from gigs_synthetic.attributes import ATTRIBUTES, image_attributes

log = logging.getLogger(__name__)

FORMAT = "gigs-synthetic-users"
VERSION = 1

#: Named taste segments: weights over the standardised attributes
#: (darkness, area, aspect, texture, symmetry, vertical_mass, contrast).
SEGMENTS: dict[str, dict[str, float]] = {
    "minimalist": {"texture": -1.0, "contrast": -0.8, "symmetry": 0.8, "darkness": 0.3},
    "statement": {"contrast": 1.0, "texture": 0.8, "darkness": 0.6},
    "light-and-airy": {"darkness": -1.2, "area": -0.5, "texture": 0.3},
    "long-silhouette": {"aspect": 1.2, "area": 0.4, "vertical_mass": 0.3},
    "compact": {"area": -1.0, "aspect": -0.8, "vertical_mass": 0.6},
}


def segment_matrix(names: list[str] | None = None) -> tuple[list[str], np.ndarray]:
    """``(names, S×A weights)`` of the given segments (all by default)."""
    names = list(SEGMENTS) if names is None else list(names)
    unknown = [n for n in names if n not in SEGMENTS]
    if unknown:
        raise UserInputError(f"unknown taste segment(s) {', '.join(unknown)}; segments: {', '.join(SEGMENTS)}")
    matrix = np.zeros((len(names), len(ATTRIBUTES)), dtype=np.float32)
    for s, name in enumerate(names):
        for attribute, weight in SEGMENTS[name].items():
            matrix[s, ATTRIBUTES.index(attribute)] = weight
    return names, matrix


@dataclass
class SyntheticUsers:
    """Users with known utilities, and their sampled interactions."""

    weights: np.ndarray  # U×A float32
    segments: np.ndarray  # U int64 (index into segment_names)
    segment_names: list[str]
    segment_weights: np.ndarray  # S×A
    attr_mean: np.ndarray  # A
    attr_std: np.ndarray  # A
    train: list[list[int]]
    validation: list[list[int]]
    test: list[list[int]]
    meta: dict

    @property
    def num_users(self) -> int:
        return len(self.weights)

    def standardise(self, attributes: torch.Tensor) -> torch.Tensor:
        mean = attributes.new_tensor(self.attr_mean)
        std = attributes.new_tensor(self.attr_std)
        return (attributes - mean) / std

    def save(self, path: str | Path) -> Path:
        """Write ``path`` (``.users.npz`` is appended when missing)."""
        path = Path(path)
        if not path.name.endswith(".users.npz"):
            path = path.with_name(path.name.removesuffix(".npz") + ".users.npz")
        path.parent.mkdir(parents=True, exist_ok=True)
        header = dict(self.meta, format=FORMAT, version=VERSION, attributes=list(ATTRIBUTES),
                      segment_names=self.segment_names)
        arrays = {
            "header": np.frombuffer(json.dumps(header).encode(), dtype=np.uint8),
            "weights": self.weights.astype(np.float32),
            "segments": self.segments.astype(np.int64),
            "segment_weights": self.segment_weights.astype(np.float32),
            "attr_mean": self.attr_mean.astype(np.float32),
            "attr_std": self.attr_std.astype(np.float32),
        }
        for split in ("train", "validation", "test"):
            lists = getattr(self, split)
            arrays[f"{split}_offsets"] = np.cumsum([0] + [len(x) for x in lists]).astype(np.int64)
            arrays[f"{split}_items"] = np.array([i for x in lists for i in x], dtype=np.int64)
        temporary = path.with_name(f".{path.name}.tmp.npz")
        np.savez_compressed(temporary, **arrays)
        temporary.replace(path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> SyntheticUsers:
        path = Path(path)
        if not path.is_file():
            raise DataError(f"users file {str(path)!r} does not exist")
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {key: data[key] for key in data.files}
        except (ValueError, OSError, EOFError) as exc:
            raise DataError(f"{str(path)!r} is not a users file ({exc})") from None
        try:
            header = json.loads(arrays["header"].tobytes().decode())
        except (KeyError, ValueError):
            raise DataError(f"{str(path)!r} is not a gigs users file (no header)") from None
        if header.get("format") != FORMAT:
            raise DataError(f"{str(path)!r} is not a gigs users file (format {header.get('format')!r})")
        if header.get("version", 0) > VERSION:
            raise DataError(f"{str(path)!r} is users-file version {header['version']}; this gigs reads up to {VERSION}")
        if list(header.get("attributes", [])) != list(ATTRIBUTES):
            raise DataError(f"{str(path)!r} uses attributes {header.get('attributes')}, this gigs computes {list(ATTRIBUTES)}")

        def lists(split: str) -> list[list[int]]:
            offsets, items = arrays[f"{split}_offsets"], arrays[f"{split}_items"]
            return [items[offsets[u]:offsets[u + 1]].tolist() for u in range(len(offsets) - 1)]

        return cls(
            weights=arrays["weights"], segments=arrays["segments"], segment_names=list(header["segment_names"]),
            segment_weights=arrays["segment_weights"], attr_mean=arrays["attr_mean"], attr_std=arrays["attr_std"],
            train=lists("train"), validation=lists("validation"), test=lists("test"), meta=header,
        )


def catalogue_attributes(dataset: Dataset, *, background: str, resolution: int, batch: int = 2048,
                         progress: Callable[[int], None] | None = None) -> torch.Tensor:
    """N×A raw attributes of every item of ``dataset``."""
    out = []
    with torch.no_grad():
        for start in range(0, dataset.num_items, batch):
            ids = np.arange(start, min(start + batch, dataset.num_items))
            out.append(image_attributes(dataset.images(ids, size=resolution), background=background, resolution=resolution))
            if progress:
                progress(len(ids))
    return torch.cat(out)


def synthesize_users(
    dataset: Dataset,
    *,
    num_users: int = 5000,
    interactions_per_user: int = 12,
    segments: list[str] | None = None,
    temperature: float = 0.5,
    user_noise: float = 0.35,
    pool: str = "train",
    background: str = "dark",
    resolution: int = 28,
    seed: int = 0,
    spec: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> SyntheticUsers:
    """Draw users and their interactions over ``dataset``'s catalogue (deterministic by ``seed``)."""
    if num_users < 1:
        raise UserInputError("num_users must be at least 1")
    if interactions_per_user < 1:
        raise UserInputError("interactions_per_user must be at least 1")
    if temperature <= 0:
        raise UserInputError("temperature must be positive")
    pool_ids = np.arange(dataset.num_items) if pool == "all" else np.asarray(dataset.catalog_split(pool))
    if interactions_per_user > len(pool_ids):
        raise UserInputError(f"interactions_per_user {interactions_per_user} exceeds the {len(pool_ids)} items in the pool")
    names, seg_weights = segment_matrix(segments)
    raw = catalogue_attributes(dataset, background=background, resolution=resolution, progress=progress)
    mean = raw[pool_ids].mean(dim=0)
    std = raw[pool_ids].std(dim=0).clamp_min(1e-6)
    standard = ((raw - mean) / std)[pool_ids]
    generator = torch.Generator().manual_seed(int(seed))
    segment_of = torch.randint(len(names), (num_users,), generator=generator)
    weights = torch.from_numpy(seg_weights)[segment_of] + user_noise * torch.randn(num_users, len(ATTRIBUTES), generator=generator)
    train, validation, test = [], [], []
    chunk = max(1, 4_000_000 // len(pool_ids))
    for start in range(0, num_users, chunk):
        logits = weights[start:start + chunk] @ standard.T / temperature
        probs = torch.softmax(logits.double(), dim=1)
        draws = torch.multinomial(probs, interactions_per_user, replacement=False, generator=generator)
        for row in pool_ids[draws.numpy()]:
            a, b, c = leave_one_out(row.tolist())
            train.append(a)
            validation.append(b)
            test.append(c)
    meta = {
        "catalogue": spec if spec is not None else dataset.metadata.get("spec", dataset.name),
        "seed": int(seed), "temperature": float(temperature), "user_noise": float(user_noise), "pool": pool,
        "background": background, "resolution": int(resolution), "interactions_per_user": int(interactions_per_user),
    }
    return SyntheticUsers(
        weights=weights.numpy().astype(np.float32), segments=segment_of.numpy().astype(np.int64), segment_names=names,
        segment_weights=seg_weights, attr_mean=mean.numpy(), attr_std=std.numpy(),
        train=train, validation=validation, test=test, meta=meta,
    )


def open_users_dataset(path: str | Path, *, on_bad_image: BadImagePolicy = "fail") -> Dataset:
    """The catalogue named in a users file together with its sampled interactions."""
    from gigs_core.data import open_dataset

    users = SyntheticUsers.load(path)
    base = open_dataset(users.meta["catalogue"], on_bad_image=on_bad_image)
    dataset = Dataset(base.catalogue, users.train, users.validation, users.test, name=f"{base.name}+{Path(path).name}",
                      on_bad_image=on_bad_image, metadata={"spec": f"users:{path}", "users_file": str(path)})
    return dataset
