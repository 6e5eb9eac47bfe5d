"""Loading a demo bundle: the folder ``gigs demo build`` writes.

Layout (all names relative to the bundle folder; ``manifest.json`` is the index)::

    manifest.json                 versions, seeds, settings, how it was built, file names
    generator.safetensors/.json   ProGAN (gigs format)
    dvbpr.safetensors/.json       DVBPR trained on the synthetic users' interactions
    users.users.npz               synthetic users: true utility weights, segments, interactions
    classifier.safetensors/.json  domain classifier (perceptual-distance fallback)
    judge.safetensors/.json       an independent judge: a second DVBPR (another architecture
                                  and seed) trained on the same interactions (optional)
    critic.safetensors/.json      a critic fitted to the generator: the realism term of
                                  ``--method dvbpr-pm`` (optional)
    items/NNNN-category.png       sample Fashion-MNIST test items
    catalogue_scores.npz          per-group scores of every catalogue (test) item:
                                  preference[G, N], ground_truth[G, N], item_ids[N], and
                                  judge[G, N] when the bundle has a judge

Groups are the taste segments of the synthetic users plus ``everyone``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from gigs_core.errors import DataError, UserInputError
from gigs_demo import BUNDLE_ENV, SHIPPED_BUNDLE

FORMAT = "gigs-demo-bundle"
VERSION = 1
EVERYONE = "everyone"
FILES = {
    "generator": "generator.safetensors",
    "recommender": "dvbpr.safetensors",
    "users": "users.users.npz",
    "classifier": "classifier.safetensors",
    "scores": "catalogue_scores.npz",
    "items": "items",
}
#: Files a bundle may lack (bundles built before they existed still load).
OPTIONAL_FILES = {"judge": "judge.safetensors", "critic": "critic.safetensors"}
#: Every file a bundle can hold, by role.
ALL_FILES = {**FILES, **OPTIONAL_FILES}
#: The names the demo's judges get in reports: the bundled DVBPR judge and the users' true utility.
JUDGE = "dvbpr-judge"
GROUND_TRUTH = "ground-truth"


@dataclass(frozen=True)
class DemoItem:
    """One sample item of the bundle."""

    index: int
    """Position in the bundle's item list (what ``--demo-item`` takes)."""
    path: Path
    catalogue_id: int
    """Index of the item in the catalogue's test partition (its row in the score tables)."""
    category: str

    @property
    def name(self) -> str:
        return self.path.stem


@dataclass(frozen=True)
class CatalogueScores:
    """Scores of every catalogue item for each group: what ranks are computed against."""

    groups: list[str]
    preference: np.ndarray
    """``G × N`` recommender group preference."""
    ground_truth: np.ndarray
    """``G × N`` ground-truth utility (group mean)."""
    item_ids: np.ndarray
    judge: np.ndarray | None = None
    """``G × N`` group preference by the bundle's judge (``None`` without one)."""

    def spread(self, group: str) -> dict[str, float]:
        """Each scorer's standard deviation over the catalogue for ``group``, keyed as reports
        name them: the unit of :attr:`~gigs_core.report.result.GigsRun.gain_units`."""
        from gigs_core.report.gains import OPTIMISED

        row = self.row(group)
        tables = {OPTIMISED: self.preference, GROUND_TRUTH: self.ground_truth, JUDGE: self.judge}
        return {name: float(table[row].astype(np.float64).std()) for name, table in tables.items()
                if table is not None}

    def row(self, group: str) -> int:
        """The table row of ``group`` (checked by :meth:`DemoBundle.check_segment`)."""
        return self.groups.index(group)

    @staticmethod
    def rank(table: np.ndarray, score: float) -> int:
        """1 + the number of catalogue items scoring strictly higher (1 = best)."""
        return int((table > score).sum()) + 1


def default_bundle_path() -> Path:
    """``$GIGS_DEMO_BUNDLE`` when set, else the bundle shipped in the package."""
    value = os.environ.get(BUNDLE_ENV)
    return Path(value) if value else SHIPPED_BUNDLE


class BundleModels:
    """The models in a bundle folder, built on request (heavy imports stay lazy)."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def path(self, role: str) -> Path:
        return self.folder / ALL_FILES[role]

    def has(self, role: str) -> bool:
        """Whether the bundle holds an optional file (``judge``, ``critic``)."""
        return self.path(role).is_file()

    def generator_options(self) -> dict[str, str]:
        """``create_generator("progan", **…)``: the generator, with its critic when the bundle has one."""
        critic = {"discriminator": str(self.path("critic"))} if self.has("critic") else {}
        return {"checkpoint": str(self.path("generator")), **critic}

    def generator(self):
        from gigs_core.factories import create_generator

        return create_generator("progan", **self.generator_options()).eval()

    def recommender(self):
        from gigs_core.factories import create_recommender

        return create_recommender("dvbpr", checkpoint=str(self.path("recommender"))).eval()

    def ground_truth(self):
        from gigs_core.factories import create_recommender

        return create_recommender("ground-truth", users=str(self.path("users"))).eval()

    def judge(self):
        """The bundled judge recommender, or ``None`` when the bundle has none."""
        from gigs_core.factories import create_recommender

        return create_recommender("dvbpr", checkpoint=str(self.path("judge"))).eval() if self.has("judge") else None

    def judges(self, ground_truth=None) -> dict:
        """The demo's second opinions by report name: the bundled judge (when there is one) and the
        synthetic users' ground-truth utility (``ground_truth`` when already loaded)."""
        judge = self.judge()
        truth = self.ground_truth() if ground_truth is None else ground_truth
        return {**({JUDGE: judge} if judge is not None else {}), GROUND_TRUTH: truth}


class DemoBundle(BundleModels):
    """A complete demo bundle folder: its models, items, score tables and manifest."""

    def __init__(self, folder: str | Path | None = None):
        super().__init__(folder if folder is not None else default_bundle_path())
        manifest = self.folder / "manifest.json"
        if not manifest.is_file():
            hint = ("rebuild it with `gigs demo build --out DIR` and pass --bundle DIR"
                    if folder is not None or os.environ.get(BUNDLE_ENV)
                    else "this installation has no demo bundle; build one with `gigs demo build` "
                         "(see docs/demo.md)")
            raise DataError(f"no demo bundle in {str(self.folder)!r} (manifest.json missing); {hint}")
        try:
            self.manifest: dict[str, Any] = json.loads(manifest.read_text())
        except json.JSONDecodeError as exc:
            raise DataError(f"{str(manifest)!r} is not valid JSON ({exc})") from None
        if self.manifest.get("format") != FORMAT:
            raise DataError(f"{str(manifest)!r} is not a gigs demo bundle manifest")
        if int(self.manifest.get("version", 0)) > VERSION:
            raise DataError(f"demo bundle version {self.manifest['version']} is newer than this gigs reads ({VERSION})")
        missing = [name for name in FILES.values() if not (self.folder / name).exists()]
        if missing:
            raise DataError(f"demo bundle {str(self.folder)!r} lacks {', '.join(missing)}; rebuild it")

    @property
    def segments(self) -> list[str]:
        """Group names: the taste segments, then ``everyone``."""
        return list(self.manifest["groups"])

    @property
    def demo_settings(self) -> dict[str, Any]:
        return dict(self.manifest["demo"])

    @cached_property
    def items(self) -> list[DemoItem]:
        return [DemoItem(index, self.folder / entry["file"], int(entry["catalogue_id"]), entry["category"])
                for index, entry in enumerate(self.manifest["items"])]

    def item(self, index: int) -> DemoItem:
        if not 0 <= index < len(self.items):
            raise UserInputError(f"--demo-item {index} is out of range; the bundle has items 0..{len(self.items) - 1}")
        return self.items[index]

    @cached_property
    def scores(self) -> CatalogueScores:
        with np.load(self.path("scores"), allow_pickle=False) as data:
            return CatalogueScores(groups=self.segments, preference=data["preference"],
                                   ground_truth=data["ground_truth"], item_ids=data["item_ids"],
                                   judge=data["judge"] if "judge" in data.files else None)

    def check_segment(self, group: str) -> str:
        """``group`` if it is one of the bundle's segments (or ``everyone``), else a clear error."""
        if group not in self.segments:
            raise UserInputError(f"unknown segment {group!r}; segments: {', '.join(self.segments)}")
        return group

    def group_users(self, ground_truth, group: str):
        """User ids of ``group`` (a segment name or ``everyone``)."""
        import torch

        self.check_segment(group)
        if group == EVERYONE:
            return torch.arange(ground_truth.num_users)
        return ground_truth.users_in_segment(group)

    def size_bytes(self) -> int:
        return sum(path.stat().st_size for path in self.folder.rglob("*") if path.is_file())
