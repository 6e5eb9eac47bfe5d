"""Class-conditional generators: an item's catalogue category chooses what they draw.

A generator may offer ``for_category(name)`` (:class:`gigs_core.protocols.ConditionalGenerator`):
the same weights drawing that category, or the generator itself when it was built to
ignore categories. Runs whose items carry a category (``gigs batch`` items from a CSV or
a dataset, ``gigs eval``'s item cells) draw each item with the generator it returns;
items without a category (none given, or a dataset's ``"unknown"``), and generators without
the method, use the generator as built.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gigs_core.data.dataset import UNKNOWN_CATEGORY


def generator_for_category(generator, category: str | None):
    """The generator that draws ``category``: ``generator`` itself when it has no
    ``for_category`` or the item has no category (empty, ``None`` or ``"unknown"``); otherwise
    what ``for_category`` returns (a one-line :class:`~gigs_core.errors.UserInputError` for a
    category it cannot draw)."""
    choose = getattr(generator, "for_category", None)
    if choose is None or not category or category == UNKNOWN_CATEGORY:
        return generator
    return choose(category)


def group_by_generator(generator, categories: Sequence[str | None]) -> list[tuple[Any, list[int]]]:
    """The positions of ``categories`` grouped by the generator that draws them (in order of
    first appearance), each group with that generator: items a run may compute together."""
    groups: dict[int, tuple[Any, list[int]]] = {}
    for position, category in enumerate(categories):
        chosen = generator_for_category(generator, category)
        groups.setdefault(id(chosen), (chosen, []))[1].append(position)
    return list(groups.values())
