"""``gigs train recommender --recommender vbpr-timm``: train VBPR on a dataset. Heavy imports inside the command."""

from __future__ import annotations

import click

from gigs_core.cli.devices import device_option


@click.command("vbpr-timm")
@click.option("--data", "-d", "spec", required=True, help="Dataset spec: fashion-mnist, users:FILE, dvbpr:FILE.npy, csv:DIR (see docs/data.md).")
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False), help="Output folder (checkpoints, log.jsonl, curves.png).")
@click.option("--option", "-R", "options", multiple=True, metavar="KEY=VALUE",
              help="Model option (repeatable): model=resnet10t, pretrained=false, backbone_checkpoint=FILE, k=20, input_size=….")
@click.option("--epochs", default=20, show_default=True, type=click.IntRange(min=0))
@click.option("--batch-size", default=128, show_default=True, type=click.IntRange(min=1))
@click.option("--lr", default=1e-3, show_default=True, type=float, help="Adam learning rate of E, β' and θ.")
@click.option("--lambda-theta", default=1e-2, show_default=True, type=float, help="L2 weight on the batch's θ rows (Σ‖θ_u‖²/2).")
@click.option("--lambda-visual", default=1e-3, show_default=True, type=float, help="L2 weight on E and β' ((‖E‖² + ‖β'‖²)/2).")
@click.option("--fine-tune", is_flag=True, help="Train the backbone too (default: frozen, features computed once).")
@click.option("--backbone-lr", default=1e-4, show_default=True, type=float, help="Adam learning rate of the backbone with --fine-tune.")
@click.option("--steps-per-epoch", type=click.IntRange(min=1), help="Default: #train interactions / batch size.")
@click.option("--eval-users", type=click.IntRange(min=1), help="Evaluate AUC on a fixed subset of this many users (default all).")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--on-bad-image", type=click.Choice(["fail", "skip"]), default="fail", show_default=True,
              help="A corrupt image: stop with its item id, or use a grey placeholder and count it.")
@click.option("--no-resume", is_flag=True, help="Start over even if --out holds an interrupted run.")
@device_option
@click.option("--threads", type=click.IntRange(min=1), help="CPU threads for torch.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def recommender(spec: str, out: str, options: tuple[str, ...], epochs: int, batch_size: int, lr: float,
                lambda_theta: float, lambda_visual: float, fine_tune: bool, backbone_lr: float,
                steps_per_epoch: int | None, eval_users: int | None, seed: int, on_bad_image: str, no_resume: bool,
                device: str, threads: int | None, quiet: bool) -> None:
    """Train VBPR on a timm backbone (frozen by default, as in He & McAuley) with BPR."""
    from gigs_core.cli.settings import parse_key_values
    from gigs_core.errors import UserInputError
    from gigs_core.registry import get_spec, validate_options
    from gigs_vbpr.training import MODEL_OPTIONS

    model_options = parse_key_values(options, "--option")
    unknown = sorted(set(model_options) - set(MODEL_OPTIONS))
    if unknown:
        raise UserInputError(f"unknown vbpr-timm training option(s) {', '.join(unknown)}; valid: {', '.join(MODEL_OPTIONS)}")
    checked = validate_options(get_spec("recommender", "vbpr-timm"), model_options)
    model_options = {key: getattr(checked, key) for key in model_options}

    import torch

    from gigs_core.cli.devices import pick_device
    from gigs_core.cli.progress_display import CliProgress
    from gigs_core.data import open_dataset
    from gigs_vbpr.training import TrainConfig, train_vbpr

    if threads:
        torch.set_num_threads(threads)
    dataset = open_dataset(spec, on_bad_image=on_bad_image)
    config = TrainConfig(epochs=epochs, batch_size=batch_size, lr=lr, lambda_theta=lambda_theta,
                         lambda_visual=lambda_visual, fine_tune=fine_tune, backbone_lr=backbone_lr,
                         steps_per_epoch=steps_per_epoch, eval_users=eval_users, seed=seed)
    bars = CliProgress(enabled=not quiet)

    def report(record: dict) -> None:
        bars.close()
        parts = [f"epoch {record['epoch']}", f"loss {record['loss']:.4f}"]
        for key in ("validation_auc_sampled", "validation_auc_full", "test_auc_sampled", "test_auc_full"):
            if key in record:
                parts.append(f"{key} {record[key]:.4f}")
        click.echo("  ".join(parts), err=True)

    try:
        result = train_vbpr(dataset, out, model_options=model_options, config=config, device=pick_device(device),
                            resume=not no_resume, progress=bars, on_epoch=report)
    finally:
        bars.close()
    click.echo(f"best checkpoint: {result.best_checkpoint} (epoch {result.best_epoch}); {result.seconds:.0f} s")
    if dataset.bad_items:
        click.echo(f"skipped {len(dataset.bad_items)} undecodable image(s)", err=True)
