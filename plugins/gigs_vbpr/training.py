"""Training VBPR with BPR and Adam.

Each step draws ``batch_size`` triples (:mod:`gigs_vbpr.sampling`) and minimises,
summed over the batch::

    −Σ log σ(x_ui − x_uj)  +  λ_θ Σ ‖θ_u‖²/2  +  λ_E (‖E‖² + ‖β'‖²)/2,
    x_ui − x_uj = (θ_uᵀ E + β'ᵀ)(f_i − f_j)

With the backbone frozen (VBPR's recipe: fixed pretrained features) every
catalogue image goes through f once per run and steps only touch E, β' and θ.
With ``fine_tune`` the backbone is trained too, at ``backbone_lr``, on the
batch's images. An epoch is ``#train interactions / batch_size`` steps. After
each epoch: sampled-negative and full-ranking AUC on validation and test (the
evaluation users and negatives follow the same seeds as the ``dvbpr`` trainer,
so the two compare on identical draws), ``best`` checkpoint by validation
sampled AUC, a JSON-lines log and a PNG plot. The state is saved at each epoch
end and on KeyboardInterrupt, so a rerun with the same ``out`` folder resumes.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from gigs_core.atomic import atomic_file
from gigs_core.checkpoints import load_torch_file
from gigs_core.data.dataset import Dataset
from gigs_core.errors import UserInputError
from gigs_core.method.progress import Progress, no_progress
from gigs_core.metrics.ranking import feature_scorer, split_aucs
from gigs_core.training.run_files import plot_auc_history
from gigs_vbpr.building import new_vbpr
from gigs_vbpr.checkpoints import load_vbpr, save_vbpr
from gigs_vbpr.model import VBPR
from gigs_vbpr.sampling import TripleDraws

log = logging.getLogger(__name__)

#: Model options the trainer accepts (those of :func:`gigs_vbpr.building.new_vbpr` but the user count).
MODEL_OPTIONS = ("model", "pretrained", "backbone_checkpoint", "input_size", "k")


@dataclass
class TrainConfig:
    """Training settings."""

    epochs: int = 20
    batch_size: int = 128
    lr: float = 1e-3
    lambda_theta: float = 1e-2
    lambda_visual: float = 1e-3
    fine_tune: bool = False
    backbone_lr: float = 1e-4
    steps_per_epoch: int | None = None
    """Default: number of training interactions / batch_size."""
    auc_negatives: int = 100
    eval_users: int | None = None
    """Evaluate on this many users (a fixed random subset); default all."""
    eval_batch: int = 256
    seed: int = 0

    def comparable(self) -> dict[str, Any]:
        """Settings that must match for a resume (epochs may grow)."""
        return {k: v for k, v in asdict(self).items() if k not in ("epochs", "eval_batch")}


@dataclass
class TrainResult:
    best_checkpoint: Path
    last_checkpoint: Path
    history: list[dict[str, Any]] = field(default_factory=list)
    best_epoch: int = -1
    seconds: float = 0.0


def catalogue_features(model: VBPR, dataset: Dataset, batch: int = 256, device: torch.device | None = None,
                       progress: Progress = no_progress) -> torch.Tensor:
    """N×D backbone features f of every catalogue image (evaluation mode, no gradients), on ``device``."""
    device = device or model.theta.device
    was_training = model.backbone.training
    model.backbone.eval()
    out = []
    with torch.no_grad():
        for start in range(0, dataset.num_items, batch):
            ids = np.arange(start, min(start + batch, dataset.num_items))
            out.append(model.backbone_features(dataset.images(ids, size=model.input_size).to(device)).float())
            progress("catalogue features", int(ids[-1]) + 1, dataset.num_items)
    model.backbone.train(was_training)
    return torch.cat(out)


def evaluate(model: VBPR, features: torch.Tensor, dataset: Dataset, config: TrainConfig) -> dict[str, float]:
    """Sampled and full AUC on validation and test, from precomputed backbone ``features`` (on the same
    draws of users and negatives as the ``dvbpr`` trainer's, so the two compare)."""
    with torch.no_grad():
        scorer = feature_scorer(model.project(features).cpu(), model.user_vectors().cpu())
    return split_aucs(scorer, dataset, negatives=config.auc_negatives, seed=config.seed, eval_users=config.eval_users)


def _optimizer(model: VBPR, config: TrainConfig) -> torch.optim.Optimizer:
    model.backbone.requires_grad_(config.fine_tune)
    groups = [{"params": [model.embedding, model.visual_bias, model.theta], "lr": config.lr}]
    if config.fine_tune:
        groups.append({"params": list(model.backbone.parameters()), "lr": config.backbone_lr})
    return torch.optim.Adam(groups)


def bpr_loss(model: VBPR, users: torch.Tensor, positive: torch.Tensor, negative: torch.Tensor,
             config: TrainConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """``(loss, bpr part)`` of a batch, from the backbone features of its positive and negative items."""
    theta = model.theta[users]
    difference = positive - negative
    margin = ((difference @ model.embedding.T) * theta).sum(dim=1) + difference @ model.visual_bias
    bpr = -F.logsigmoid(margin).sum()
    penalty = config.lambda_theta * (theta * theta).sum() / 2
    penalty = penalty + config.lambda_visual * ((model.embedding ** 2).sum() + (model.visual_bias ** 2).sum()) / 2
    return bpr + penalty, bpr


def train_vbpr(
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
    """Train VBPR on ``dataset``, writing everything under ``out`` (see the module docstring)."""
    config = config or TrainConfig()
    progress = progress or no_progress
    device = torch.device(device)
    out = Path(out)
    if dataset.num_users == 0:
        raise UserInputError(f"{dataset.name} has no users; give a dataset with interactions "
                             "(for a bare catalogue, make synthetic users with `gigs data synth-users`)")
    model_options = dict(model_options or {})
    unknown = sorted(set(model_options) - set(MODEL_OPTIONS))
    if unknown:
        raise UserInputError(f"unknown vbpr-timm model option(s) {', '.join(unknown)}; valid: {', '.join(MODEL_OPTIONS)}")
    draws = TripleDraws(dataset.train, dataset.num_items, config.seed)
    run_config = json.loads(json.dumps({
        "dataset": dataset.metadata.get("spec", dataset.name), "num_users": dataset.num_users,
        "num_items": dataset.num_items, "model": model_options, "train": config.comparable(),
    }, default=str))
    config_path, log_path = out / "run.json", out / "log.jsonl"
    state_path, last_path, best_path = out / "state" / "trainer.pt", out / "state" / "last.safetensors", out / "best.safetensors"
    resuming = resume and state_path.is_file() and last_path.is_file()
    if resume and config_path.is_file() and json.loads(config_path.read_text()) != run_config:
        raise UserInputError(f"{str(out)!r} holds a training run with other settings; pass --no-resume to start over "
                             "or choose another --out")
    if resuming:
        model = load_vbpr(last_path).to(device)
    else:
        model = new_vbpr(dataset.num_users, seed=config.seed, **model_options).to(device)
    out.mkdir(parents=True, exist_ok=True)
    config_path.write_text(json.dumps(run_config, indent=2))
    optimizer = _optimizer(model, config)
    train_interactions = sum(len(items) for items in dataset.train)
    steps = config.steps_per_epoch or max(1, math.ceil(train_interactions / config.batch_size))
    history: list[dict[str, Any]] = []
    epoch, step, best_value, best_epoch, elapsed = 0, 0, -math.inf, -1, 0.0
    if resuming:
        state = load_torch_file(state_path)
        optimizer.load_state_dict(state["optimizer"])
        draws.set_state(json.loads(state["sampler"]))
        epoch, step = int(state["epoch"]), int(state["step"])
        best_value, best_epoch, elapsed = float(state["best_value"]), int(state["best_epoch"]), float(state["seconds"])
        history = json.loads(state["history"])
        log.info("resuming %s at epoch %d step %d", out, epoch, step)
    elif log_path.exists():
        log_path.unlink()
    started = time.time()

    def save_state() -> None:
        save_vbpr(model, last_path)
        payload = {"optimizer": optimizer.state_dict(), "sampler": json.dumps(draws.state()), "epoch": epoch,
                   "step": step, "best_value": best_value, "best_epoch": best_epoch,
                   "seconds": elapsed + time.time() - started, "history": json.dumps(history)}
        with atomic_file(state_path) as temporary:
            torch.save(payload, temporary)

    features = catalogue_features(model, dataset, config.eval_batch, device, progress)
    if not resuming:  # a new model's f is raw: standardise it over the catalogue from now on
        model.fix_standardisation(features)
        features = model.standardise(features)
    frozen = None if config.fine_tune else features

    def batch_features(items: np.ndarray) -> torch.Tensor:
        if frozen is not None:
            return frozen[torch.from_numpy(items).to(device)]
        return model.backbone_features(dataset.images(items, size=model.input_size).to(device))

    try:
        while epoch < config.epochs:
            model.backbone.train(config.fine_tune)
            phase = f"epoch {epoch + 1}/{config.epochs}"
            loss_sum, bpr_sum, done = 0.0, 0.0, 0
            while step < steps:
                users, positives, negatives = draws.sample(config.batch_size)
                both = batch_features(np.concatenate([positives, negatives]))
                loss, bpr = bpr_loss(model, torch.from_numpy(users).to(device), both[: len(users)], both[len(users):], config)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                step, done = step + 1, done + 1
                loss_sum, bpr_sum = loss_sum + loss.item(), bpr_sum + bpr.item()
                progress(phase, step, steps)
            model.eval()
            features = frozen if frozen is not None else catalogue_features(model, dataset, config.eval_batch, device)
            metrics = evaluate(model, features, dataset, config)
            epoch, step = epoch + 1, 0
            per_triple = max(done, 1) * config.batch_size
            record = {"kind": "epoch", "epoch": epoch, "loss": loss_sum / per_triple, "bpr": bpr_sum / per_triple,
                      **metrics, "seconds": round(elapsed + time.time() - started, 1)}
            value = metrics.get("validation_auc_sampled", metrics.get("test_auc_sampled", -math.inf))
            if value > best_value:
                best_value, best_epoch = value, epoch
                save_vbpr(model, best_path, extra={"epoch": epoch, **metrics})
            record["best_epoch"] = best_epoch
            history.append(record)
            with open(log_path, "a") as handle:
                handle.write(json.dumps(record) + "\n")
            save_state()
            plot_auc_history(history, out / "curves.png", "VBPR training (x: epoch)")
            if on_epoch:
                on_epoch(record)
    except KeyboardInterrupt:
        save_state()
        raise
    model.eval()
    if not best_path.is_file():  # zero epochs asked for
        save_vbpr(model, best_path)
    return TrainResult(best_path, last_path, history, best_epoch, elapsed + time.time() - started)
