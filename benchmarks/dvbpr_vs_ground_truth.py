"""DVBPR against the ground truth of synthetic users (issue 3's "done when").

Given a users file (``gigs data synth-users``) and a DVBPR checkpoint trained
on it (``gigs train recommender --recommender dvbpr --data users:FILE``), prints:

* sampled-negative AUC (Kang et al.'s protocol: 100 negatives per user, the
  same draws for both scorers) and full-ranking AUC on validation and test,
  for the ground-truth utility (the ceiling) and for DVBPR, and the ratio of
  their margins over 0.5;
* Spearman ρ between DVBPR's scores and the true utility over held-out items
  (the catalogue's ``test`` partition, which no synthetic user ever saw when
  the users were drawn with ``--pool train``), per user, summarised per taste
  segment, plus ρ of each segment's mean θ against its mean true weights;
* training time and peak memory from the run's ``log.jsonl`` when ``--run`` is given.

Usage::

    python benchmarks/dvbpr_vs_ground_truth.py --users artifacts/fmnist-5000.users.npz \
        --checkpoint artifacts/dvbpr-fmnist-5000/best.safetensors --run artifacts/dvbpr-fmnist-5000
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch


def ranks(x: torch.Tensor) -> torch.Tensor:
    """Row-wise ranks (ties broken by order; fine for continuous scores)."""
    return torch.argsort(torch.argsort(x, dim=1), dim=1).double()


def spearman_rows(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    ra, rb = ranks(a), ranks(b)
    ra = ra - ra.mean(dim=1, keepdim=True)
    rb = rb - rb.mean(dim=1, keepdim=True)
    return (ra * rb).sum(dim=1) / (ra.norm(dim=1) * rb.norm(dim=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", required=True, help="users file (NAME.users.npz)")
    parser.add_argument("--checkpoint", required=True, help="DVBPR checkpoint trained on it")
    parser.add_argument("--run", help="the training output folder (for time and memory)")
    parser.add_argument("--negatives", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7, help="seed of the sampled negatives (shared by both scorers)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    from gigs_core.data import open_dataset
    from gigs_core.metrics.ranking import feature_scorer, full_auc, sampled_auc
    from gigs_dvbpr.checkpoints import load_dvbpr
    from gigs_dvbpr.training import item_features
    from gigs_synthetic.recommender import GroundTruthRecommender

    started = time.time()
    dataset = open_dataset(f"users:{args.users}")
    truth = GroundTruthRecommender.from_file(args.users).eval()
    model = load_dvbpr(args.checkpoint).eval()
    if model.num_users != dataset.num_users:
        raise SystemExit(f"the checkpoint has {model.num_users} users, the users file {dataset.num_users}")

    with torch.no_grad():
        gt_features = torch.cat([truth.features(dataset.images(np.arange(s, min(s + 4096, dataset.num_items))))
                                 for s in range(0, dataset.num_items, 4096)])
    dv_features = item_features(model, dataset, batch=1024)
    scorers = {
        "ground truth": feature_scorer(gt_features, truth.weights),
        "DVBPR": feature_scorer(dv_features, model.theta.detach().float()),
    }
    figures: dict[str, dict[str, float]] = {}
    for name, scorer in scorers.items():
        row = {}
        for split in ("validation", "test"):
            target = getattr(dataset, split)
            row[f"{split} sampled AUC"] = sampled_auc(scorer, dataset.train, target, dataset.num_items,
                                                      negatives=args.negatives, seed=args.seed)
            row[f"{split} full AUC"] = full_auc(scorer, dataset.train, target, dataset.num_items)
        figures[name] = row

    print(f"\nDVBPR vs ground truth — {dataset.num_users} users, {dataset.num_items} items, "
          f"{sum(map(len, dataset.train))} train interactions; checkpoint {args.checkpoint}\n")
    print(f"| {'metric':<22} | {'ground truth':>12} | {'DVBPR':>8} | {'margin ratio':>12} |")
    print(f"|{'-' * 24}|{'-' * 14}|{'-' * 10}|{'-' * 14}|")
    ratios = {}
    for metric in figures["DVBPR"]:
        gt, dv = figures["ground truth"][metric], figures["DVBPR"][metric]
        ratios[metric] = (dv - 0.5) / (gt - 0.5)
        print(f"| {metric:<22} | {gt:>12.4f} | {dv:>8.4f} | {ratios[metric]:>12.3f} |")
    verdict = "PASS" if ratios["test sampled AUC"] >= 0.8 else "FAIL"
    print(f"\nsampled test AUC margin ratio {ratios['test sampled AUC']:.3f} (target ≥ 0.80): {verdict}")

    held_out = torch.from_numpy(np.asarray(dataset.catalog_split("test")))
    seen = {i for lists in (dataset.train, dataset.validation, dataset.test) for items in lists for i in items}
    overlap = len(seen & set(held_out.tolist()))
    rhos = torch.empty(dataset.num_users, dtype=torch.float64)
    gt_held, dv_held = gt_features[held_out], dv_features[held_out]
    theta = model.theta.detach().float()
    for start in range(0, dataset.num_users, 256):
        users = torch.arange(start, min(start + 256, dataset.num_users))
        rhos[users] = spearman_rows(theta[users] @ dv_held.T,
                                    truth.weights[users] @ gt_held.T)
    print(f"\nSpearman ρ(DVBPR score, true utility) on {len(held_out)} held-out items "
          f"(catalogue test partition; {overlap} of them appear in interactions)\n")
    print(f"| {'segment':<16} | {'users':>5} | {'ρ mean':>7} | {'ρ median':>8} | {'ρ p10':>6} | {'segment-mean θ ρ':>16} |")
    print(f"|{'-' * 18}|{'-' * 7}|{'-' * 9}|{'-' * 10}|{'-' * 8}|{'-' * 18}|")
    segment_rows = {}
    for name in truth.segment_names:
        members = truth.users_in_segment(name)
        values = rhos[members]
        mean_rho = float(spearman_rows((theta[members].mean(0) @ dv_held.T)[None],
                                       (truth.weights[members].mean(0) @ gt_held.T)[None])[0])
        segment_rows[name] = {"users": len(members), "rho_mean": float(values.mean()), "rho_median": float(values.median()),
                              "rho_p10": float(values.quantile(0.1)), "segment_mean_theta_rho": mean_rho}
        r = segment_rows[name]
        print(f"| {name:<16} | {r['users']:>5} | {r['rho_mean']:>7.3f} | {r['rho_median']:>8.3f} | {r['rho_p10']:>6.3f} | {mean_rho:>16.3f} |")
    print(f"| {'all users':<16} | {dataset.num_users:>5} | {float(rhos.mean()):>7.3f} | {float(rhos.median()):>8.3f} | "
          f"{float(rhos.quantile(0.1)):>6.3f} | {'':>16} |")

    training = {}
    if args.run:
        records = [json.loads(line) for line in (Path(args.run) / "log.jsonl").read_text().splitlines()]
        epochs = [r for r in records if r.get("kind") == "epoch"]
        if epochs:
            last = epochs[-1]
            training = {"epochs": last["epoch"], "best_epoch": last.get("best_epoch"), "seconds": last["seconds"],
                        "peak_rss_mb": max(r["peak_rss_mb"] for r in epochs)}
            print(f"\ntraining: {training['epochs']} epochs (best {training['best_epoch']}), "
                  f"{training['seconds'] / 60:.1f} min wall-clock, peak RSS {training['peak_rss_mb']:.0f} MB")
    print(f"(evaluation took {time.time() - started:.0f} s)")
    if args.json:
        Path(args.json).write_text(json.dumps({"auc": figures, "margin_ratio": ratios, "spearman": segment_rows,
                                               "spearman_all_mean": float(rhos.mean()), "training": training}, indent=2))


if __name__ == "__main__":
    main()
