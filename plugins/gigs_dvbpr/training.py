"""Training DVBPR with BPR (Kang et al.'s recipe as defaults).

Each step draws ``batch_size`` triples: u uniform over users with training
items, i uniform in u's train items, j uniform over items not in u's train
set, and minimises (sums over the batch, as the original)::

    −Σ log σ(θ_uᵀ(φ(X_i) − φ(X_j)))  +  λ_θ Σ ‖θ_u‖²/2  +  λ_CNN Σ_w ‖w‖²/2

(the last sum over the CNN's weight matrices, not biases) with Adam. An epoch
is ``#train interactions / batch_size`` steps. After each epoch: sampled-negative
and full-ranking AUC on validation and test, ``best`` checkpoint by validation
sampled AUC, a JSON-lines log and a PNG plot. The state is saved every
``checkpoint_every`` steps, at each epoch end and on KeyboardInterrupt, so a
rerun with the same ``out`` folder resumes. Progress goes to a
:class:`gigs_core.method.progress.Progress` callback (the CLI draws bars). The
global torch seed is set from ``config.seed`` (Xavier init and dropout use it).
"""

from __future__ import annotations

import json
import logging
import math
import resource
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from gigs_core.checkpoints import load_torch_file
from gigs_core.data.dataset import Dataset
from gigs_core.errors import UserInputError
from gigs_core.method.progress import Progress, no_progress
from gigs_core.metrics.ranking import feature_scorer, split_aucs
from gigs_core.training.run_files import plot_auc_history
from gigs_dvbpr.checkpoints import load_dvbpr, save_dvbpr
from gigs_dvbpr.model import DVBPR

log = logging.getLogger(__name__)


@dataclass
class TrainConfig:
    """Training settings; the defaults are Kang et al.'s."""

    epochs: int = 20
    batch_size: int = 128
    lr: float = 1e-4
    lambda_theta: float = 1.0
    lambda_cnn: float = 1e-3
    steps_per_epoch: int | None = None
    """Default: number of training interactions / batch_size (the original)."""
    auc_negatives: int = 100
    eval_users: int | None = None
    """Evaluate on this many users (a fixed random subset); default all."""
    eval_batch: int = 512
    checkpoint_every: int = 500
    seed: int = 0

    def comparable(self) -> dict[str, Any]:
        """Settings that must match for a resume (epochs may grow)."""
        return {k: v for k, v in asdict(self).items() if k not in ("epochs", "checkpoint_every", "eval_batch")}


@dataclass
class TrainResult:
    best_checkpoint: Path
    last_checkpoint: Path
    history: list[dict[str, Any]] = field(default_factory=list)
    best_epoch: int = -1
    seconds: float = 0.0
    peak_rss_mb: float = 0.0


class TripleSampler:
    """Draws (u, i, j) triples as in the original code; state is JSON-serialisable."""

    def __init__(self, train: list[list[int]], num_items: int, seed: int):
        self.train = train
        self.num_items = num_items
        self.active = np.array([u for u, items in enumerate(train) if items], dtype=np.int64)
        if len(self.active) == 0:
            raise UserInputError("no user has training interactions; nothing to train on")
        self.rng = np.random.default_rng(seed)
        self._sets: dict[int, set[int]] = {}

    def _seen(self, u: int) -> set[int]:
        seen = self._sets.get(u)
        if seen is None:
            seen = self._sets[u] = set(self.train[u])
        return seen

    def sample(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        users = self.active[self.rng.integers(0, len(self.active), size=n)]
        pos = np.array([self.train[u][self.rng.integers(len(self.train[u]))] for u in users], dtype=np.int64)
        neg = np.empty(n, dtype=np.int64)
        for row, u in enumerate(users):
            seen = self._seen(int(u))
            if len(seen) >= self.num_items:
                raise UserInputError(f"user {u} has interacted with every item; BPR needs unseen items")
            while True:
                j = int(self.rng.integers(self.num_items))
                if j not in seen:
                    neg[row] = j
                    break
        return users, pos, neg

    def state(self) -> dict:
        return self.rng.bit_generator.state

    def set_state(self, state: dict) -> None:
        self.rng.bit_generator.state = state


def item_features(model: DVBPR, dataset: Dataset, batch: int = 512, device: torch.device | None = None) -> torch.Tensor:
    """N×K φ of every catalogue item (eval mode, no gradients)."""
    device = device or model.theta.device
    was_training = model.training
    model.eval()
    out = []
    with torch.no_grad():
        for start in range(0, dataset.num_items, batch):
            ids = np.arange(start, min(start + batch, dataset.num_items))
            out.append(model.features(dataset.images(ids, size=model.input_size).to(device)).float().cpu())
    model.train(was_training)
    return torch.cat(out)


def evaluate(model: DVBPR, dataset: Dataset, config: TrainConfig, device: torch.device | None = None) -> dict[str, float]:
    """Sampled and full AUC on validation and test."""
    features = item_features(model, dataset, config.eval_batch, device)
    scorer = feature_scorer(features, model.theta.detach().float().cpu())
    return split_aucs(scorer, dataset, negatives=config.auc_negatives, seed=config.seed, eval_users=config.eval_users)


def _cnn_weight_penalty(model: DVBPR) -> torch.Tensor:
    return sum((p * p).sum() / 2 for name, p in model.cnn.named_parameters() if name.endswith("weight"))


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def train_dvbpr(
    dataset: Dataset,
    out: str | Path,
    *,
    model_options: dict[str, Any] | None = None,
    config: TrainConfig | None = None,
    device: str | torch.device = "cpu",
    resume: bool = True,
    progress: Progress | None = None,
    on_epoch: Callable[[dict[str, Any]], None] | None = None,
) -> TrainResult:
    """Train DVBPR on ``dataset``, writing everything under ``out`` (see the module docstring)."""
    config = config or TrainConfig()
    device = torch.device(device)
    out = Path(out)
    if dataset.num_users == 0:
        raise UserInputError(f"{dataset.name} has no users; give a dataset with interactions "
                             "(for a bare catalogue, make synthetic users with `gigs data synth-users`)")
    out.mkdir(parents=True, exist_ok=True)
    model_options = dict(model_options or {})
    run_config = {
        "dataset": dataset.metadata.get("spec", dataset.name),
        "num_users": dataset.num_users,
        "num_items": dataset.num_items,
        "model": model_options,
        "train": config.comparable(),
    }
    config_path = out / "run.json"
    state_path = out / "state" / "trainer.pt"
    last_path = out / "state" / "last.safetensors"
    best_path = out / "best.safetensors"
    log_path = out / "log.jsonl"

    resuming = resume and state_path.is_file() and last_path.is_file()
    if config_path.is_file() and resume:
        previous = json.loads(config_path.read_text())
        if previous != json.loads(json.dumps(run_config, default=str)):
            raise UserInputError(f"{str(out)!r} holds a training run with other settings; pass --no-resume to start over "
                                 "or choose another --out")
    config_path.write_text(json.dumps(run_config, indent=2, default=str))

    torch.manual_seed(config.seed)
    if resuming:
        model = load_dvbpr(last_path).to(device)
    else:
        settings = {"k": 100, "variant": "cnnf", "normalization": "dvbpr"}
        settings.update(model_options)
        model = DVBPR(dataset.num_users, generator=torch.Generator().manual_seed(config.seed), **settings).to(device)
        if log_path.exists():
            log_path.unlink()
    if model.num_users != dataset.num_users:
        raise UserInputError(f"the checkpoint in {str(out)!r} has {model.num_users} users, the dataset {dataset.num_users}")
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    sampler = TripleSampler(dataset.train, dataset.num_items, config.seed)
    steps = config.steps_per_epoch or max(1, math.ceil(sum(len(x) for x in dataset.train) / config.batch_size))
    history: list[dict[str, Any]] = []
    epoch, step, best_value, best_epoch, elapsed = 0, 0, -math.inf, -1, 0.0
    if resuming:
        state = load_torch_file(state_path)
        optimizer.load_state_dict(state["optimizer"])
        sampler.set_state(json.loads(state["sampler"]))
        epoch, step = int(state["epoch"]), int(state["step"])
        best_value, best_epoch = float(state["best_value"]), int(state["best_epoch"])
        elapsed = float(state["seconds"])
        history = json.loads(state["history"])
        torch.set_rng_state(state["torch_rng"])
        log.info("resuming %s at epoch %d step %d", out, epoch, step)

    def save_state() -> None:
        save_dvbpr(model, last_path)
        payload = {
            "optimizer": optimizer.state_dict(), "sampler": json.dumps(sampler.state()), "epoch": epoch, "step": step,
            "best_value": best_value, "best_epoch": best_epoch, "seconds": elapsed + (time.time() - started),
            "history": json.dumps(history), "torch_rng": torch.get_rng_state(),
        }
        temporary = state_path.with_suffix(".tmp")
        torch.save(payload, temporary)
        temporary.replace(state_path)

    def append_log(record: dict[str, Any]) -> None:
        with open(log_path, "a") as handle:
            handle.write(json.dumps(record) + "\n")

    started = time.time()
    progress = progress or no_progress
    try:
        while epoch < config.epochs:
            model.train()
            phase = f"epoch {epoch + 1}/{config.epochs}"
            sums = {"loss": 0.0, "bpr": 0.0, "n": 0}
            while step < steps:
                users, pos, neg = sampler.sample(config.batch_size)
                images = dataset.images(np.concatenate([pos, neg]), size=model.input_size).to(device)
                features = model.features(images)
                phi_i, phi_j = features[: len(pos)], features[len(pos):]
                theta = model.theta[torch.from_numpy(users).to(device)]
                bpr = -F.logsigmoid((theta * (phi_i - phi_j)).sum(dim=1)).sum()
                loss = bpr + config.lambda_theta * (theta * theta).sum() / 2 + config.lambda_cnn * _cnn_weight_penalty(model)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                step += 1
                sums["loss"] += loss.item()
                sums["bpr"] += bpr.item()
                sums["n"] += 1
                progress(phase, step, steps)
                if step % config.checkpoint_every == 0 and step < steps:
                    save_state()
                    append_log({"kind": "step", "epoch": epoch + 1, "step": step,
                                "loss": sums["loss"] / max(sums["n"], 1) / config.batch_size})
            metrics = evaluate(model, dataset, config, device)
            epoch += 1
            step = 0
            record = {
                "kind": "epoch", "epoch": epoch,
                "loss": sums["loss"] / max(sums["n"], 1) / config.batch_size,
                "bpr": sums["bpr"] / max(sums["n"], 1) / config.batch_size,
                **metrics,
                "seconds": round(elapsed + time.time() - started, 1),
                "peak_rss_mb": round(_peak_rss_mb(), 1),
            }
            history.append(record)
            key = "validation_auc_sampled" if "validation_auc_sampled" in metrics else "test_auc_sampled"
            value = metrics.get(key, -math.inf)
            if value > best_value:
                best_value, best_epoch = value, epoch
                save_dvbpr(model, best_path, extra={"epoch": epoch, **metrics})
            record["best_epoch"] = best_epoch
            append_log(record)
            save_state()
            plot_auc_history(history, out / "curves.png", "DVBPR training (x: epoch)")
            if on_epoch:
                on_epoch(record)
    except KeyboardInterrupt:
        save_state()
        raise
    if not best_path.is_file():  # zero epochs asked for
        save_dvbpr(model, best_path)
    return TrainResult(best_path, last_path, history, best_epoch, elapsed + time.time() - started, _peak_rss_mb())
