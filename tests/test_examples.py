"""Every example in examples/ runs."""

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from gigs_core.cli.main import cli

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run_example(name, *args, cwd=None):
    env = dict(os.environ, HF_HUB_OFFLINE="1", OMP_NUM_THREADS="1")
    return subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True, text=True, env=env, cwd=cwd)


def test_python_api(tmp_path):
    result = run_example("python_api.py", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "variant 3:" in result.stdout
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["perceptual_distance"] == "lpips-untrained" and len(report["users"]) == 10


def test_compare_generators():
    result = run_example("compare_generators.py")
    assert result.returncode == 0, result.stderr
    rows = result.stdout.strip().splitlines()
    assert len(rows) == 3 and rows[1].startswith("toy {'width': 16")


def test_run_toml_with_an_override(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = (EXAMPLES / "run.toml").read_text().replace("steps = 100", "steps = 3")
    (tmp_path / "run.toml").write_text(settings)
    result = CliRunner().invoke(cli, ["run", "--config", "run.toml", "--n", "3"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "gigs-run-config" / "report.json").read_text())
    assert report["config"]["shift"]["n"] == 3 and report["config"]["shift"]["steps"] == 3
    assert report["items"][0]["seed"] == 7 and len(report["users"]) == 20
