"""What ``gigs run`` checks before it loads a model, and the names of the items' folders.

Everything here is cheap and imports no torch: a mistake in a path is reported in a
second, as one line, not after the models have loaded or the run has been computed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from gigs_core.atomic import RUN_FOLDER, FolderMarker, check_output_folder

#: What ``GigsRun.save`` writes beside the item folders, so no item may be named so.
RUN_FILES = frozenset({"contact_sheet.png", "report.json", "report.html", RUN_FOLDER.name})


def preflight(out: str | Path, *, overwrite: bool, items: Iterable[str | Path] = (),
              inputs: Iterable[str | Path | None] = (), marker: FolderMarker = RUN_FOLDER) -> Path:
    """Check the run's output folder and item photos; returns the output folder.

    Every item must exist and decode (one-line ``DataError`` naming it). The output
    folder must be writable (tried by creating and removing a staging folder), may not
    be or hold the current folder, an item or another of ``inputs`` (``None`` ignored),
    and, if it exists, may be replaced only with ``overwrite`` and only if gigs wrote it (it holds
    ``marker``: a run folder's by default)."""
    from gigs_core.imaging import check_image

    items = list(items)
    for path in items:
        check_image(path)
    given = [path for path in inputs if path is not None]
    return check_output_folder(out, overwrite, inputs=[*items, *given], marker=marker)


def untrained_backends(backends: Mapping[str, tuple]) -> list[str]:
    """Notes for each ``role: (name, options)`` (or ``role: (kind, name, options)`` when the role
    is not a backend kind; a role ``"generator NAME"`` is one of ``gigs compare``'s) whose backend loads weights (its options are
    :class:`~gigs_core.options.CheckpointOptions`) but was given no ``checkpoint``: it would
    run with random weights, which a user who forgot ``-G checkpoint=…`` must hear at once."""
    from gigs_core.options import CheckpointOptions
    from gigs_core.registry import get_spec

    notes = []
    for role, described in backends.items():
        kind, name, options = described if len(described) == 3 else (role, *described)
        flag = {"generator": "-G", "recommender": "-R", "judge": "-J"}[role.split()[0]]
        setting = f"{name}:checkpoint=FILE" if " " in role else "checkpoint=FILE"  # gigs compare: -G NAME:KEY=VALUE
        if issubclass(get_spec(kind, name).options_model, CheckpointOptions) and not options.get("checkpoint"):
            notes.append(f"the {role.split()[0]} {name!r} was given no checkpoint: it runs with random, untrained "
                         f"weights, so the results mean nothing (give {flag} {setting})")
    return notes


def option_paths(*options: Mapping[str, Any]) -> list[str]:
    """The option values that name an existing file or folder (e.g. ``checkpoint=g.pt``)."""
    return [value for values in options for value in values.values()
            if isinstance(value, str) and value and Path(value).exists()]


def item_names(paths: Iterable[str | Path]) -> list[str]:
    """The items' folder names: their file names without extension, in order, made unique
    (ignoring case, as some file systems do) by ``-2``, ``-3``, …: ``shoe``, ``shoe-2``."""
    names: list[str] = []
    taken = {name.casefold() for name in RUN_FILES}
    for path in paths:
        stem = name = Path(path).stem
        number = 1
        while name.casefold() in taken:
            number += 1
            name = f"{stem}-{number}"
        taken.add(name.casefold())
        names.append(name)
    return names
