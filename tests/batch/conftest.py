"""Tiny `toy` backends (entry-point plugins, so subprocesses and Ray workers have them too),
a few photos, and helpers to run `gigs batch`."""

import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from gigs_core.cli.main import cli

SETTINGS = """
[shift]
predictor_trunk_options = {model = "test_resnet"}
"""
TOY = ["-g", "toy", "-r", "toy", "-G", "resolution=16", "-G", "latent_dim=8", "-R", "num_users=20",
       "--steps", "3", "--n", "2", "--perceptual", "none", "-q"]


@pytest.fixture
def inputs(tmp_path) -> Path:
    """``photos/`` with three small photos, and ``settings.toml`` (timm's tiny test ResNet as
    the predictor's trunk)."""
    folder = tmp_path / "inputs"
    (folder / "photos").mkdir(parents=True)
    rng = np.random.default_rng(0)
    for index in range(3):
        Image.fromarray((rng.random((20, 24, 3)) * 255).astype("uint8")).save(folder / "photos" / f"p{index}.png")
    (folder / "settings.toml").write_text(SETTINGS)
    return folder


def toy_args(inputs: Path, *extra: str) -> list[str]:
    return ["batch", *TOY, "--config", str(inputs / "settings.toml"), *extra]


def run_cli(args):
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def gigs_command() -> list[str]:
    return [sys.executable, "-m", "gigs_core"]


def subprocess_env() -> dict[str, str]:
    return dict(os.environ, OMP_NUM_THREADS="1", HF_HUB_OFFLINE="1")


def items_of(out: Path) -> dict[str, dict]:
    """The report's item of every finished job, by job folder name."""
    return {folder.name: json.loads((folder / "report.json").read_text())["items"][0]
            for folder in sorted((out / "jobs").iterdir()) if not folder.name.startswith(".")}
