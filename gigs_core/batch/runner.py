"""What runs a batch of jobs in a worker: a :class:`JobRunner` built from a picklable
:class:`RunnerSpec` — the generator and recommender named on the command line, or the
default run a plugin registered (``register_default_run(..., batch=FACTORY)``; the demo does).

A runner loads its models once and then takes several items of one segment per call
(``run_gigs`` gives each item what it would get alone, so batching changes no result).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, Protocol

from gigs_core.batch.jobs import BatchItem, Segment, slug
from gigs_core.errors import UserInputError
from gigs_core.method.seeds import derive_seed

if TYPE_CHECKING:
    import torch

    from gigs_core.report.result import GigsRun


class JobRunner(Protocol):
    """Runs jobs with models loaded once."""

    generator: Any
    """The generator of its runs; when it is conditional, it is told each item's category."""

    def segment_users(self, segment: Segment) -> list[int]:
        """The segment's user ids, or a one-line :class:`UserInputError` (unknown users or name)."""

    def load_photo(self, item: BatchItem) -> tuple[torch.Tensor, list[str]]:
        """The item's ``1×C×H×W`` image as the models take it, and notes on what was done to it;
        a :class:`~gigs_core.errors.DataError` when it does not decode (its job fails)."""

    def run(self, photos: torch.Tensor, items: list[BatchItem], segment: Segment, users: list[int],
            seeds: list[int]) -> list[GigsRun]:
        """GIGS for ``photos`` (one row per item) and the segment's ``users``: one single-item
        :class:`~gigs_core.report.result.GigsRun` per item, in order."""


class DefaultBatch(Protocol):
    """What a plugin's default run offers ``gigs batch`` when no backends are named."""

    def items(self) -> list[BatchItem]:
        """The items a batch takes without ``--items``."""

    def segments(self) -> list[Segment]:
        """The segments a batch takes without ``--segments``."""

    def runner(self, device: torch.device) -> JobRunner:
        """Load the models onto ``device``."""


@dataclass(frozen=True)
class RunnerSpec:
    """A recipe for the runner each worker builds (picklable: it travels to Ray workers).

    ``kind="backends"``: ``settings`` holds ``generator``, ``generator_options``,
    ``recommender``, ``recommender_options`` and ``config`` (a ``GigsConfig`` dump);
    ``kind="default"``: ``settings`` holds ``overrides``, the Algorithm 1 settings the user gave."""

    kind: Literal["backends", "default"]
    settings: dict[str, Any] = field(default_factory=dict)
    device: str = "auto"

    def fingerprint(self) -> dict[str, Any]:
        """What decides the results (not the device or engine): stored with the batch."""
        return {"kind": self.kind, **self.settings}


def default_batch(overrides: dict[str, dict[str, Any]]) -> DefaultBatch:
    """The default run's batch support, or a one-line error when no plugin offers one."""
    from gigs_core import extensions

    default = extensions.default_run()
    factory = default.extra.get("batch") if default else None
    if factory is None:
        raise UserInputError("give --generator and --recommender (no installed plugin provides a default batch; "
                             "see `gigs plugins`)")
    return factory(overrides)


def build_runner(spec: RunnerSpec) -> JobRunner:
    """Load the models ``spec`` names onto the device it asks for (picked where the worker runs)."""
    from gigs_core.cli.devices import pick_device

    device = pick_device(spec.device)
    if spec.kind == "default":
        return default_batch(spec.settings["overrides"]).runner(device)
    return BackendsRunner(spec.settings, device)


def resolve_segment(segment: Segment, num_users: int) -> list[int]:
    """Users of a segment from a CSV (checked against ``num_users``), ``all`` or ``random:N``
    (drawn with a seed of the segment's name, so every job and worker draws the same users)."""
    from gigs_core.method.users import resolve_users

    if segment.users is not None:
        unknown = [user for user in segment.users if user >= num_users]
        if unknown:
            raise UserInputError(f"segment {segment.name!r} has user id {unknown[0]}, unknown to the recommender "
                                 f"(its users are 0..{num_users - 1}); fix the segments CSV")
        return list(segment.users)
    if segment.name == "all" or segment.name.startswith("random:"):
        seed = derive_seed(0, f"batch-segment:{segment.name}")
        return resolve_users(segment.name, num_users, seed=seed).tolist()
    raise UserInputError(f"unknown segment {segment.name!r}; name 'all' or 'random:N', or give a CSV of "
                         f"segment,user_id rows (docs/batch.md)")


@lru_cache(maxsize=4)
def _dataset(spec: str):
    from gigs_core.data import open_dataset

    return open_dataset(spec)


def load_item_image(item: BatchItem, resolution: int) -> tuple[torch.Tensor, list[str]]:
    """A photo file read as ``gigs run --item`` reads it (decoded small when it is much larger
    than ``resolution``), or a dataset item: ``1×3×H×W``, not yet resized, and notes."""
    from gigs_core.imaging import read_photo, to_channels

    if item.index is None:
        return read_photo(item.source, resolution)
    return to_channels(_dataset(item.source).image(item.index)[None], 3), []


def item_folder_name(item: BatchItem) -> str:
    """The item's folder inside its job folder: its id made safe (and never a run file's name)."""
    from gigs_core.cli.preflight import RUN_FILES

    name = slug(item.id)
    return f"{name}-item" if name.casefold() in RUN_FILES else name


def split_run(run: GigsRun) -> list[GigsRun]:
    """One single-item run per item of ``run`` (timings stay the whole call's, and say so)."""
    size = len(run.items)
    note = [f"computed in one call with {size} items; timings are the call's"] if size > 1 else []
    return [dataclasses.replace(run, items=[item], notes=[*run.notes, *note], evaluation=dict(run.evaluation))
            for item in run.items]


class BackendsRunner:
    """The generator and recommender named by ``--generator``/``--recommender``."""

    def __init__(self, settings: dict[str, Any], device: torch.device):
        from gigs_core.config import GigsConfig
        from gigs_core.factories import create_generator, create_recommender

        self.device = device
        self.generator = create_generator(settings["generator"], **settings["generator_options"]).to(device)
        self.recommender = create_recommender(settings["recommender"], **settings["recommender_options"]).to(device)
        self.config = GigsConfig.model_validate(settings["config"])
        self.backends = {role: {"name": settings[role], "options": settings[f"{role}_options"]}
                         for role in ("generator", "recommender")}

    def segment_users(self, segment: Segment) -> list[int]:
        return resolve_segment(segment, self.recommender.num_users)

    def load_photo(self, item: BatchItem) -> tuple[torch.Tensor, list[str]]:
        from gigs_core.imaging import resize

        photo, notes = load_item_image(item, self.generator.resolution)
        return resize(photo, self.generator.resolution), notes

    def run(self, photos, items, segment, users, seeds):
        from gigs_core.method.conditioning import group_by_generator
        from gigs_core.method.pipeline import run_gigs

        runs: list[GigsRun | None] = [None] * len(items)
        for generator, positions in group_by_generator(self.generator, [item.category for item in items]):
            run = run_gigs(generator, self.recommender, photos[positions].to(self.device), users=users,
                           config=self.config, seeds=[seeds[position] for position in positions],
                           item_names=[item_folder_name(items[position]) for position in positions],
                           backends=self.backends)
            for position, single in zip(positions, split_run(run)):
                if generator is not self.generator:
                    single.notes.append(f"the generator drew the item's category {items[position].category!r}")
                runs[position] = single
        return runs
