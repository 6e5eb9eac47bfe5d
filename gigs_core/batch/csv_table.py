"""Reading the CSV files of ``--items`` and ``--segments`` strictly: UTF-8, a header row,
the required columns, and the same number of fields on every row; anything else is one
line naming the file, the line and what to do."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from gigs_core.errors import DataError


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]


def read_csv_table(path: str | Path, required: Iterable[str], optional: Iterable[str] = ()) -> list[CsvRow]:
    """The rows of ``path`` as ``{column: stripped text}``; unknown columns are an error (a
    misspelt optional column would otherwise be silently ignored)."""
    path = Path(path)
    required, optional = list(required), list(optional)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise DataError(f"cannot read {str(path)!r} ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise DataError(f"{str(path)!r} line {line} is not UTF-8 text; save the file as UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise DataError(f"{str(path)!r} line {reader.line_num} is not valid CSV ({exc}); check its quoting") from None
    if not rows or not any(cell.strip() for cell in rows[0][1]):
        raise DataError(f"{str(path)!r} has no header row; its first line must name the columns "
                        f"({', '.join(required + optional)})")
    header = [cell.strip().lower() for cell in rows[0][1]]
    missing = [column for column in required if column not in header]
    unknown = [column for column in header if column not in required + optional]
    if missing or unknown or len(set(header)) != len(header):
        raise DataError(f"{str(path)!r} has columns {', '.join(header)}; it needs {', '.join(required)}"
                        + (f" and may have {', '.join(optional)}" if optional else ""))
    table = []
    for number, cells in rows[1:]:
        if not any(cell.strip() for cell in cells):
            continue  # blank line
        if len(cells) != len(header):
            raise DataError(f"{str(path)!r} line {number} has {len(cells)} fields, the header {len(header)}; "
                            f"fix that line (quote values holding commas)")
        table.append(CsvRow(number, {column: cell.strip() for column, cell in zip(header, cells)}))
    return table
