"""The demo as the default of ``gigs batch``: the bundle's items × its taste segments, with
the demo's settings and evaluation (true utility and catalogue ranks) in each job's report.

Each job computes what ``gigs run --demo-item K --segment S --seed SEED`` computes for the
same settings; the out-of-domain check of ``gigs run`` is not made per job."""

from __future__ import annotations

from typing import Any

from gigs_core.batch.jobs import BatchItem, Segment
from gigs_demo.bundle import EVERYONE, DemoBundle


class DemoBatch:
    """The shipped bundle (or ``$GIGS_DEMO_BUNDLE``) with the user's Algorithm 1 settings."""

    def __init__(self, overrides: dict[str, dict[str, Any]]):
        self.bundle = DemoBundle()
        self.overrides = overrides

    def items(self) -> list[BatchItem]:
        return [BatchItem(id=item.name, source=str(item.path), category=item.category) for item in self.bundle.items]

    def segments(self) -> list[Segment]:
        return [Segment(name) for name in self.bundle.segments if name != EVERYONE]

    def runner(self, device):
        return DemoJobRunner(self.bundle, self.overrides, device)


class DemoJobRunner:
    """The bundle's models, loaded once."""

    def __init__(self, bundle: DemoBundle, overrides: dict[str, dict[str, Any]], device):
        from gigs_core.method.perceptual import create_perceptual_distance
        from gigs_demo.runner import choose_perceptual, demo_config

        self.bundle, self.device = bundle, device
        self.perceptual, note = choose_perceptual(bundle, overrides.get("inversion", {}).get("perceptual"))
        self.notes = [note, "no out-of-domain check in a batch (`gigs run` makes one)"]
        self.generator = bundle.generator().to(device)
        self.recommender = bundle.recommender().to(device)
        self.truth = bundle.ground_truth()
        self.config = demo_config(bundle.demo_settings, overrides, self.perceptual)
        self.distance = create_perceptual_distance(self.perceptual)
        self.background = bundle.manifest["catalogue"].get("background", "dark")

    def _named(self, segment: Segment) -> bool:
        return segment.users is None and segment.name in self.bundle.segments

    def segment_users(self, segment: Segment) -> list[int]:
        from gigs_core.batch.runner import resolve_segment

        if self._named(segment):
            return self.bundle.group_users(self.truth, segment.name).tolist()
        return resolve_segment(segment, self.recommender.num_users)

    def load_photo(self, item: BatchItem):
        from gigs_core.batch.runner import load_item_image
        from gigs_demo.runner import prepare_photo

        image, notes = load_item_image(item, self.generator.resolution)
        prepared, more = prepare_photo(image, self.generator.resolution, self.generator.channels, self.background)
        return prepared, notes + more

    def run(self, photos, items, segment, users, seeds):
        import torch

        from gigs_core.batch.runner import item_folder_name, split_run
        from gigs_core.method.pipeline import run_gigs
        from gigs_demo.evaluation import evaluation_extras

        backends = {
            "generator": {"name": "progan", "options": {"checkpoint": str(self.bundle.path("generator"))}},
            "recommender": {"name": "dvbpr", "options": {"checkpoint": str(self.bundle.path("recommender"))}},
            "demo": {"bundle": str(self.bundle.folder), "segment": segment.name,
                     "bundle_built": self.bundle.manifest.get("created"), "quick_bundle": self.bundle.manifest.get("quick")},
        }
        runs = split_run(run_gigs(self.generator, self.recommender, photos.to(self.device), users=users,
                                  config=self.config, seeds=seeds, backends=backends,
                                  item_names=[item_folder_name(item) for item in items]))
        for run in runs:
            run.notes = [*self.notes, *run.notes]
            if self._named(segment):
                run.evaluation = evaluation_extras(
                    run, recommender=self.recommender, ground_truth=self.truth, users=torch.tensor(users),
                    distance=self.distance, distance_name=self.perceptual, scores=self.bundle.scores,
                    group=segment.name, catalogue=self.bundle.manifest["catalogue"])
        return runs
