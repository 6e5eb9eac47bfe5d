"""Pieces every generator trainer shares: the catalogue's images held for training, the
exponential moving average of weights, and a resumable run folder (atomic resume point,
``log.jsonl``, sample grids). The trainers themselves live in their plugins."""
