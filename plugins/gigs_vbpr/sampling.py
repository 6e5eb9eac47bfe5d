"""BPR triples (u, i, j) for VBPR, drawn a whole batch at a time.

u is uniform over users with training items, i uniform among u's training
items and j uniform among the items u has no training interaction with (the
sampling of Rendle et al.'s BPR as VBPR and DVBPR use it).
"""

from __future__ import annotations

import numpy as np

from gigs_core.errors import UserInputError


class TripleDraws:
    """Vectorised triple sampling; the random state is JSON-serialisable for resuming."""

    def __init__(self, train: list[list[int]], num_items: int, seed: int):
        self.num_items = int(num_items)
        per_user = [np.unique(np.asarray(items, dtype=np.int64)) for items in train]
        self.active = np.array([u for u, items in enumerate(per_user) if len(items)], dtype=np.int64)
        if len(self.active) == 0:
            raise UserInputError("no user has training interactions; nothing to train on")
        full = [int(u) for u in self.active if len(per_user[u]) >= self.num_items]
        if full:
            raise UserInputError(f"user {full[0]} has interacted with every item; BPR needs unseen items")
        counts = np.array([len(per_user[u]) for u in self.active], dtype=np.int64)
        self.counts = counts
        self.starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        self.items = np.concatenate([per_user[u] for u in self.active])
        # (user, item) pairs as sorted keys user·num_items + item, to test "seen" with a binary search
        self.seen_keys = np.sort(np.repeat(self.active, counts) * self.num_items + self.items)
        self.rng = np.random.default_rng(seed)

    def _seen(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        keys = users * self.num_items + items
        where = np.minimum(np.searchsorted(self.seen_keys, keys), len(self.seen_keys) - 1)
        return self.seen_keys[where] == keys

    def sample(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``n`` triples as three int64 arrays (users, positive items, negative items)."""
        rows = self.rng.integers(0, len(self.active), size=n)
        users = self.active[rows]
        positives = self.items[self.starts[rows] + self.rng.integers(0, self.counts[rows])]
        negatives = self.rng.integers(0, self.num_items, size=n)
        redraw = self._seen(users, negatives)
        while redraw.any():
            negatives[redraw] = self.rng.integers(0, self.num_items, size=int(redraw.sum()))
            redraw[redraw] = self._seen(users[redraw], negatives[redraw])
        return users, positives, negatives

    def state(self) -> dict:
        return self.rng.bit_generator.state

    def set_state(self, state: dict) -> None:
        self.rng.bit_generator.state = state
