"""Writing files and folders so that a failure leaves nothing half-written, and
never replacing a folder that is not ours.

A folder is built in a staging folder beside its target, ``.NAME.tmp-PID-HOST-XXXX``,
and swapped into place at the end (see docs/output-folders.md). The name of every
staging and backup folder (``.NAME.old-PID-HOST-XXXX``) records the process that made
it (its PID and a hash of the host name), from the moment it exists: a later write
into the same place removes those whose process has died on this host (a killed run),
restoring a backup when it is the only copy left of the old folder.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import socket
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gigs_core.errors import UserInputError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FolderMarker:
    """A small JSON file that says which program wrote a folder (and so may replace it)."""

    name: str
    content: dict[str, Any] = field(default_factory=dict)

    def write(self, folder: Path) -> None:
        (folder / self.name).write_text(json.dumps(self.content) + "\n")

    def found_in(self, folder: Path) -> bool:
        """Whether ``folder`` holds this marker (any version of the same format)."""
        path = folder / self.name
        try:
            if path.is_symlink() or not path.is_file():
                return False
            with path.open("rb") as handle:
                content = json.loads(handle.read(4096))
        except (OSError, ValueError):
            return False
        return isinstance(content, dict) and content.get("format") == self.content["format"]


#: The marker of a ``gigs run`` folder; ``report.json`` repeats it under ``metadata``.
RUN_FOLDER = FolderMarker(".gigs-run", {"format": "gigs-run", "version": 1})


def _default_mode(folder: bool) -> int:
    """The permissions a plain open()/mkdir() would give (mkstemp/mkdtemp use 0600/0700)."""
    umask = os.umask(0)
    os.umask(umask)
    return (0o777 if folder else 0o666) & ~umask


def _host_tag() -> str:
    return hashlib.sha1(socket.gethostname().encode()).hexdigest()[:8]


def _owner_tag() -> str:
    """``PID-HOST``: this process, in the names of the folders it makes beside a target."""
    return f"{os.getpid()}-{_host_tag()}"


def _make_staging(target: Path) -> Path:
    return Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.tmp-{_owner_tag()}-"))


def _backup_path(target: Path) -> Path:
    return target.parent / f".{target.name}.old-{_owner_tag()}-{secrets.token_hex(4)}"


def _process_is_gone(pid: int) -> bool:
    """Whether no process ``pid`` runs on this host (a reused PID errs on the safe side: kept)."""
    if os.name == "nt":  # os.kill would terminate it there; never guess
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def _remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    if os.path.lexists(path):
        log.warning("could not remove %s; remove it yourself", path)


def remove_leftovers(target: str | Path) -> None:
    """Remove the staging and backup folders beside ``target`` that a killed process left
    (same host, process gone); a backup whose target is missing is restored instead."""
    target = Path(target)
    try:
        entries = list(target.parent.iterdir())
    except OSError:  # no parent yet (nothing to clean), or not ours to list
        return
    pattern = re.compile(rf"\.{re.escape(target.name)}\.(tmp|old)-(\d+)-{_host_tag()}-\w+")
    leftovers = sorted(
        (match.group(1), path) for path in entries
        if (match := pattern.fullmatch(path.name)) and path.is_dir() and not path.is_symlink()
        and _process_is_gone(int(match.group(2)))
    )  # "old" before "tmp": a backup is restored before anything else is judged
    for kind, path in leftovers:
        if kind == "old" and not os.path.lexists(target):
            os.replace(path, target)
            log.warning("restored %s from %s, left by a run that was killed while replacing it", target, path)
        else:
            log.info("removing %s, left by a run that was killed", path)
            _remove_tree(path)


def _refuse_enclosing(folder: Path, inputs: Iterable[str | Path]) -> None:
    """The output folder may not be, or hold, the current folder or any input."""
    resolved = folder.resolve()
    if Path.cwd().resolve().is_relative_to(resolved):
        raise UserInputError(f"output folder {str(folder)!r} is the current folder or holds it; "
                             f"choose another --out")
    for path in inputs:
        if Path(path).resolve().is_relative_to(resolved):
            raise UserInputError(f"output folder {str(folder)!r} holds the input {str(path)!r}; "
                                 f"choose another --out")


def _is_empty(folder: Path) -> bool:
    try:
        return not any(folder.iterdir())
    except OSError:  # unreadable: assume it holds something
        return False


def _refuse_to_replace(folder: Path, overwrite: bool, marker: FolderMarker | None) -> None:
    """Raise unless ``folder`` is absent, or may be replaced: ``overwrite`` is given and,
    with a ``marker``, the folder holds it or is empty."""
    if not os.path.lexists(folder):
        return
    if not folder.is_dir():
        raise UserInputError(f"output path {str(folder)!r} exists and is not a folder; choose another --out")
    if not overwrite:
        raise UserInputError(f"output folder {str(folder)!r} already exists; choose another --out "
                             f"or pass --overwrite")
    if marker and not marker.found_in(folder) and not _is_empty(folder):
        raise UserInputError(f"output folder {str(folder)!r} was not written by gigs (it has no {marker.name} "
                             f"file), so --overwrite will not replace it; choose another --out or remove it yourself")
    if os.path.ismount(folder):
        raise UserInputError(f"output folder {str(folder)!r} is a mount point and cannot be replaced; "
                             f"choose a folder inside it")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UserInputError(f"output folder {str(folder)!r} is read-only, so it cannot be replaced; "
                             f"make it writable or choose another --out")


def _probe_writable(folder: Path) -> None:
    """Create (and remove) the missing parents and a staging folder, as the write will."""
    missing = [parent for parent in reversed(folder.parents) if not os.path.lexists(parent)]
    created: list[Path] = []
    try:
        for parent in missing:
            parent.mkdir()
            created.append(parent)
        _make_staging(folder).rmdir()
    except OSError as exc:
        raise UserInputError(f"cannot create the output folder {str(folder)!r} ({exc.strerror or exc}); "
                             f"choose another --out") from None
    finally:
        for parent in reversed(created):
            with contextlib.suppress(OSError):  # someone else put something there meanwhile
                parent.rmdir()


def check_output_folder(folder: str | Path, overwrite: bool, *, inputs: Iterable[str | Path] = (),
                        marker: FolderMarker | None = None) -> Path:
    """Fail early (before any work) unless ``folder`` can be written and, if it exists, replaced.

    Refused: the current folder or one holding it, a folder holding one of ``inputs``,
    an existing folder without ``overwrite``, with a ``marker`` an existing non-empty
    folder that lacks it, a mount point, a read-only folder, and a place where nothing
    can be created. Leftovers of killed runs beside it are removed first."""
    folder = Path(folder)
    _refuse_enclosing(folder, inputs)
    remove_leftovers(folder)
    _refuse_to_replace(folder, overwrite, marker)
    _probe_writable(folder)
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


AT_FDCWD = -100
RENAME_EXCHANGE = 2


def _renameat2():
    """The C library's ``renameat2`` (Linux, glibc ≥ 2.28), or ``None``."""
    try:
        return getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    except (OSError, TypeError):  # no C library to load this way (Windows)
        return None


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``);
    ``False`` where the OS or file system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _swap_into_place(staging: Path, target: Path) -> None:
    """Make ``staging`` be ``target``. An old ``target`` is swapped out atomically where the OS
    can, else renamed aside and renamed back if the second rename fails: never both gone."""
    if not os.path.lexists(target):
        os.replace(staging, target)
        return
    if _exchange(staging, target):
        _remove_tree(staging)  # now the old folder
        return
    backup = _backup_path(target)
    os.replace(target, backup)
    try:
        os.replace(staging, target)
    except BaseException:
        os.replace(backup, target)
        raise
    _remove_tree(backup)


@contextlib.contextmanager
def atomic_folder(target: str | Path, overwrite: bool = False, *, marker: FolderMarker | None = None) -> Iterator[Path]:
    """Yield a temporary folder beside ``target``; on success it becomes ``target`` (replacing
    an old one only with ``overwrite``, and with a ``marker`` only one that holds it); on
    failure it is removed and an old ``target`` is left as it was. ``marker`` is written into
    the new folder."""
    target = check_output_folder(target, overwrite, marker=marker)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = _make_staging(target)
    try:
        yield staging
        if marker:
            marker.write(staging)
        os.chmod(staging, _default_mode(folder=True))
        _swap_into_place(staging, target)
    finally:
        if os.path.lexists(staging):
            _remove_tree(staging)
