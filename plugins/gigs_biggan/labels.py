"""Class names of a BigGAN folder, when it carries them, and choosing a class by name.

Names come from the folder only (nothing is downloaded): ``labels`` in ``config.json``
(a list in class order, or an object ``{"index": "name"}``), else ``labels.txt`` (one
name per line, in class order). A label may list synonyms separated by commas, as
ImageNet's do (``"tench, Tinca tinca"``); a name matches a whole label or one synonym,
ignoring case.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from gigs_core.errors import CheckpointError, InvalidOptionsError

LABELS_FILE = "labels.txt"
#: How many valid names an error about an unknown name shows.
SHOWN_NAMES = 5


def read_labels(folder: Path, config: dict, num_classes: int) -> list[str] | None:
    """The ``num_classes`` class names the folder (with its parsed ``config.json``) carries,
    or ``None`` when it has none."""
    config_labels = config.get("labels")
    if config_labels is not None:
        labels = _labels_from_config(config_labels, num_classes, repr(str(folder / "config.json")))
    elif (folder / LABELS_FILE).is_file():
        try:
            text = (folder / LABELS_FILE).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise CheckpointError(f"{str(folder / LABELS_FILE)!r} is not UTF-8 text; save it as UTF-8") from None
        labels = [line.strip() for line in text.splitlines() if line.strip()]
    else:
        return None
    if len(labels) != num_classes:
        raise CheckpointError(f"{str(folder)!r} has {len(labels)} class labels for {num_classes} classes; "
                              f"give one label per class or choose the class with class_index")
    return labels


def class_index_of(name: str, labels: list[str]) -> int:
    """The index of the one class ``name`` names, or a one-line :class:`InvalidOptionsError`
    (an unknown name shows close or first valid names; a shared synonym lists its classes)."""
    wanted = name.strip().casefold()
    matches = [index for index, label in enumerate(labels) if wanted in _names(label)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        shown = ", ".join(f"{index} ({labels[index]})" for index in matches)
        raise InvalidOptionsError(f"class_name {name!r} names several classes: {shown}; give class_index")
    every_name = [synonym for label in labels for synonym in _synonyms(label)]
    close = difflib.get_close_matches(name.strip(), every_name, n=SHOWN_NAMES) or every_name[:SHOWN_NAMES]
    raise InvalidOptionsError(f"no class is named {name!r} among the {len(labels)} labels; "
                              f"valid names include {', '.join(map(repr, close))}")


def _labels_from_config(value, num_classes: int, source: str) -> list[str]:
    if isinstance(value, list) and all(isinstance(label, str) for label in value):
        return value
    if isinstance(value, dict) and all(isinstance(label, str) for label in value.values()):
        try:
            by_index = {int(key): label for key, label in value.items()}
        except ValueError:
            by_index = {}
        if sorted(by_index) == list(range(num_classes)):
            return [by_index[index] for index in range(num_classes)]
    raise CheckpointError(f"{source}: labels must be a list of names in class order or an object "
                          f"{{\"0\": name, …}} covering classes 0..{num_classes - 1}")


def _synonyms(label: str) -> list[str]:
    return [part.strip() for part in label.split(",") if part.strip()]


def _names(label: str) -> set[str]:
    return {label.strip().casefold(), *(synonym.casefold() for synonym in _synonyms(label))}
