"""The batch's output folder: one gigs run folder per finished job, one record per failed
job, and the settings the batch was started with.

```
OUT/
  .gigs-batch            marker: gigs batch wrote this folder
  batch.json             the settings that decide the results (a re-run must match them)
  jobs/KEY/              a finished job: a complete `gigs run` folder, written atomically
  failed/KEY.json        a failed job: its one-line error and how many attempts it had
  summary.csv  summary.json  index.html
```

A job is finished exactly when ``jobs/KEY`` holds the ``.gigs-run`` marker, which is
written last into a staging folder that is then renamed into place: a killed driver
leaves either the whole job folder or none (its staging folder is removed by the next
save of that job).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gigs_core.atomic import RUN_FOLDER, FolderMarker, atomic_file, check_output_folder
from gigs_core.batch.jobs import Job
from gigs_core.errors import UserInputError

if TYPE_CHECKING:
    from gigs_core.report.result import GigsRun

BATCH_FOLDER = FolderMarker(".gigs-batch", {"format": "gigs-batch", "version": 1})
SETTINGS_FILE = "batch.json"


def write_json(path: Path, content: Any) -> None:
    """``content`` as strict JSON, replacing ``path`` atomically."""
    with atomic_file(path) as temporary:
        temporary.write_text(json.dumps(content, indent=2, allow_nan=False) + "\n", encoding="utf-8")


def _differing(before: Any, after: Any, path: str = "") -> list[str]:
    """Dotted names of the settings that differ, e.g. ``runner.config.shift.steps``."""
    if isinstance(before, dict) and isinstance(after, dict):
        return [name for key in sorted({*before, *after})
                for name in _differing(before.get(key), after.get(key), f"{path}.{key}" if path else key)]
    return [] if before == after else [path or "settings"]


class JobStore:
    """Reads and writes one batch folder (only the driver writes)."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    @classmethod
    def open(cls, folder: str | Path, settings: dict[str, Any], inputs: Iterable[str | Path] = ()) -> JobStore:
        """The batch folder, created if needed. Refused: a folder gigs batch did not write
        (unless empty), one holding an input or the current folder, one that cannot be
        written, and one whose batch had other ``settings`` (its results would mix)."""
        folder = Path(folder)
        if folder.is_dir() and any(folder.iterdir()) and not BATCH_FOLDER.found_in(folder):
            raise UserInputError(f"output folder {str(folder)!r} was not written by gigs batch (it has no "
                                 f"{BATCH_FOLDER.name} file); choose another --out")
        check_output_folder(folder, overwrite=True, inputs=inputs, marker=BATCH_FOLDER)
        settings = json.loads(json.dumps(settings))  # as it reads back from batch.json
        saved = folder / SETTINGS_FILE
        if saved.is_file():
            before = json.loads(saved.read_text(encoding="utf-8"))["settings"]
            if before != settings:
                raise UserInputError(f"output folder {str(folder)!r} holds a batch run with other settings "
                                     f"(differing: {', '.join(_differing(before, settings))}); use the same "
                                     f"settings to resume it, or choose another --out")
        else:
            folder.mkdir(parents=True, exist_ok=True)
            BATCH_FOLDER.write(folder)  # first: a kill before batch.json leaves a folder we may reuse
            write_json(saved, {**BATCH_FOLDER.content, "settings": settings})
        return cls(folder)

    def job_folder(self, key: str) -> Path:
        return self.folder / "jobs" / key

    def failure_file(self, key: str) -> Path:
        return self.folder / "failed" / f"{key}.json"

    def is_done(self, key: str) -> bool:
        return RUN_FOLDER.found_in(self.job_folder(key))

    def failure(self, key: str) -> dict[str, Any] | None:
        """The failure record of ``key``, if its last attempt failed."""
        path = self.failure_file(key)
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

    def report(self, key: str) -> dict[str, Any]:
        return json.loads((self.job_folder(key) / "report.json").read_text(encoding="utf-8"))

    def save_run(self, key: str, run: GigsRun) -> None:
        """Write a finished job (atomically) and forget an earlier failure of it."""
        self.job_folder(key).parent.mkdir(parents=True, exist_ok=True)
        run.save(self.job_folder(key))
        self.failure_file(key).unlink(missing_ok=True)

    def save_failure(self, job: Job, error: str) -> None:
        earlier = self.failure(job.key)
        write_json(self.failure_file(job.key), {
            "key": job.key, "item": job.item.id, "segment": job.segment.name, "seed": job.seed,
            "error": error, "attempts": 1 + (earlier["attempts"] if earlier else 0),
        })
