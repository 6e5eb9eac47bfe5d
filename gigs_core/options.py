"""The base of every backend's options model."""

from __future__ import annotations

from pathlib import Path

import pydantic


class BackendOptions(pydantic.BaseModel):
    """Options of a backend: unknown keys are errors, not silently ignored."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)


class CheckpointOptions(BackendOptions):
    """Options of a backend that loads weights: ``checkpoint=PATH`` is the standard key."""

    checkpoint: Path | None = None

    @pydantic.field_validator("checkpoint")
    @classmethod
    def _must_exist(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"checkpoint file {str(value)!r} does not exist")
        return value
