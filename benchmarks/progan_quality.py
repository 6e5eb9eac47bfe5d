"""Sample quality of a ProGAN trained on a catalogue, judged by a domain classifier.

Samples N images from a ``progan`` checkpoint and reports, as a table:

* the fraction the classifier assigns to some class with confidence ≥ T (0.9);
* the entropy of the histogram of predicted classes divided by log(#classes)
  (1 = every class equally often, 0 = one class only);
* the training time recorded in the checkpoint's config (``gigs train generator``).

With ``--data SPEC`` the same figures are computed on as many real images of
that catalogue (its test partition when it has one), side by side: the
classifier's own ceiling, against which the samples' figures should be read.

Usage::

    python benchmarks/progan_quality.py --generator artifacts/progan-fmnist32/generator.safetensors \\
        --classifier artifacts/fmnist-classifier/classifier.safetensors --samples 1000 \\
        --grid artifacts/progan-fmnist32-samples.png --data fashion-mnist
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import torch


def judge(generator, classifier, *, samples: int, seed: int, threshold: float, batch_size: int = 100):
    """``(images, probabilities)`` of ``samples`` seeded samples."""
    rng = torch.Generator().manual_seed(seed)
    images, probabilities = [], []
    with torch.no_grad():
        for start in range(0, samples, batch_size):
            z = generator.sample_latent(min(batch_size, samples - start), generator=rng)
            batch = generator(z)
            images.append(batch)
            probabilities.append(classifier.predict_proba(batch))
    return torch.cat(images), torch.cat(probabilities)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generator", type=Path, required=True, help="progan checkpoint (any supported format)")
    parser.add_argument("--weights", choices=["ema", "plain"], default="ema")
    parser.add_argument("--classifier", type=Path, required=True, help="gigs train classifier output (.safetensors)")
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--grid", type=Path, default=None, help="write the first 64 samples as a PNG grid here")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    parser.add_argument("--data", default=None, help="dataset spec: also judge as many real images (reference)")
    args = parser.parse_args()

    from gigs_core import create_generator
    from gigs_domain.classifier import load_classifier

    generator = create_generator("progan", checkpoint=args.generator, weights=args.weights)
    classifier = load_classifier(args.classifier)
    started = time.perf_counter()
    images, probabilities = judge(generator, classifier, samples=args.samples, seed=args.seed,
                                  threshold=args.threshold)
    seconds = time.perf_counter() - started
    result = figures(probabilities, args.threshold)
    config = json.loads(args.generator.with_suffix(".json").read_text()) if args.generator.suffix == ".safetensors" else {}
    training = config.get("training", {})
    result.update({
        "samples": args.samples, "threshold": args.threshold, "weights": args.weights,
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
    rows = [
        ("generator", f"{args.generator} ({args.weights})"),
        ("samples", str(args.samples)),
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
