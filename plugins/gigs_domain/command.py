"""``gigs train classifier [--classifier domain]``: a domain classifier over a catalogue's categories."""

from __future__ import annotations

import json
import time
from functools import partial
from pathlib import Path

import click

from gigs_core.cli.devices import device_option
from gigs_core.cli.resume import train_with_progress


@click.command("classifier")
@click.option("--data", "data_spec", required=True, help="Dataset spec whose items carry categories (e.g. fashion-mnist).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for classifier.safetensors/.json and metrics.json.")
@click.option("--epochs", type=int, default=5, show_default=True)
@click.option("--batch-size", type=int, default=128, show_default=True)
@click.option("--lr", type=float, default=1e-3, show_default=True)
@click.option("--width", type=int, default=32, show_default=True, help="Feature maps of the first stage (then 2×, 4×).")
@click.option("--input-size", type=int, default=32, show_default=True, help="Images are resized to this square size.")
@click.option("--test-fraction", type=float, default=0.1, show_default=True,
              help="Held-out share when the catalogue has no official test partition.")
@click.option("--seed", type=int, default=0, show_default=True)
@device_option
def classifier(data_spec, out_dir, epochs, batch_size, lr, width, input_size, test_fraction, seed, device):
    """Train a small CNN to recognise the catalogue's categories and save it with
    its test accuracy (the official test partition when the catalogue has one)."""
    import numpy as np
    import torch

    from gigs_core.cli.devices import pick_device
    from gigs_core.data import open_dataset
    from gigs_core.errors import DataError, UserInputError
    from gigs_domain.classifier import DomainClassifier, save_classifier, train_classifier

    for name, value in (("--epochs", epochs), ("--batch-size", batch_size), ("--width", width),
                        ("--input-size", input_size)):
        if value < 1:
            raise UserInputError(f"{name} must be positive, got {value}")
    if not 0.0 < test_fraction < 1.0:
        raise UserInputError(f"--test-fraction must be in (0, 1), got {test_fraction}")
    torch_device = pick_device(device)

    dataset = open_dataset(data_spec)
    categories = np.asarray(dataset.catalogue.categories, dtype=np.int64)
    names = dataset.category_names
    if len(names) < 2:
        raise DataError(f"{dataset.name} has {len(names)} categories; a classifier needs at least two")
    partitions = dataset.catalogue.partitions
    if "train" in partitions and "test" in partitions:
        train_ids = np.asarray(partitions["train"], dtype=np.int64)
        test_ids = np.asarray(partitions["test"], dtype=np.int64)
        split = "official train/test partitions"
    else:
        order = np.random.default_rng(seed).permutation(dataset.num_items)
        n_test = max(1, int(round(test_fraction * dataset.num_items)))
        test_ids, train_ids = order[:n_test], order[n_test:]
        split = f"random {test_fraction:.0%} held out (seed {seed})"
    train_ids = train_ids[categories[train_ids] >= 0]
    test_ids = test_ids[categories[test_ids] >= 0]
    if len(train_ids) == 0 or len(test_ids) == 0:
        raise DataError(f"{dataset.name}: no items with a category in the train or test part")
    channels = dataset.image(int(train_ids[0])).shape[0]

    def source(ids):
        return dataset.images(ids, size=input_size)

    torch.manual_seed(seed)
    model = DomainClassifier(len(names), channels=channels, input_size=input_size, width=width, class_names=names)
    click.echo(f"training a {len(names)}-class classifier on {len(train_ids)} items of {dataset.name} "
               f"({split}; {torch_device})", err=True)
    kwargs = dict(epochs=epochs, batch_size=batch_size, lr=lr, seed=seed, device=torch_device)
    train_labels = torch.from_numpy(categories[train_ids])
    test_labels = torch.from_numpy(categories[test_ids])
    started = time.perf_counter()
    history = train_with_progress(partial(train_classifier, model, source, train_ids.tolist(), train_labels,
                                          test_ids.tolist(), test_labels, **kwargs))
    metrics = {"test_accuracy": history.final_accuracy, "test_items": int(len(test_ids)),
               "train_items": int(len(train_ids)), "split": split, "epochs": epochs,
               "per_epoch_test_accuracy": history.test_accuracy, "per_epoch_train_loss": history.train_loss,
               "dataset": str(data_spec), "training_seconds": round(time.perf_counter() - started, 1)}
    path = save_classifier(model.cpu(), out_dir / "classifier.safetensors", **metrics)
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2))
    click.echo(f"test accuracy {history.final_accuracy:.4f} on {len(test_ids)} items; saved {path}")
