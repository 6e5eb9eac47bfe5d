"""Turning the user's ``--device auto|cpu|cuda`` into a ``torch.device`` (CLI only:
library code follows its inputs' device)."""

from __future__ import annotations

from gigs_core.errors import UserInputError

DEVICE_CHOICES = ("auto", "cpu", "cuda")


def pick_device(choice: str):
    """``auto`` is CUDA when torch sees a GPU, else CPU; ``cuda`` without one is an error."""
    import torch

    if choice not in DEVICE_CHOICES:
        raise UserInputError(f"unknown device {choice!r}; choose one of {', '.join(DEVICE_CHOICES)}")
    if choice == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if choice == "cuda" and not torch.cuda.is_available():
        raise UserInputError("--device cuda was asked for but torch sees no CUDA device; use --device cpu")
    return torch.device(choice)


def _device_settings() -> dict:
    import click

    return {"type": click.Choice(DEVICE_CHOICES), "default": "auto", "show_default": True,
            "help": "Where to compute: auto (CUDA when torch sees a GPU, else CPU), cpu or cuda."}


def device_click_option():
    """The one ``--device auto|cpu|cuda`` option, as a ``click.Option``."""
    import click

    return click.Option(["--device"], **_device_settings())


def device_option(function):
    """Decorator adding the one ``--device auto|cpu|cuda`` option to a click command."""
    import click

    return click.option("--device", **_device_settings())(function)
