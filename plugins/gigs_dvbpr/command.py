"""``gigs train recommender --recommender dvbpr``: train DVBPR on a dataset. Heavy imports inside the command."""

from __future__ import annotations

import click

from gigs_core.cli.devices import device_option


@click.command("dvbpr")
@click.option("--data", "-d", "spec", required=True, help="Dataset spec: fashion-mnist, users:FILE, dvbpr:FILE.npy, csv:DIR (see docs/data.md).")
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False), help="Output folder (checkpoints, log.jsonl, curves.png).")
@click.option("--option", "-R", "options", multiple=True, metavar="KEY=VALUE",
              help="Model option (repeatable): variant=cnnf|cnnf-small|cnnf-aip, k=100, input_size=…, normalization=dvbpr|aip|unit.")
@click.option("--epochs", default=20, show_default=True, type=click.IntRange(min=0))
@click.option("--batch-size", default=128, show_default=True, type=click.IntRange(min=1))
@click.option("--lr", default=1e-4, show_default=True, type=float, help="Adam learning rate.")
@click.option("--lambda-theta", default=1.0, show_default=True, type=float, help="L2 weight on the batch's θ rows.")
@click.option("--lambda-cnn", default=1e-3, show_default=True, type=float, help="Weight decay of the CNN weights (Σw²/2).")
@click.option("--steps-per-epoch", type=click.IntRange(min=1), help="Default: #train interactions / batch size.")
@click.option("--eval-users", type=click.IntRange(min=1), help="Evaluate AUC on a fixed subset of this many users (default all).")
@click.option("--checkpoint-every", default=500, show_default=True, type=click.IntRange(min=1), help="Save resumable state every N steps.")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--on-bad-image", type=click.Choice(["fail", "skip"]), default="fail", show_default=True,
              help="A corrupt image: stop with its item id, or use a grey placeholder and count it.")
@click.option("--no-resume", is_flag=True, help="Start over even if --out holds an interrupted run.")
@device_option
@click.option("--threads", type=click.IntRange(min=1), help="CPU threads for torch.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def recommender(spec: str, out: str, options: tuple[str, ...], epochs: int, batch_size: int, lr: float,
                lambda_theta: float, lambda_cnn: float, steps_per_epoch: int | None, eval_users: int | None,
                checkpoint_every: int, seed: int, on_bad_image: str, no_resume: bool, device: str,
                threads: int | None, quiet: bool) -> None:
    """Train a recommender (DVBPR, Kang et al.'s BPR recipe by default) on a dataset."""
    from gigs_core.cli.settings import parse_key_values
    from gigs_core.errors import UserInputError

    model_options = parse_key_values(options, "--option")
    allowed = {"variant", "k", "input_size", "normalization", "dropout"}
    unknown = sorted(set(model_options) - allowed)
    if unknown:
        raise UserInputError(f"unknown dvbpr training option(s) {', '.join(unknown)}; valid: {', '.join(sorted(allowed))}")

    import torch

    from gigs_core.cli.devices import pick_device
    from gigs_core.data import open_dataset
    from gigs_dvbpr.training import TrainConfig, train_dvbpr

    if threads:
        torch.set_num_threads(threads)
    dataset = open_dataset(spec, on_bad_image=on_bad_image)
    config = TrainConfig(epochs=epochs, batch_size=batch_size, lr=lr, lambda_theta=lambda_theta, lambda_cnn=lambda_cnn,
                         steps_per_epoch=steps_per_epoch, eval_users=eval_users, checkpoint_every=checkpoint_every,
                         seed=seed)
    try:
        model_options_checked = _check_model_options(model_options)
    except ValueError as exc:
        raise UserInputError(str(exc)) from None

    def report(record: dict) -> None:
        parts = [f"epoch {record['epoch']}", f"loss {record['loss']:.4f}"]
        for key in ("validation_auc_sampled", "validation_auc_full", "test_auc_sampled", "test_auc_full"):
            if key in record:
                parts.append(f"{key} {record[key]:.4f}")
        click.echo("  ".join(parts), err=True)

    from gigs_core.cli.progress_display import CliProgress

    bars = CliProgress(enabled=not quiet)

    def report_and_close(record: dict) -> None:
        bars.close()
        report(record)

    try:
        result = train_dvbpr(dataset, out, model_options=model_options_checked, config=config,
                             device=pick_device(device), resume=not no_resume, progress=bars, on_epoch=report_and_close)
    finally:
        bars.close()
    click.echo(f"best checkpoint: {result.best_checkpoint} (epoch {result.best_epoch}); "
               f"{result.seconds:.0f} s, peak RSS {result.peak_rss_mb:.0f} MB")
    if dataset.bad_items:
        click.echo(f"skipped {len(dataset.bad_items)} undecodable image(s)", err=True)


def _check_model_options(options: dict) -> dict:
    from gigs_dvbpr.model import NORMALIZATIONS, VARIANTS

    if "variant" in options and options["variant"] not in VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(VARIANTS)}, not {options['variant']!r}")
    if "normalization" in options and options["normalization"] not in NORMALIZATIONS:
        raise ValueError(f"normalization must be one of {', '.join(NORMALIZATIONS)}, not {options['normalization']!r}")
    for key in ("k", "input_size"):
        if key in options and (not isinstance(options[key], int) or options[key] < 1):
            raise ValueError(f"{key} must be a positive integer")
    return options
