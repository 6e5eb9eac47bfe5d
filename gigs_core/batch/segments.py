"""``--segments``: a comma-separated list of names (``all``, ``random:N``, or the default
run's segments), or a CSV of ``segment,user_id`` rows; without it, the default run's
segments. Unknown users are found when the recommender is loaded, before any job runs."""

from __future__ import annotations

from pathlib import Path

from gigs_core.batch.csv_table import read_csv_table
from gigs_core.batch.jobs import Segment
from gigs_core.errors import DataError, UserInputError


def read_segments(spec: str | None, default: list[Segment] | None = None) -> list[Segment]:
    """The segments ``spec`` names; ``default`` when it is ``None``."""
    if spec is None:
        if default is None:
            raise UserInputError("give --segments: a list like 'all,random:50' or a CSV of segment,user_id rows")
        return default
    if Path(spec).suffix.lower() == ".csv":
        if not Path(spec).is_file():
            raise UserInputError(f"--segments {spec!r}: no such CSV file")
        return _csv_segments(Path(spec))
    names = list(dict.fromkeys(part.strip() for part in spec.split(",") if part.strip()))
    if not names:
        raise UserInputError(f"--segments {spec!r} names no segment; give names separated by commas")
    return [Segment(name) for name in names]


def _csv_segments(path: Path) -> list[Segment]:
    """One row per (segment, user); a row with an empty ``user_id`` only names the segment."""
    members: dict[str, list[int]] = {}
    for row in read_csv_table(path, required=["segment", "user_id"]):
        name, user = row.values["segment"], row.values["user_id"]
        if not name:
            raise DataError(f"{str(path)!r} line {row.line} has an empty segment name; name the segment")
        users = members.setdefault(name, [])
        if not user:
            continue
        if not user.isdigit():
            raise DataError(f"{str(path)!r} line {row.line}: user id {user!r} is not a whole number ≥ 0")
        users.append(int(user))
    if not members:
        raise DataError(f"{str(path)!r} lists no segments; add segment,user_id rows under the header")
    empty = [name for name, users in members.items() if not users]
    if empty:
        raise DataError(f"segment {empty[0]!r} in {str(path)!r} has no users; add its users or remove it")
    return [Segment(name, tuple(sorted(set(users)))) for name, users in members.items()]
