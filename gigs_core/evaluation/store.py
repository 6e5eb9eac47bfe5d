"""The evaluation folder: one record per finished cell, so a killed or extended run resumes.

```
OUT/
  .gigs-eval                 marker: gigs eval wrote this folder
  eval.json                  the settings that decide the cells (a re-run must match them)
  cells/KEY.json             a finished cell: its per-unit values (written last, atomically)
  cells/KEY.safetensors      its variant images (for IS and FID)
  table2.md/.json …          tables, plots/ and summary.html, rewritten after every run
```

The tables chosen are not settings: running more tables into a folder adds their cells.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import torch

from gigs_core.atomic import FolderMarker, atomic_file, check_output_folder
from gigs_core.errors import UserInputError
from gigs_core.evaluation.cells import CellResult

EVAL_FOLDER = FolderMarker(".gigs-eval", {"format": "gigs-eval", "version": 1})
SETTINGS_FILE = "eval.json"


def write_text(path: Path, text: str) -> None:
    """``text`` into ``path``, replacing it atomically."""
    with atomic_file(path) as temporary:
        temporary.write_text(text, encoding="utf-8")


def write_json(path: Path, content: Any) -> None:
    write_text(path, json.dumps(content, indent=2, allow_nan=False) + "\n")


def _differing(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(key for key in {*before, *after} if before.get(key) != after.get(key))


class EvalStore:
    """Reads and writes one evaluation folder."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    @classmethod
    def check(cls, folder: str | Path, settings: dict[str, Any], inputs: Iterable[str | Path] = ()) -> Path:
        """Refuse, before any work, a folder gigs eval did not write (unless empty), one holding an
        input or the current folder, one that cannot be written, and one with other ``settings``."""
        folder = Path(folder)
        if folder.is_dir() and any(folder.iterdir()) and not EVAL_FOLDER.found_in(folder):
            raise UserInputError(f"output folder {str(folder)!r} was not written by gigs eval (it has no "
                                 f"{EVAL_FOLDER.name} file); choose another --out")
        check_output_folder(folder, overwrite=True, inputs=inputs, marker=EVAL_FOLDER)
        saved = folder / SETTINGS_FILE
        if saved.is_file():
            before = json.loads(saved.read_text(encoding="utf-8"))["settings"]
            after = json.loads(json.dumps(settings))  # as it reads back from eval.json
            if before != after:
                raise UserInputError(f"output folder {str(folder)!r} holds an evaluation with other settings "
                                     f"(differing: {', '.join(_differing(before, after))}); use the same settings "
                                     f"to resume it, or choose another --out")
        return folder

    @classmethod
    def open(cls, folder: str | Path, settings: dict[str, Any], inputs: Iterable[str | Path] = ()) -> EvalStore:
        """The checked folder (:meth:`check`), created with its marker and settings if new."""
        folder = cls.check(folder, settings, inputs)
        if not (folder / SETTINGS_FILE).is_file():
            folder.mkdir(parents=True, exist_ok=True)
            EVAL_FOLDER.write(folder)  # first: a kill before eval.json leaves a folder we may reuse
            write_json(folder / SETTINGS_FILE, {**EVAL_FOLDER.content, "settings": settings})
        return cls(folder)

    def _record_path(self, key: str) -> Path:
        return self.folder / "cells" / f"{key}.json"

    def _images_path(self, key: str) -> Path:
        return self.folder / "cells" / f"{key}.safetensors"

    def is_done(self, key: str) -> bool:
        return self._record_path(key).is_file()

    def save(self, result: CellResult) -> None:
        """The images first, the record last: a cell is done exactly when its record exists."""
        from safetensors.torch import save_file

        key = result.cell.key
        with atomic_file(self._images_path(key)) as temporary:
            save_file({"variants": result.variants.contiguous()}, str(temporary))
        write_json(self._record_path(key), result.record())

    def record(self, key: str) -> dict[str, Any]:
        return json.loads(self._record_path(key).read_text(encoding="utf-8"))

    def variants(self, key: str) -> torch.Tensor:
        from safetensors.torch import load_file

        return load_file(str(self._images_path(key)))["variants"]
