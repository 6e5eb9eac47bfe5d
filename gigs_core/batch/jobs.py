"""Items, segments and jobs: one job per (item, segment), with a stable key and seed.

The key names the job's folder and the seed drives its randomness; both are functions of
the item id and the segment name only, so a job's result does not depend on which other
jobs ran, how they were batched, or on which engine.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from gigs_core.method.seeds import derive_seed


@dataclass(frozen=True)
class BatchItem:
    """One item of the catalogue: a photo file (``index is None``), or item ``index`` of
    the dataset opened from the spec ``source``."""

    id: str
    source: str
    index: int | None = None
    category: str = ""


@dataclass(frozen=True)
class Segment:
    """A user group: explicit ``users`` (from a CSV), or a ``name`` the runner resolves
    (``all``, ``random:N``, or a segment of the default run such as the demo's)."""

    name: str
    users: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Job:
    item: BatchItem
    segment: Segment
    key: str
    seed: int


def slug(text: str, limit: int = 40) -> str:
    """``text`` reduced to letters, digits, ``.``, ``_`` and ``-`` (never empty)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")[:limit]
    return cleaned or "x"


def job_key(item_id: str, segment: str) -> str:
    """``ITEM--SEGMENT-HASH``: readable, safe as a folder name, and unique even when two ids
    reduce to the same readable part (the hash is of the exact pair)."""
    digest = hashlib.sha256(f"{item_id}\x1f{segment}".encode()).hexdigest()[:8]
    return f"{slug(item_id)}--{slug(segment)}-{digest}"


def job_seed(base_seed: int, item_id: str, segment: str) -> int:
    """The job's seed (below 2³¹, so `gigs run --seed` takes it), derived from ``--seed``."""
    return derive_seed(base_seed, f"batch-job:{item_id}\x1f{segment}") % 2**31


def make_jobs(items: Iterable[BatchItem], segments: Iterable[Segment], base_seed: int) -> list[Job]:
    """Every (item, segment) pair, segment by segment, in the order given."""
    items = list(items)
    return [Job(item, segment, job_key(item.id, segment.name), job_seed(base_seed, item.id, segment.name))
            for segment in segments for item in items]
