"""Rebuilding the demo bundle from Fashion-MNIST's IDX files, with fixed seeds.

Each model is trained by gigs's own commands (the public interface of the
backends' plugins), each in a child process:

1. ``gigs data synth-users``        synthetic users with a known utility (5,000, seed 0);
2. ``gigs train recommender``       DVBPR (``--recommender dvbpr``, ``cnnf-small``, 28 px) on their interactions;
3. ``gigs train recommender``       the judge: a second DVBPR (``cnnf-small`` at 32 px, K = 50, seed 1)
                                    on the same interactions, for honest gains;
4. ``gigs train generator``         a 32×32 grey ProGAN (latent 128);
5. ``gigs train critic``            a critic fitted to that generator (``--method dvbpr-pm``'s realism term);
6. ``gigs train classifier``        the domain classifier (perceptual-distance fallback);

then sample items are picked from the test partition (seeded, the same number
per category), every test item is scored for every group (DVBPR group
preference, the judge's and ground-truth utility) so that ranks and σ units need no catalogue at run
time, and ``manifest.json`` records versions, seeds, settings, commands and
timings. Steps whose result is given (``--from-artifacts`` or a checkpoint
option) are copied instead of retrained. ``quick`` uses a seeded subset of
Fashion-MNIST and tiny settings (a smoke test of the recipe, not a usable demo).
"""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gigs_core.checkpoints import file_sha256
from gigs_core.errors import DataError, GigsError, UserInputError
from gigs_core.options import existing_checkpoint
from gigs_core.versions import package_versions
from gigs_demo.bundle import ALL_FILES, EVERYONE, FILES, FORMAT, VERSION, DemoBundle
from gigs_demo.calibration import calibrate, distance_kind, store_calibration

log = logging.getLogger(__name__)

SEED = 0
#: The judge's seed: another initialisation and another order of training triples than DVBPR's.
JUDGE_SEED = 1

#: Run settings the bundle's manifest gives ``gigs run``, the same in both recipes.
#: (n, ε, the preference weight and the predictor trunk are the config's defaults, not repeated here.)
_DEMO_RUN = {"inversion_lr": 0.1, "inversion_starts": 16, "shift_lr": 0.05, "default_item": 0,
             "default_segment": "minimalist", "seed": 0}

#: Settings of the full recipe (the ones the shipped bundle was built with).
FULL = {
    "users": ["--users", "5000", "--interactions", "12", "--temperature", "0.5", "--user-noise", "0.35"],
    "recommender": ["-R", "variant=cnnf-small", "-R", "input_size=28", "--epochs", "3", "--lr", "0.001",
                    "--eval-users", "1000"],
    "judge": ["-R", "variant=cnnf-small", "-R", "input_size=32", "-R", "k=50", "--epochs", "3", "--lr", "0.001",
              "--eval-users", "1000"],
    "generator": ["--resolution", "32", "--latent-dim", "128", "--feature-base", "256", "--max-features", "64",
                  "--batch-size", "16", "--images-per-phase", "9600", "--final-images", "120000",
                  "--ema-beta", "0.995", "--checkpoint-every", "200"],
    "critic": ["--steps", "2000", "--batch-size", "32"],
    "classifier": ["--epochs", "10", "--width", "16", "--input-size", "32"],
    "items_per_category": 4,
    "catalogue_limit": None,
    "demo": {"inversion_steps": 200, "shift_steps": 40, **_DEMO_RUN},
}

#: Tiny settings: the whole recipe in well under a minute (a test of the recipe).
QUICK = {
    "subset": {"train": 1200, "test": 300},
    "users": ["--users", "60", "--interactions", "6"],
    "recommender": ["-R", "variant=cnnf-small", "-R", "input_size=28", "-R", "k=8", "--epochs", "1",
                    "--steps-per-epoch", "3", "--lr", "0.001", "--eval-users", "10"],
    "judge": ["-R", "variant=cnnf-small", "-R", "input_size=32", "-R", "k=4", "--epochs", "1",
              "--steps-per-epoch", "2", "--lr", "0.001", "--eval-users", "10"],
    "generator": ["--resolution", "8", "--latent-dim", "16", "--feature-base", "32", "--max-features", "16",
                  "--batch-size", "8", "--images-per-phase", "16", "--final-images", "16",
                  "--checkpoint-every", "1000"],
    "critic": ["--steps", "3", "--batch-size", "4"],
    "classifier": ["--epochs", "1", "--width", "4", "--input-size", "16"],
    "items_per_category": 1,
    "catalogue_limit": None,
    "demo": {"inversion_steps": 4, "shift_steps": 4, "n": 3, **_DEMO_RUN},
}


@dataclass
class BuildInputs:
    """Existing results to reuse instead of training (``None``: train it)."""

    users: Path | None = None
    recommender: Path | None = None
    judge: Path | None = None
    generator: Path | None = None
    critic: Path | None = None
    classifier: Path | None = None

    @classmethod
    def from_artifacts(cls, folder: str | Path) -> BuildInputs:
        """Find the helpers' training outputs in ``folder`` (the layout of ``artifacts/``)."""
        folder = Path(folder)
        if not folder.is_dir():
            raise UserInputError(f"--from-artifacts {str(folder)!r} is not a folder")

        def first(*patterns: str) -> Path | None:
            for pattern in patterns:
                found = sorted(folder.glob(pattern))
                if found:
                    return found[0]
            return None

        def most_accurate(pattern: str) -> Path | None:
            def accuracy(path: Path) -> float:
                try:
                    return float(json.loads(path.with_suffix(".json").read_text()).get("test_accuracy", 0.0))
                except (OSError, ValueError):
                    return 0.0

            found = sorted(folder.glob(pattern))
            return max(found, key=accuracy) if found else None

        return cls(
            users=first("*.users.npz"),
            recommender=first("dvbpr*/best.safetensors"),
            judge=first("judge*/best.safetensors"),
            generator=first("progan*/generator.safetensors"),
            critic=first("critic*/discriminator.safetensors"),
            classifier=most_accurate("*classifier*/classifier.safetensors"),
        )


@dataclass
class BuildLog:
    steps: list[dict[str, Any]] = field(default_factory=list)

    def add(self, name: str, how: str, seconds: float, **extra: Any) -> None:
        self.steps.append({"step": name, "how": how, "seconds": round(seconds, 1), **extra})


def _gigs(args: list[str]) -> None:
    """Run a gigs command (the backends' public interface) in a child process; a failure
    becomes a GigsError naming the command."""
    import subprocess
    import sys

    log.info("gigs %s", " ".join(args))
    code = subprocess.run([sys.executable, "-m", "gigs_core", *args], check=False).returncode
    if code != 0:
        raise GigsError(f"demo build step `gigs {' '.join(args)}` failed (exit code {code})")


def _copy_checkpoint(source: Path, target: Path) -> None:
    """Copy a ``.safetensors`` file and its ``.json`` config."""
    existing_checkpoint(source)
    config = source.with_suffix(".json")
    if not config.is_file():
        raise DataError(f"checkpoint {str(source)!r} has no config beside it ({config.name})")
    shutil.copyfile(source, target)
    shutil.copyfile(config, target.with_suffix(".json"))


def write_idx_subset(source: str | Path | None, out: str | Path, *, train: int, test: int, seed: int = SEED) -> Path:
    """A smaller Fashion-MNIST folder: ``train``/``test`` images drawn (seeded) from each partition."""
    from gigs_core.data.fashion_mnist import DEFAULT_DIR, IDX_FILES, find_idx_file, read_idx

    source = Path(source) if source else DEFAULT_DIR
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for part, count in (("train", train), ("test", test)):
        images_name, labels_name = IDX_FILES[part]
        images = read_idx(find_idx_file(source, images_name))
        labels = read_idx(find_idx_file(source, labels_name))
        pick = np.sort(rng.choice(len(images), size=min(count, len(images)), replace=False))
        for name, array, magic in ((images_name, images[pick], 3), (labels_name, labels[pick], 1)):
            header = bytes([0, 0, 0x08, magic]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
            (out / name).write_bytes(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())
    return out


def pick_items(dataset, per_category: int, seed: int = SEED) -> list[int]:
    """``per_category`` test items of each category, seeded; catalogue ids, ordered by round."""
    test_ids = np.asarray(dataset.catalog_split("test"))
    categories = np.asarray(dataset.catalogue.categories)[test_ids]
    rng = np.random.default_rng(seed)
    chosen: list[list[int]] = []
    for category in range(len(dataset.category_names)):
        pool = test_ids[categories == category]
        if len(pool):
            chosen.append(rng.choice(pool, size=min(per_category, len(pool)), replace=False).tolist())
    # interleave: first one of each category, then the second of each, ...
    return [int(ids[k]) for k in range(per_category) for ids in chosen if k < len(ids)]


def score_catalogue(bundle_folder: Path, dataset, test_ids: np.ndarray, groups: list[str],
                    progress: Callable[[str], None] = lambda _: None) -> dict[str, np.ndarray]:
    """``G × N`` DVBPR group preference and ground-truth utility of the test items."""
    import torch

    from gigs_core.imaging import conform
    from gigs_demo.bundle import BundleModels

    bundle = BundleModels(bundle_folder)  # the models are there; the manifest is not yet written
    generator = bundle.generator()
    truth, judge = bundle.ground_truth(), bundle.judge()
    scorers = {"preference": bundle.recommender(), "ground_truth": truth}
    if judge is not None:
        scorers["judge"] = judge
    members = [torch.arange(truth.num_users) if g == EVERYONE else truth.users_in_segment(g) for g in groups]
    tables = {name: np.zeros((len(groups), len(test_ids)), dtype=np.float32) for name in scorers}
    batch = 1000
    with torch.no_grad():
        for start in range(0, len(test_ids), batch):
            ids = test_ids[start:start + batch]
            images = conform(dataset.images(ids), generator.resolution, generator.channels)
            for name, model in scorers.items():
                tables[name][:, start:start + len(ids)] = _group_scores(model, images, members)
            progress(f"scored {start + len(ids)}/{len(test_ids)} catalogue items")
    return {**tables, "item_ids": np.asarray(test_ids, dtype=np.int64)}


def _group_scores(model, images, members) -> np.ndarray:
    """``G × N`` group scores; linear-preference models compute the image features once."""
    import torch

    from gigs_core.protocols import LinearRecommender

    if isinstance(model, LinearRecommender):
        features = model.features(images)
        thetas = torch.stack([model.user_embeddings(users).mean(dim=0) for users in members])
        return (thetas @ features.T).numpy()
    return torch.stack([model.group_score(images, users) for users in members]).numpy()


def build_bundle(out: str | Path, *, data_dir: str | Path | None = None, quick: bool = False,
                 inputs: BuildInputs | None = None, work_dir: str | Path | None = None, overwrite: bool = False,
                 echo: Callable[[str], None] = lambda _: None) -> Path:
    """Build a demo bundle into ``out`` (atomically). Returns ``out``."""
    from gigs_core.atomic import atomic_folder, check_output_folder
    from gigs_core.data import open_dataset
    from gigs_core.imaging import tensor_to_pil
    from gigs_synthetic.users import SyntheticUsers

    settings = QUICK if quick else FULL
    inputs = inputs or BuildInputs()
    out = check_output_folder(out, overwrite)
    started = time.perf_counter()
    history = BuildLog()
    work = Path(work_dir) if work_dir else out.parent / f".{out.name}.work"
    work.mkdir(parents=True, exist_ok=True)
    if quick:
        source = write_idx_subset(data_dir, work / "fashion-mnist-subset", seed=SEED, **settings["subset"])
        spec = f"fashion-mnist:{source}"
    else:
        spec = f"fashion-mnist:{data_dir}" if data_dir else "fashion-mnist"
    dataset = open_dataset(spec)
    commands: dict[str, list[str]] = {}

    with atomic_folder(out, overwrite=overwrite) as staging:
        users_path = staging / FILES["users"]
        steps = [  # (name, what, given input, gigs command, the file it makes, how to copy it)
            ("users", "synthetic users", inputs.users,
             ["data", "synth-users", "--data", spec, "--out", str(work / "users.users.npz"), "--seed", str(SEED),
              *settings["users"]], work / "users.users.npz", shutil.copyfile),
            ("recommender", "DVBPR recommender", inputs.recommender,
             ["train", "recommender", "--recommender", "dvbpr", "--data", f"users:{users_path}", "--out", str(work / "dvbpr"),
              "--seed", str(SEED), "--quiet", "--no-resume", *settings["recommender"]],
             work / "dvbpr" / "best.safetensors", _copy_checkpoint),
            ("judge", "judge recommender (a second DVBPR)", inputs.judge,
             ["train", "recommender", "--recommender", "dvbpr", "--data", f"users:{users_path}", "--out", str(work / "judge"),
              "--seed", str(JUDGE_SEED), "--quiet", "--no-resume", *settings["judge"]],
             work / "judge" / "best.safetensors", _copy_checkpoint),
            ("generator", "ProGAN generator", inputs.generator,
             ["train", "generator", "--generator", "progan", "--data", spec, "--out", str(work / "progan"),
              "--seed", str(SEED), *settings["generator"]],
             work / "progan" / "generator.safetensors", _copy_checkpoint),
            ("critic", "critic fitted to the generator", inputs.critic,
             ["train", "critic", "--critic", "progan", "--checkpoint", str(staging / FILES["generator"]), "--data", spec,
              "--out", str(work / "critic"), "--seed", str(SEED), *settings["critic"]],
             work / "critic" / "discriminator.safetensors", _copy_checkpoint),
            ("classifier", "domain classifier", inputs.classifier,
             ["train", "classifier", "--data", spec, "--out", str(work / "classifier"), "--seed", str(SEED),
              *settings["classifier"]],
             work / "classifier" / "classifier.safetensors", _copy_checkpoint),
        ]
        for name, what, given, command, product, copy in steps:
            t = time.perf_counter()
            target = staging / ALL_FILES[name]
            if given:
                copy(Path(given), target)
                history.add(name, f"copied {given}", time.perf_counter() - t)
                continue
            if product.parent != work and product.parent.exists():
                if work_dir:  # the user's folder: what is in it may not be gigs' to delete
                    raise UserInputError(f"{str(product.parent)!r} already exists in --work-dir; reuse it with "
                                         f"--from-artifacts {str(work)!r}, remove it, or give another --work-dir")
                shutil.rmtree(product.parent)  # a fresh training run in gigs' own work folder
            commands[name] = command
            echo(f"building: {what}")
            _gigs(command)
            copy(product, target)
            history.add(name, "gigs " + " ".join(command), time.perf_counter() - t)

        # 5. sample items (real Fashion-MNIST test images, MIT licence)
        t = time.perf_counter()
        (staging / FILES["items"]).mkdir()
        test_ids = np.asarray(dataset.catalog_split("test"))
        if settings["catalogue_limit"]:
            test_ids = test_ids[: settings["catalogue_limit"]]
        row_of = {int(item): row for row, item in enumerate(test_ids)}
        items = []
        for k, item in enumerate(pick_items(dataset, settings["items_per_category"])):
            category = dataset.category_name(item)
            slug = category.lower().replace("/", "-").replace(" ", "-")
            name = f"{FILES['items']}/{k:02d}-{slug}-{row_of[item]:05d}.png"
            tensor_to_pil(dataset.image(item)).save(staging / name)
            items.append({"file": name, "catalogue_id": row_of[item], "category": category})
        history.add("items", f"{len(items)} test items, seed {SEED}", time.perf_counter() - t)

        # 6. catalogue score tables
        t = time.perf_counter()
        users = SyntheticUsers.load(users_path)
        groups = [*users.segment_names, EVERYONE]
        echo(f"building: scoring {len(test_ids)} catalogue items for {len(groups)} groups")
        tables = score_catalogue(staging, dataset, test_ids, groups)
        np.savez_compressed(staging / FILES["scores"], **tables)
        history.add("catalogue_scores", f"{len(test_ids)} items × {len(groups)} groups", time.perf_counter() - t)

        demo = dict(settings["demo"])
        if demo["default_segment"] not in groups:
            demo["default_segment"] = groups[0]
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "quick": quick,
            "versions": package_versions(("gigs", "torch", "numpy", "safetensors", "lpips", "timm")),
            "seeds": {"everything": SEED, "items": SEED, "judge": JUDGE_SEED},
            "catalogue": {"name": "Fashion-MNIST test set" + (" (quick subset)" if quick else ""),
                          "size": int(len(test_ids)), "source": spec, "background": "dark",
                          "licence": "MIT, Copyright (c) 2017 Zalando SE (Xiao, Rasul & Vollgraf, "
                                     "arXiv:1708.07747)"},
            "groups": groups,
            "group_sizes": {g: int((users.segments == k).sum()) for k, g in enumerate(users.segment_names)}
            | {EVERYONE: int(users.num_users)},
            "files": dict(ALL_FILES),
            "items": items,
            "demo": demo,
            "settings": {key: settings[key] for key in ("users", "recommender", "judge", "generator", "critic",
                                                        "classifier")},
            "build": {"commands": {k: "gigs " + " ".join(v) for k, v in commands.items()},
                      "steps": history.steps, "inputs": {k: (str(v) if v else None)
                                                        for k, v in vars(inputs).items()}},
            "models": _model_facts(staging),
            "sources": _source_facts(inputs),
        }
        manifest["sha256"] = {str(path.relative_to(staging)): file_sha256(path)
                              for path in sorted(staging.rglob("*")) if path.is_file()}
        manifest["build"]["seconds"] = round(time.perf_counter() - started, 1)
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2))
        bundle = DemoBundle(staging)  # the out-of-domain check, for the distance the demo picks offline
        perceptual = f"domain:{bundle.path('classifier')}"
        store_calibration(bundle, distance_kind(bundle, perceptual), calibrate(bundle, perceptual))
    if not work_dir:
        shutil.rmtree(work, ignore_errors=True)
    return out


def _source_facts(inputs: BuildInputs) -> dict[str, Any]:
    """For reused models: where they came from and what their training logs say (best effort)."""
    facts: dict[str, Any] = {}
    for role, path in vars(inputs).items():
        if not path:
            continue
        path = Path(path)
        earlier = _bundle_source(path, role)
        if earlier is not None:  # a model copied from another bundle keeps where that bundle got it
            facts[role] = {**earlier, "via_bundle": str(path.parent)}
            continue
        entry: dict[str, Any] = {"path": str(path)}
        for name in ("run.json", "metrics.json"):
            if (path.parent / name).is_file():
                with contextlib.suppress(ValueError):  # a damaged log is left out, not fatal
                    entry[name] = json.loads((path.parent / name).read_text())
        log_file = path.parent / "log.jsonl"
        if not log_file.is_file() and role == "generator":
            log_file = path.parent.parent / "log.jsonl" if path.parent.name == "checkpoints" else log_file
        if log_file.is_file():
            lines = [line for line in log_file.read_text().splitlines() if line.strip()]
            try:
                last = json.loads(lines[-1]) if lines else {}
            except ValueError:
                last = {}
            entry["training_log_last"] = last
            if "seconds" in last:
                entry["training_seconds"] = last["seconds"]
        facts[role] = entry
    return facts


def _bundle_source(path: Path, role: str) -> dict[str, Any] | None:
    """What the manifest of the bundle ``path`` lies in says about where its ``role`` model came
    from, when ``path`` is that bundle's file for the role; ``None`` otherwise."""
    manifest = path.parent / "manifest.json"
    try:
        data = json.loads(manifest.read_text()) if manifest.is_file() else {}
    except (OSError, ValueError):
        return None
    if data.get("format") != FORMAT or data.get("files", {}).get(role) != path.name:
        return None
    return data.get("sources", {}).get(role)


def _model_facts(folder: Path) -> dict[str, Any]:
    """What the bundle's checkpoints say about themselves (accuracies, AUCs, architectures)."""
    facts = {}
    for role in ("generator", "recommender", "judge", "critic", "classifier"):
        config = folder / Path(ALL_FILES[role]).with_suffix(".json")
        try:
            data = json.loads(config.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        facts[role] = {k: v for k, v in data.items() if k not in ("per_epoch_train_loss",)}
    return facts
