"""The files of a resumable training run: the run folder's checks, the resume point written
atomically, the model folders rewritten at each checkpoint, ``log.jsonl``
(one record per logging window, trimmed back to the resume point when a killed run is
continued), and the moving average of a model's weights that trainers save."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from gigs_core.atomic import FolderMarker, atomic_folder, check_output_folder


def save_state(state: dict[str, Any], path: Path) -> None:
    """``torch.save`` to a temporary name and rename over ``path``: a kill never leaves half a file."""
    temporary = path.with_name(f".{path.name}.tmp")
    torch.save(state, temporary)
    os.replace(temporary, path)


def append_log(out_dir: Path, record: dict[str, Any]) -> None:
    with open(Path(out_dir) / "log.jsonl", "a") as handle:
        handle.write(json.dumps(record) + "\n")


def read_log(out_dir: str | Path) -> list[dict[str, Any]]:
    """The records of ``log.jsonl`` in a run folder."""
    path = Path(out_dir) / "log.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def drop_log_after(out_dir: Path, step: int) -> None:
    """Forget log records written after the resume point (by a run that was killed)."""
    path = Path(out_dir) / "log.jsonl"
    if not path.is_file():
        return
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    kept = [line for line in lines if json.loads(line)["step"] <= step]
    if len(kept) != len(lines):
        path.write_text("".join(line + "\n" for line in kept))


@torch.no_grad()
def update_ema(ema: torch.nn.Module, model: torch.nn.Module, beta: float) -> None:
    """ema ← β·ema + (1 − β)·model, parameter by parameter."""
    for target, source in zip(ema.parameters(), model.parameters()):
        target.lerp_(source, 1.0 - beta)


def plot_auc_history(history: list[dict[str, Any]], path: str | Path, title: str) -> Path:
    """A recommender trainer's PNG: loss per triple and the four AUCs per epoch."""
    from gigs_core.report.charts import line_chart

    def curve(name: str) -> list[tuple[float, float]]:
        return [(record["epoch"], record.get(name, float("nan"))) for record in history]

    names = ("validation_auc_sampled", "validation_auc_full", "test_auc_sampled", "test_auc_full")
    panels = [("loss per triple", {"loss": curve("loss")}), ("AUC", {name: curve(name) for name in names})]
    return line_chart(panels, path, title=title)


def training_state(format: str, config, step: int, seconds: float, **parts) -> dict[str, Any]:
    """A resume point: the run's format name, its config (a dataclass), step and seconds, and the
    ``state_dict()`` of every named part (models, moving averages, optimisers)."""
    import dataclasses

    return {"format": format, "version": 1, "config": dataclasses.asdict(config), "step": step, "seconds": seconds,
            **{name: part.state_dict() for name, part in parts.items()}}


def read_training_state(path: Path, format: str, what: str) -> dict[str, Any]:
    """The resume point at ``path`` (weights-only load); a one-line error unless it is a ``format`` state."""
    from gigs_core.checkpoints import load_torch_file
    from gigs_core.errors import CheckpointError

    state = load_torch_file(path)
    if not isinstance(state, dict) or state.get("format") != format:
        raise CheckpointError(f"{str(path)!r} is not a gigs {what} training state")
    return state


def restore_training_state(state: dict[str, Any], **parts) -> tuple[int, float]:
    """Load every named part's ``state_dict`` from ``state``; returns ``(step, seconds)``."""
    for name, part in parts.items():
        part.load_state_dict(state[name])
    return int(state["step"]), float(state["seconds"])


@dataclass
class GeneratorTrainResult:
    """Where a resumable generator trainer stopped: its run folder, steps done, whether it ran
    to the end, training seconds in all, and the generator it wrote last."""

    out_dir: Path
    steps: int
    finished: bool
    seconds: float
    generator_path: Path | None


#: What a GAN trainer's resume point holds: both networks, the generator's moving average, both optimisers.
GAN_PARTS = ("generator", "discriminator", "ema", "optimizer_g", "optimizer_d")


class ResumableRun:
    """The mutable state of a trainer's run: ``part_names`` are the attributes a resume point holds
    (models, moving averages, optimisers); ``state()`` and ``restore()`` write and read them with
    the step and training seconds. Subclasses set ``state_format``, ``part_names`` and ``config``
    (a dataclass)."""

    state_format: str
    part_names: tuple[str, ...]
    config: Any
    step: int = 0
    seconds: float = 0.0

    def parts(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.part_names}

    def state(self) -> dict[str, Any]:
        return training_state(self.state_format, self.config, self.step, self.seconds, **self.parts())

    def restore(self, state: dict[str, Any]) -> None:
        self.step, self.seconds = restore_training_state(state, **self.parts())


#: Every trainer's resume point, in its run folder.
STATE_FILE = "state.pt"

#: The marker of a model folder a trainer writes (e.g. ``generator/``): only such a folder is replaced.
MODEL_FOLDER = FolderMarker(".gigs-model", {"format": "gigs-trained-model", "version": 1})


def check_run_folder(out: Path, resume: bool, *, model_folders: tuple[str, ...] = (),
                     model_files: tuple[str, ...] = ()) -> Path:
    """The resume point of the run in ``out``, checked before any work (a command calls this
    before its data loads; nothing is written): a run there needs ``resume``, ``resume``
    needs a run there, each of ``model_folders`` (folders the run rewrites at every
    checkpoint) must be absent, empty or written by a trainer, and each of ``model_files``
    (files it rewrites) must be absent unless the run is resumed."""
    from gigs_core.errors import UserInputError

    out = Path(out)
    state_path = out / STATE_FILE
    if state_path.exists() and not resume:
        raise UserInputError(f"{str(out)!r} already holds a training run; pass --resume to continue it "
                             "or choose another --out")
    if resume and not state_path.exists():
        raise UserInputError(f"nothing to resume: {str(state_path)!r} does not exist")
    for name in model_folders:
        check_output_folder(out / name, True, marker=MODEL_FOLDER)
    for name in model_files:
        if not resume and os.path.lexists(out / name):
            raise UserInputError(f"{str(out / name)!r} exists and no training run wrote it (there is no "
                                 f"{STATE_FILE} beside it); choose another --out")
    return state_path


def open_run_folder(out: Path, resume: bool, *, model_folders: tuple[str, ...] = (),
                    model_files: tuple[str, ...] = ()) -> Path:
    """:func:`check_run_folder`, then create ``out``; returns the resume point's path."""
    state_path = check_run_folder(out, resume, model_folders=model_folders, model_files=model_files)
    out.mkdir(parents=True, exist_ok=True)
    return state_path


def model_folder(target: Path):
    """A staging folder to write a trained model into; it replaces ``target`` (only a folder a
    trainer wrote) once complete, so a kill leaves the old model or the new one."""
    return atomic_folder(target, overwrite=True, marker=MODEL_FOLDER)
