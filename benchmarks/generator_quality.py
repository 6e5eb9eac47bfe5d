"""Sample quality of any generator trained on a catalogue, judged by a domain classifier.

Samples N images from a generator (``--generator NAME -G KEY=VALUE``, as ``gigs run``
takes them) and reports, as a table:

* the fraction the classifier assigns to some class with confidence ≥ T (0.9);
* the entropy of the histogram of predicted classes divided by log(#classes)
  (1 = every class equally often, 0 = one class only);
* the training time recorded with the checkpoint (``gigs train generator``), when it is.

A class-conditional generator (one with ``num_classes`` and a ``class_index``, such as
``biggan``) draws its classes uniformly: each batch gets one class, every class equally
many batches (±1) in a seeded random order, unless ``-G class_index=…`` or
``-G class_name=…`` fixes one.

With ``--data SPEC`` the same figures are computed on as many real images of that
catalogue (its test partition when it has one), side by side: the classifier's own
ceiling, against which the samples' figures should be read.

Usage::

    python benchmarks/generator_quality.py --generator progan \\
        -G checkpoint=artifacts/progan-fmnist32/generator.safetensors \\
        --classifier artifacts/fmnist-classifier/classifier.safetensors --samples 1000 \\
        --grid artifacts/progan-fmnist32-samples.png --data fashion-mnist
    python benchmarks/generator_quality.py --generator biggan -G checkpoint=runs/biggan-fmnist32/generator \\
        --classifier artifacts/fmnist-classifier/classifier.safetensors --data fashion-mnist
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import torch

#: Options that fix a class-conditional generator's class.
CLASS_OPTIONS = ("class_index", "class_name")


def class_schedule(batches: int, num_classes: int, seed: int) -> list[int]:
    """One class per batch: every class ``batches // num_classes`` or one more times, in a
    seeded random order (the leftover batches go to randomly chosen classes)."""
    rng = torch.Generator().manual_seed(seed)
    rounds = [torch.randperm(num_classes, generator=rng) for _ in range(math.ceil(batches / num_classes))]
    return torch.cat(rounds)[:batches].tolist() if rounds else []


def judge(generator, classifier, *, samples: int, seed: int, batch_size: int = 100, uniform_classes: bool = False):
    """``(images, probabilities)`` of ``samples`` seeded samples; with ``uniform_classes`` the
    generator's ``class_index`` is set per batch by :func:`class_schedule`."""
    rng = torch.Generator().manual_seed(seed)
    starts = range(0, samples, batch_size)
    classes = class_schedule(len(starts), generator.num_classes, seed) if uniform_classes else None
    images, probabilities = [], []
    with torch.no_grad():
        for index, start in enumerate(starts):
            if classes is not None:
                generator.class_index = classes[index]
            z = generator.sample_latent(min(batch_size, samples - start), generator=rng)
            batch = generator(z)
            images.append(batch)
            probabilities.append(classifier.predict_proba(batch))
    return torch.cat(images), torch.cat(probabilities)


def is_class_conditional(generator) -> bool:
    return hasattr(generator, "class_index") and hasattr(generator, "num_classes")


def real_probabilities(spec: str, classifier, *, samples: int, seed: int) -> torch.Tensor:
    """Class probabilities of ``samples`` seeded real images of catalogue ``spec``
    (from its test partition when it has one)."""
    import numpy as np

    from gigs_core.data import open_dataset

    dataset = open_dataset(spec)
    if "test" in dataset.catalogue.partitions:
        pool = np.asarray(dataset.catalog_split("test"))
    else:
        pool = np.arange(dataset.num_items)
    ids = np.random.default_rng(seed).permutation(pool)[:samples]
    return classifier.predict_proba(dataset.images(ids.tolist()))


def figures(probabilities: torch.Tensor, threshold: float) -> dict:
    confidence, predicted = probabilities.max(dim=1)
    classes = probabilities.shape[1]
    counts = torch.bincount(predicted, minlength=classes).double()
    share = counts / counts.sum()
    entropy = abs(float(-(share[share > 0] * share[share > 0].log()).sum()))
    confident = predicted[confidence >= threshold]
    confident_counts = torch.bincount(confident, minlength=classes).double()
    confident_share = confident_counts / confident_counts.sum().clamp(min=1)
    kept = confident_share[confident_share > 0]
    confident_entropy = abs(float(-(kept * kept.log()).sum()))
    return {
        "confident_fraction": float((confidence >= threshold).double().mean()),
        "entropy_ratio": entropy / math.log(classes),
        "entropy_ratio_confident": confident_entropy / math.log(classes),
        "histogram": counts.long().tolist(),
        "mean_confidence": float(confidence.mean()),
    }


def training_record(checkpoint) -> dict:
    """The ``training`` record (``steps``, ``seconds``) stored with a checkpoint by ``gigs train
    generator``: in a file's ``.json`` sidecar (progan) or a folder's ``config.json`` (biggan);
    empty when there is none."""
    if checkpoint is None:
        return {}
    path = Path(checkpoint)
    config_path = path / "config.json" if path.is_dir() else path.with_suffix(".json")
    if path.suffix == ".json" or not config_path.is_file():
        return {}
    config = json.loads(config_path.read_text())
    return config.get("training", {}) if isinstance(config, dict) else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generator", required=True, help="generator name (`gigs plugins` lists them)")
    parser.add_argument("-G", "--generator-option", action="append", default=[], metavar="KEY=VALUE",
                        help="generator option, as for gigs run (e.g. -G checkpoint=FILE)")
    parser.add_argument("--classifier", type=Path, required=True, help="gigs train classifier output (.safetensors)")
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=100,
                        help="samples per batch (a class-conditional generator draws one class per batch)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--grid", type=Path, default=None, help="write the first 64 samples as a PNG grid here")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    parser.add_argument("--data", default=None, help="dataset spec: also judge as many real images (reference)")
    args = parser.parse_args()

    from gigs_core import create_generator
    from gigs_core.cli.settings import parse_key_values
    from gigs_domain.classifier import load_classifier

    options = parse_key_values(args.generator_option, "-G")
    generator = create_generator(args.generator, **options)
    uniform_classes = is_class_conditional(generator) and not any(name in options for name in CLASS_OPTIONS)
    classifier = load_classifier(args.classifier)
    started = time.perf_counter()
    images, probabilities = judge(generator, classifier, samples=args.samples, seed=args.seed,
                                  batch_size=args.batch_size, uniform_classes=uniform_classes)
    seconds = time.perf_counter() - started
    result = figures(probabilities, args.threshold)
    training = training_record(options.get("checkpoint"))
    result.update({
        "generator": args.generator, "generator_options": {key: str(value) for key, value in options.items()},
        "samples": args.samples, "threshold": args.threshold, "uniform_classes": uniform_classes,
        "training_seconds": training.get("seconds"), "training_steps": training.get("steps"),
        "classifier_test_accuracy": getattr(classifier, "metadata", {}).get("test_accuracy"),
        "sampling_seconds": round(seconds, 2),
    })
    real = None
    if args.data is not None:
        real = figures(real_probabilities(args.data, classifier, samples=args.samples, seed=args.seed),
                       args.threshold)
        result["real_reference"] = {"data": args.data, **real}
    if args.grid is not None:
        from gigs_core.training.sample_grid import save_grid

        save_grid(images[:64], args.grid, size=max(64, generator.resolution * 2))
        result["grid"] = str(args.grid)
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2))

    names = classifier.class_names

    def both(key: str, form: str) -> str:
        text = format(result[key], form)
        return text if real is None else f"{text}   real images: {format(real[key], form)}"

    accuracy = result["classifier_test_accuracy"]
    described = " ".join(f"{key}={value}" for key, value in options.items())
    rows = [
        ("generator", f"{args.generator} {described}".strip()),
        ("samples", f"{args.samples}" + (" (classes uniform)" if uniform_classes else "")),
        ("classifier test accuracy", f"{accuracy:.4f}" if accuracy is not None else "?"),
        (f"confident (p ≥ {args.threshold}) fraction", both("confident_fraction", ".3f")),
        ("class-histogram entropy / log C", both("entropy_ratio", ".3f")),
        ("  … over confident samples only", both("entropy_ratio_confident", ".3f")),
        ("mean top-class probability", both("mean_confidence", ".3f")),
        ("training time", f"{training['seconds']:.0f} s ({training.get('steps')} steps)" if training.get("seconds") else "?"),
        ("histogram", ", ".join(f"{n}:{c}" for n, c in zip(names, result["histogram"]))),
    ]
    width = max(len(k) for k, _ in rows)
    print(f"{'figure'.ljust(width)} | value")
    print(f"{'-' * width}-|-{'-' * 40}")
    for key, value in rows:
        print(f"{key.ljust(width)} | {value}")


if __name__ == "__main__":
    main()
