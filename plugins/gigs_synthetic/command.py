"""``gigs data synth-users``: synthetic users with a known utility. Heavy imports inside."""

from __future__ import annotations

import click


@click.command("synth-users")
@click.option("--data", "-d", "spec", default="fashion-mnist", show_default=True, help="Catalogue spec.")
@click.option("--out", "-o", required=True, type=click.Path(dir_okay=False), help="Users file to write (NAME.users.npz).")
@click.option("--users", "num_users", default=5000, show_default=True, type=click.IntRange(min=1))
@click.option("--interactions", default=12, show_default=True, type=click.IntRange(min=1), help="Interactions per user (last → test, one before → validation).")
@click.option("--segments", help="Comma-separated taste segments (default all; see docs/data.md).")
@click.option("--temperature", default=0.5, show_default=True, type=float, help="Softmax temperature of the choice model.")
@click.option("--user-noise", default=0.35, show_default=True, type=float, help="Std of each user's deviation from the segment taste.")
@click.option("--pool", default="train", show_default=True, help="Items users choose from: a catalogue partition ('train') or 'all'.")
@click.option("--background", type=click.Choice(["dark", "light"]), default="dark", show_default=True,
              help="Image background (Fashion-MNIST: dark; product photos: light).")
@click.option("--resolution", default=28, show_default=True, type=click.IntRange(min=8), help="Attribute resolution in px.")
@click.option("--seed", default=0, show_default=True, type=int)
def synth_users(spec: str, out: str, num_users: int, interactions: int, segments: str | None, temperature: float,
                user_noise: float, pool: str, background: str, resolution: int, seed: int) -> None:
    """Draw synthetic users with a known utility over image attributes, and their interactions."""
    from gigs_core.data import open_dataset
    from gigs_synthetic.users import synthesize_users

    dataset = open_dataset(spec)
    users = synthesize_users(
        dataset, num_users=num_users, interactions_per_user=interactions,
        segments=[s.strip() for s in segments.split(",")] if segments else None, temperature=temperature,
        user_noise=user_noise, pool=pool, background=background, resolution=resolution, seed=seed, spec=spec,
    )
    path = users.save(out)
    counts = {name: int((users.segments == k).sum()) for k, name in enumerate(users.segment_names)}
    click.echo(f"wrote {path}: {users.num_users} users, {sum(map(len, users.train))} train interactions; "
               f"segments {counts}")
    click.echo(f"train on it with: gigs train recommender --recommender dvbpr --data users:{path} --out DIR")
