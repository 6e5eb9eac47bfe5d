"""The base of every backend's options model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pydantic


def existing_checkpoint(path: str | Path) -> Path:
    """``path`` if it names a file, else a :class:`~gigs_core.errors.CheckpointError` saying so
    (the one existence check every checkpoint loader uses)."""
    from gigs_core.errors import CheckpointError

    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint file {str(path)!r} does not exist")
    return path


def _grey_or_rgb(value: int) -> int:
    if value not in (1, 3):
        raise ValueError("channels must be 1 (grey) or 3 (RGB)")
    return value


#: An option giving an image's channels: 1 (grey) or 3 (RGB).
ImageChannels = Annotated[int, pydantic.AfterValidator(_grey_or_rgb)]


class BackendOptions(pydantic.BaseModel):
    """Options of a backend: unknown keys are errors, not silently ignored."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)


class CheckpointOptions(BackendOptions):
    """Options of a backend that loads weights: ``checkpoint=PATH`` is the standard key."""

    checkpoint: Path | None = None

    @pydantic.field_validator("checkpoint")
    @classmethod
    def _must_exist(cls, value: Path | None) -> Path | None:
        from gigs_core.errors import CheckpointError

        try:
            return None if value is None else existing_checkpoint(value)
        except CheckpointError as exc:  # reported with the other option errors
            raise ValueError(str(exc)) from None
