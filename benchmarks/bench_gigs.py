"""gigs against the authors-style loop (benchmarks/authors_loop.py) on the same models in the same run.

    python benchmarks/bench_gigs.py [--models demo|issue] [--batch-sizes 1,8,32] [--users 1,100,all]
                                    [--timed-steps 2] [--timed-inversion-steps 30] [--preset fast]
                                    [--quality-items 2] [--reference-steps 1000] [--device cpu|cuda]

About 55 minutes on one CPU thread with the demo models and three quality items (the reference's
1,000 + 1,000 steps on them dominate); with ``--models issue`` use ``--quality-items 0`` (the reference would take hours per item).

Models: ``issue`` = the performance issue's set (a fresh 32 px, 512-channel ProGAN with latent 128;
DVBPR cnnf-aip at 128 px, K = 100, 10,000 users; LPIPS-VGG, random backbone: the pretrained weights are
not here and cost the same; n = 6); ``demo`` = the demo bundle's trained models and its
domain-classifier distance (n = 8).

Speed: each (loop, batch size, users) cell runs in its own process (its peak memory is its own) and,
after a warm-up, times each phase twice, with 1 step and with 1 + ``--timed-inversion-steps`` /
``--timed-steps`` steps: the difference is the cost of a step, the rest the fixed cost of a batch.
Seconds per item = fixed/batch + per-step × steps, with the
reference's ``--reference-steps`` per phase and gigs' steps taken by ``--preset`` (measured in the
quality run when there is one, else the preset's maximum).

Quality (``--quality-items`` > 0): both loops run to the end on the same items: inversion error (MSE at
the generator's size, item vs reconstruction), the models' perceptual distance between the two (the
other half of the inversion loss) and preference gain (mean over variants of the group's preference
minus the item's, users = all). Every model is in evaluation mode for both loops (the lpips package
builds its networks that way).

Arithmetic: each loop's GFLOP per item and step of each phase (batch 1), and the items/hour ratio they
allow at equal FLOP/s, the most a faster implementation of the same steps can reach where the
machine is bound by arithmetic (a CPU).

The last line: ``items/hour ratio vs the authors-style loop: N.Nx (inversion error ratio R1, preference
gain ratio R2)`` for gigs' largest batch with all users; R1 < 1 and R2 > 1 are better.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

N_SHIFTS = {"issue": 6, "demo": 8}


def build(models: str, count: int, device: str = "cpu", seed: int = 100):
    """(generator, recommender, perceptual module, items N×C×H×W at the generator's size, users), on ``device``."""
    generator, recommender, perceptual, items, num_users = build_on_cpu(models, count, seed)
    # evaluation mode for both loops, as the lpips package builds its networks (eval_mode=True)
    return generator.to(device), recommender.to(device), perceptual.to(device).eval(), items.to(device), num_users


def build_on_cpu(models: str, count: int, seed: int):
    import torch

    from gigs_core.factories import create_generator, create_recommender
    from gigs_core.method.perceptual import LpipsDistance, create_perceptual_distance

    if models == "issue":
        generator = create_generator("progan", resolution=32, latent_dim=128, max_features=512, channels=3)
        recommender = create_recommender("dvbpr", variant="cnnf-aip", input_size=128, k=100, num_users=10_000)
        perceptual = LpipsDistance("vgg", pretrained_backbone=False)
        with torch.no_grad():
            items = generator(generator.sample_latent(count, generator=torch.Generator().manual_seed(seed)))
        return generator, recommender, perceptual, items, recommender.num_users
    from gigs_core.imaging import conform, load_image
    from gigs_demo.bundle import DemoBundle

    bundle = DemoBundle()
    generator, recommender = bundle.generator(), bundle.recommender()
    perceptual = create_perceptual_distance(f"domain:{bundle.path('classifier')}")
    items = torch.cat([conform(load_image(bundle.item(index % 40).path), generator.resolution, generator.channels)
                       for index in range(count)])
    return generator, recommender, perceptual, items, recommender.num_users


def user_group(spec: str, num_users: int):
    import torch

    return torch.arange(num_users if spec == "all" else min(int(spec), num_users))


def gigs_config(preset: str, models: str, inversion_steps: int | None = None, shift_steps: int | None = None):
    from gigs_core.config import GigsConfig

    config = GigsConfig.preset(preset).merged({"shift": {"n": N_SHIFTS[models]}})
    steps = {}
    if inversion_steps is not None:
        steps["inversion"] = {"steps": inversion_steps}
    if shift_steps is not None:
        steps["shift"] = {"steps": shift_steps}
    return config.merged(steps)


def gigs_phases(args, generator, recommender, perceptual, items, users, inversion_steps, shift_steps):
    """(inversion s, shifting s, result) of one gigs batch with the given steps."""
    from gigs_core.method.inversion import LatentOptimizationInverter
    from gigs_core.method.shifting import optimize_shifts

    config = gigs_config(args.preset, args.models, inversion_steps, shift_steps)
    # the models' perceptual distance: the very module the reference uses
    inverter = LatentOptimizationInverter(config.inversion, distance=perceptual)
    seeds = list(range(items.shape[0]))
    inversion = inverter.invert(generator, items, seeds=seeds)
    shifted = optimize_shifts(generator, recommender, inversion.latents, users, config.shift, seeds=seeds,
                              compute=config.compute)
    return inversion.seconds, shifted.seconds, (inversion, shifted)


def reference_phases(args, generator, recommender, perceptual, items, users, inversion_steps, shift_steps):
    """(inversion s, shifting s, results) of the authors-style loop over the items one by one."""
    import authors_loop

    inversion_s = shift_s = 0.0
    results = []
    for index in range(items.shape[0]):
        started = time.perf_counter()
        latent, _ = authors_loop.invert(generator, perceptual, items[index:index + 1], steps=inversion_steps,
                                        seed=index)
        middle = time.perf_counter()
        variants, _ = authors_loop.shift(generator, recommender, latent, users, n=N_SHIFTS[args.models],
                                         steps=shift_steps, seed=index)
        inversion_s, shift_s = inversion_s + middle - started, shift_s + time.perf_counter() - middle
        results.append((latent, variants))
    return inversion_s, shift_s, results


def generator_tflops(generator, latents) -> float:
    """Achieved TFLOP/s of one generator forward + backward step on ``latents`` (FLOPs counted by
    torch's FlopCounterMode, time over 3 repetitions after a warm-up)."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    latents = latents.detach().requires_grad_(True)

    def step():
        generator(latents).sum().backward()

    with FlopCounterMode(display=False) as counter:
        step()
    step()
    if latents.device.type == "cuda":
        torch.cuda.synchronize()
    started = time.perf_counter()
    for _ in range(3):
        step()
    if latents.device.type == "cuda":
        torch.cuda.synchronize()
    return counter.get_total_flops() * 3 / (time.perf_counter() - started) / 1e12


def step_gflop(phases, args, *models) -> list[float]:
    """GFLOP of one step of each phase per item (torch's FlopCounterMode: matrix products and
    convolutions), from the difference between runs of 1 and 2 steps; the FLOPs a CPU must do
    whatever the implementation, so their ratio bounds what a faster step can gain there."""
    from torch.utils.flop_counter import FlopCounterMode

    def counted(inversion_steps, shift_steps):
        with FlopCounterMode(display=False) as counter:
            phases(args, *models, inversion_steps, shift_steps)
        return counter.get_total_flops()

    one = counted(1, 1)
    items = models[3].shape[0]
    return [(counted(2, 1) - one) / items / 1e9, (counted(1, 2) - one) / items / 1e9]


def speed_cell(args) -> dict:
    """Fixed and per-step seconds of each phase for one (loop, batch, users) cell."""
    import torch

    torch.set_num_threads(args.threads)
    generator, recommender, perceptual, items, num_users = build(args.models, args.batch, args.device)
    users = user_group(args.cell_users, num_users).to(args.device)
    phases = gigs_phases if args.loop == "gigs" else reference_phases
    phases(args, generator, recommender, perceptual, items, users, 1, 1)  # warm-up: first calls set up kernels
    one = phases(args, generator, recommender, perceptual, items, users, 1, 1)
    timed = [args.timed_inversion_steps, args.timed_steps]
    more = phases(args, generator, recommender, perceptual, items, users, 1 + timed[0], 1 + timed[1])
    per_step = [(b - a) / count for a, b, count in zip(one[:2], more[:2], timed)]
    fixed = [a - step for a, step in zip(one[:2], per_step)]
    latents = generator.sample_latent(args.batch * N_SHIFTS[args.models])
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    gflop = step_gflop(phases, args, generator, recommender, perceptual, items, users) if args.batch == 1 else None
    return {"per_step": per_step, "fixed": fixed, "items": args.batch, "tflops": generator_tflops(generator, latents),
            "peak_mib": peak_mib, "gflop": gflop}


def quality(args) -> dict:
    """Both loops to the end on the same items: inversion error, preference gain, gigs' steps taken."""
    import torch

    torch.set_num_threads(args.threads)
    generator, recommender, perceptual, items, num_users = build(args.models, args.quality_items, args.device)
    users = user_group("all", num_users).to(args.device)
    with torch.no_grad():
        item_preference = recommender.group_score(items, users)

    def measured(latents, variants):
        with torch.no_grad():
            reconstructions = generator(latents)
            error = (reconstructions - items).pow(2).flatten(1).mean(1)
            distance = perceptual(items, reconstructions)
            gain = torch.stack([recommender.group_score(v, users).mean() for v in variants]) - item_preference
        return float(error.mean()), float(distance.mean()), float(gain.mean())

    _, _, (inversion, shifted) = gigs_phases(args, generator, recommender, perceptual, items, users, None, None)
    gigs = measured(inversion.latents, shifted.variants)
    steps = [sum(inversion.steps_taken) / len(inversion.steps_taken), sum(shifted.steps_taken) / len(shifted.steps_taken)]
    _, _, results = reference_phases(args, generator, recommender, perceptual, items, users, args.reference_steps,
                                     args.reference_steps)
    reference = measured(torch.cat([latent for latent, _ in results]), [variants for _, variants in results])
    return {"gigs": gigs, "reference": reference, "gigs_steps": steps}


def child_output(args, **extra) -> dict:
    command = [sys.executable, __file__, *sys.argv[1:]]
    for key, value in extra.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def print_flop_bound(rows, users: str) -> None:
    """Each loop's GFLOP per item-step (batch 1) and what their ratio allows on a machine bound by
    arithmetic: the items/hour ratio at equal FLOP/s, with each loop's steps."""
    cells = {row["loop"]: row for row in rows if row["batch"] == 1 and row["users"] == users}
    if len(cells) < 2:
        return
    totals = {loop: sum(gflop * steps for gflop, steps in zip(row["gflop"], row["steps"])) for loop, row in cells.items()}
    print("GFLOP per item-step (inversion, shifting): "
          + "; ".join(f"{loop} {row['gflop'][0]:.1f}, {row['gflop'][1]:.1f}" for loop, row in cells.items())
          + f"; per item {', '.join(f'{loop} {total / 1000:.1f} TFLOP' for loop, total in totals.items())}: "
          f"at equal FLOP/s the items/hour ratio would be {totals['reference'] / totals['gigs']:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", choices=["issue", "demo"], default="demo")
    parser.add_argument("--batch-sizes", default="1,8,32")
    parser.add_argument("--users", default="1,100,all")
    parser.add_argument("--timed-steps", type=int, default=2, help="shifting steps timed in each cell")
    parser.add_argument("--timed-inversion-steps", type=int, default=30,
                        help="inversion steps timed in each cell (its steps are cheap, the fixed cost is not)")
    parser.add_argument("--preset", default="fast", help="gigs' settings: paper, authors or fast")
    parser.add_argument("--quality-items", type=int, default=2, help="0: no quality run (gigs' maximum steps)")
    parser.add_argument("--reference-steps", type=int, default=1000, help="the reference's steps, each phase")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    for hidden in ("--loop", "--cell-users", "--role"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role:
        print(json.dumps(speed_cell(args) if args.role == "speed" else quality(args)))
        return

    from gigs_core.config import GigsConfig

    preset = GigsConfig.preset(args.preset)
    measured = child_output(args, role="quality") if args.quality_items else None
    gigs_steps = measured["gigs_steps"] if measured else [preset.inversion.steps, preset.shift.steps]
    cells = [("reference", 1, users) for users in args.users.split(",")]
    cells += [("gigs", int(batch), users) for batch in args.batch_sizes.split(",") for users in args.users.split(",")]
    rows = []
    for loop, batch, users in cells:
        cell = child_output(args, role="speed", loop=loop, batch=batch, cell_users=users)
        steps = [args.reference_steps] * 2 if loop == "reference" else gigs_steps
        per_item = [fixed / batch + step / batch * count
                    for fixed, step, count in zip(cell["fixed"], cell["per_step"], steps)]
        rows.append({"loop": loop, "batch": batch, "users": users, "steps": steps, "per_item": per_item,
                     "step_per_item": [step / batch for step in cell["per_step"]], "peak_mib": cell["peak_mib"],
                     "tflops": cell["tflops"], "gflop": cell["gflop"]})

    print(f"models: {args.models}; gigs preset {args.preset}; reference {args.reference_steps}+{args.reference_steps} "
          f"steps; {args.threads} thread(s); n = {N_SHIFTS[args.models]}")
    print(f"{'loop':<10}{'batch':>6}{'users':>7}{'inv s/step':>11}{'shift s/step':>13}{'steps':>12}"
          f"{'s/item':>10}{'items/h':>9}{'peak MiB':>9}{'inv mse':>9}{'inv dist':>9}{'pref gain':>10}")
    for row in rows:
        quality_row = measured[row["loop"]] if measured else None
        error, distance, gain = (f"{quality_row[0]:.4f}", f"{quality_row[1]:.4f}", f"{quality_row[2]:+.4f}") \
            if quality_row else ("-", "-", "-")
        total = sum(row["per_item"])
        steps = "+".join(f"{count:.0f}" for count in row["steps"])
        print(f"{row['loop']:<10}{row['batch']:>6}{row['users']:>7}{row['step_per_item'][0]:>11.3f}"
              f"{row['step_per_item'][1]:>13.3f}{steps:>12}{total:>10.1f}{3600 / total:>9.1f}{row['peak_mib']:>9.0f}"
              f"{error:>9}{distance:>9}{gain:>10}")
    print("generator step (forward + backward on batch × n latents), achieved TFLOP/s: "
          + ", ".join(f"batch {row['batch']} {row['tflops']:.3f}" for row in rows
                      if row["loop"] == "gigs" and row["users"] == args.users.split(",")[0]))
    groups = args.users.split(",")
    largest = max(int(batch) for batch in args.batch_sizes.split(","))
    at_largest = {row["users"]: row for row in rows if row["loop"] == "gigs" and row["batch"] == largest}
    best = at_largest[groups[-1]]
    reference = next(row for row in rows if row["loop"] == "reference" and row["users"] == groups[-1])
    print(f"gigs shift step at batch {largest}, users {groups[-1]} vs {groups[0]}: "
          f"{best['step_per_item'][1] / at_largest[groups[0]]['step_per_item'][1]:.3f}x")
    print_flop_bound(rows, groups[-1])
    ratios = "quality not measured"
    if measured:
        gigs, loop = measured["gigs"], measured["reference"]
        print(f"inversion perceptual distance ratio (item vs reconstruction, the models' distance): "
              f"{gigs[1] / loop[1]:.2f}")
        ratios = f"inversion error ratio {gigs[0] / loop[0]:.2f}, preference gain ratio {gigs[2] / loop[2]:.2f}"
    print(f"items/hour ratio vs the authors-style loop: {sum(reference['per_item']) / sum(best['per_item']):.1f}x "
          f"({ratios})")


if __name__ == "__main__":
    main()
