"""Building the ``biggan`` generator: from a ``pytorch-pretrained-BigGAN`` folder
(``config.json`` + ``pytorch_model.bin``, read with ``weights_only=True`` and loaded with
``strict=True``), or fresh with seeded random weights.

Everything the user can get wrong (the folder's files, the config, the class) is checked
before the weights are read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from gigs_biggan.architecture import architecture_from_config, fresh_architecture, read_config
from gigs_biggan.generator import BigGanGenerator
from gigs_biggan.labels import class_index_of, read_labels
from gigs_biggan.network import BigGanNetwork
from gigs_core.errors import CheckpointError, InvalidOptionsError

log = logging.getLogger(__name__)

#: The weights file of a ``pytorch-pretrained-BigGAN`` folder.
WEIGHTS_FILE = "pytorch_model.bin"


def build_generator(options) -> BigGanGenerator:
    """The generator ``options`` (:class:`gigs_biggan.plugin.BigGanOptions`) describe, in eval mode."""
    if options.checkpoint is not None:
        network, class_index, labels = load_network(Path(options.checkpoint), options.class_index,
                                                    options.class_name, with_labels=options.class_by_category)
    else:
        if options.class_by_category:
            raise InvalidOptionsError("class_by_category needs class labels and a fresh model has none; give a "
                                      "checkpoint folder with labels (config.json 'labels' or labels.txt)")
        network = fresh_network(resolution=options.resolution, channel_width=options.channel_width,
                                z_dim=options.z_dim, num_classes=options.num_classes, seed=options.seed)
        class_index = choose_class(options.num_classes, options.class_index, options.class_name,
                                   labels=lambda: None, owner="a fresh model")
        labels = None
    log.info("BigGAN %d px, class %d, truncation %g%s%s", network.architecture.output_dim, class_index,
             options.truncation, ", class embedding optimised" if options.invert_class else "",
             ", each item's class from its category" if options.class_by_category else "")
    generator = BigGanGenerator(network, class_index=class_index, truncation=options.truncation,
                                invert_class=options.invert_class, labels=labels,
                                class_by_category=options.class_by_category)
    return generator.eval()


def load_network(folder: Path, class_index: int | None, class_name: str | None, *,
                 with_labels: bool = False) -> tuple[BigGanNetwork, int, list[str] | None]:
    """The network stored in ``folder``, the chosen class's index and, when ``with_labels``
    (or a ``class_name`` needs them), the folder's class labels (a one-line error when it has none)."""
    from gigs_core.checkpoints import load_state_dict_strict, read_state_file

    config = read_config(folder)
    architecture = architecture_from_config(config, repr(str(folder / "config.json")))
    labels = None
    if with_labels or class_name is not None:
        labels = read_labels(folder, config, architecture.num_classes)
    if with_labels and labels is None:
        raise InvalidOptionsError(f"class_by_category needs class labels and {str(folder)!r} has none (config.json "
                                  f"'labels' or labels.txt)")
    chosen = choose_class(architecture.num_classes, class_index, class_name, labels=lambda: labels,
                          owner=repr(str(folder)))
    weights = folder / WEIGHTS_FILE
    if not weights.is_file():
        raise CheckpointError(f"{str(folder)!r} has no {WEIGHTS_FILE}; give a pytorch-pretrained-BigGAN folder "
                              f"(config.json + {WEIGHTS_FILE})")
    state = read_state_file(weights)
    network = BigGanNetwork(architecture)
    load_state_dict_strict(network, state, repr(str(weights)))
    return network, chosen, labels


def fresh_network(*, resolution: int, channel_width: int, z_dim: int, num_classes: int, seed: int) -> BigGanNetwork:
    """A network with seeded random weights (torch's default initialisation, exact leading
    singular vectors for spectral norm, batch-norm statistics 0 and 1 at every truncation)."""
    from gigs_core.method.modules import seeded

    architecture = fresh_architecture(resolution=resolution, channel_width=channel_width, z_dim=z_dim,
                                      num_classes=num_classes)
    with seeded(seed):
        network = BigGanNetwork(architecture)
    network.set_singular_vectors()
    return network


def choose_class(num_classes: int, class_index: int | None, class_name: str | None, *,
                 labels: Callable[[], list[str] | None], owner: str) -> int:
    """``class_index`` (default 0) checked against ``num_classes``, or the index of
    ``class_name`` among ``labels()`` (read only when a name is given; ``None`` when
    ``owner``, the model's description, carries no labels)."""
    if class_name is not None:
        names = labels()
        if names is None:
            raise InvalidOptionsError(f"class_name needs class labels and {owner} has none (config.json 'labels' "
                                      f"or labels.txt); give class_index")
        return class_index_of(class_name, names)
    index = 0 if class_index is None else class_index
    if index >= num_classes:
        raise InvalidOptionsError(f"class_index {index} is out of range: the model has {num_classes} classes "
                                  f"(0..{num_classes - 1})")
    return index

