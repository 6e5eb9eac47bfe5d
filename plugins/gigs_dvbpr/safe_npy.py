"""Reading pickled ``.npy`` files (object arrays) without executing code.

``np.load(allow_pickle=True)`` runs any callable a pickle names. The DVBPR files
only need numpy's array reconstruction and Python containers, so we parse the
``.npy`` header ourselves and unpickle the payload with an allow-list.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np

from gigs_core.errors import DataError


def _allowed() -> dict[tuple[str, str], Any]:
    try:
        from numpy._core import multiarray
    except ImportError:  # numpy < 2
        from numpy.core import multiarray
    allowed = {}
    for module in ("numpy.core.multiarray", "numpy._core.multiarray"):
        allowed[(module, "_reconstruct")] = multiarray._reconstruct
        allowed[(module, "scalar")] = multiarray.scalar
    allowed[("numpy", "ndarray")] = np.ndarray
    allowed[("numpy", "dtype")] = np.dtype
    for builtin in ("__builtin__", "builtins"):
        allowed[(builtin, "set")] = set
        allowed[(builtin, "frozenset")] = frozenset
        allowed[(builtin, "bytearray")] = bytearray
    allowed[("copy_reg", "_reconstructor")] = allowed[("copyreg", "_reconstructor")] = _reconstructor
    allowed[("_codecs", "encode")] = __import__("codecs").encode  # bytes in protocol-2 pickles written by Python 3
    allowed[("__builtin__", "object")] = allowed[("builtins", "object")] = object
    allowed[("collections", "OrderedDict")] = __import__("collections").OrderedDict
    allowed[("collections", "defaultdict")] = __import__("collections").defaultdict
    return allowed


def _reconstructor(cls, base, state):
    # copy_reg._reconstructor restricted to the container types above.
    if base is object:
        return object.__new__(cls)
    if cls in (dict, list, set) or issubclass(cls, (dict, list)):
        return base.__new__(cls, state) if state is not None else base.__new__(cls)
    raise pickle.UnpicklingError(f"refusing to build {cls!r}")


class _RestrictedUnpickler(pickle.Unpickler):
    _table: dict[tuple[str, str], Any] = {}

    def find_class(self, module: str, name: str):
        if (module, name) in self._table:
            return self._table[(module, name)]
        if module in ("numpy", "numpy.dtypes") and name.endswith("DType"):
            return getattr(__import__("numpy.dtypes", fromlist=[name]), name)
        raise pickle.UnpicklingError(f"the file names {module}.{name}, which gigs does not load (only numpy arrays and Python containers)")


def load_pickled_npy(path: str | Path) -> Any:
    """The object stored in a ``.npy`` file, unpickled safely (Python 2 strings as bytes)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"dataset file {str(path)!r} does not exist")
    _RestrictedUnpickler._table = _allowed()
    with open(path, "rb") as handle:
        try:
            version = np.lib.format.read_magic(handle)
            if version == (1, 0):
                shape, _fortran, dtype = np.lib.format.read_array_header_1_0(handle)
            else:
                shape, _fortran, dtype = np.lib.format.read_array_header_2_0(handle)
        except (ValueError, OSError) as exc:
            raise DataError(f"{str(path)!r} is not a .npy file ({exc})") from None
        if not dtype.hasobject:
            handle.seek(0)
            return np.load(handle, allow_pickle=False)
        try:
            return _RestrictedUnpickler(handle, encoding="bytes").load()
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError) as exc:
            raise DataError(f"{str(path)!r} holds a pickle gigs cannot read safely ({exc})") from None
