"""Leave-one-out splits of per-user interaction sequences."""

from __future__ import annotations

from collections.abc import Sequence


def leave_one_out(sequence: Sequence[int]) -> tuple[list[int], list[int], list[int]]:
    """``(train, validation, test)`` of one user's chronological item sequence.

    The last item is the test item and the one before it the validation item
    (DVBPR's protocol); users with two interactions get train + test, users
    with one get train only.
    """
    items = list(sequence)
    if len(items) >= 3:
        return items[:-2], [items[-2]], [items[-1]]
    if len(items) == 2:
        return items[:1], [], items[1:]
    return items, [], []
