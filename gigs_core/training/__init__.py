"""Pieces every generator trainer shares: the catalogue's images held for training, the
exponential moving average of weights, a resumable run folder (atomic resume point,
``log.jsonl``, sample grids) and the step loop (per-step seeds, logging windows,
checkpoints). The trainers themselves live in their plugins."""
