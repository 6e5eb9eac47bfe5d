"""Writing files and folders so that a failure leaves nothing half-written."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

from gigs_core.errors import UserInputError


def _default_mode(folder: bool) -> int:
    """The permissions a plain open()/mkdir() would give (mkstemp/mkdtemp use 0600/0700)."""
    umask = os.umask(0)
    os.umask(umask)
    return (0o777 if folder else 0o666) & ~umask


def check_output_folder(folder: str | Path, overwrite: bool) -> Path:
    """Fail early (before any work) if ``folder`` exists and may not be replaced."""
    folder = Path(folder)
    if folder.exists() and not overwrite:
        raise UserInputError(f"output folder {str(folder)!r} already exists; choose another or pass --overwrite")
    if folder.exists() and not folder.is_dir():
        raise UserInputError(f"output path {str(folder)!r} exists and is not a folder")
    return folder


@contextlib.contextmanager
def atomic_file(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; it replaces ``target`` only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(handle)
    try:
        yield Path(temporary)
        os.chmod(temporary, _default_mode(folder=False))
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_folder(target: str | Path, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary folder beside ``target``; on success it becomes ``target``
    (replacing an old one only with ``overwrite``); on failure it is removed."""
    target = check_output_folder(target, overwrite)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.tmp-"))
    try:
        yield staging
        os.chmod(staging, _default_mode(folder=True))
        if target.exists():
            retired = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old-"))
            os.replace(target, retired / "old")
            os.replace(staging, target)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
