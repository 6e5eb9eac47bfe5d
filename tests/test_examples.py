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


def test_compare_generators(tmp_path):
    result = run_example("compare_generators.py", str(tmp_path / "cmp"))
    assert result.returncode == 0, result.stderr
    rows = result.stdout.strip().splitlines()
    assert rows[0].startswith("| generator | method | recon PSNR (dB) | gain (optimised) | gain (second-toy) |")
    assert [row.split("|")[1].strip() for row in rows[2:4]] == ["toy-narrow", "toy-wide"]
    report = json.loads((tmp_path / "cmp" / "comparison.json").read_text())
    assert [row["label"] for row in report["rows"]] == ["toy-narrow", "toy-wide"]


def test_run_toml_with_an_override(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = (EXAMPLES / "run.toml").read_text().replace("steps = 100", "steps = 3")
    (tmp_path / "run.toml").write_text(settings)
    result = CliRunner().invoke(cli, ["run", "--config", "run.toml", "--n", "3"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "gigs-run-config" / "report.json").read_text())
    assert report["config"]["shift"]["n"] == 3 and report["config"]["shift"]["steps"] == 3
    assert report["items"][0]["seed"] == 7 and len(report["users"]) == 20


def test_recommender_from_your_shop(tmp_path):
    out = tmp_path / "out"
    result = run_example("recommender_from_your_shop.py", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # the recommender learned the stand-in shop's two tastes (chance is 0.5)
    aucs = [float(line.split("validation_auc_full")[1].split()[0])
            for line in (result.stdout + result.stderr).splitlines() if line.startswith("epoch")]
    assert len(aucs) == 3 and max(aucs) > 0.6
    assert (out / "dvbpr" / "best.safetensors").is_file()
    report = json.loads((out / "run" / "report.json").read_text())
    assert report["backends"]["recommender"]["name"] == "dvbpr" and report["users"] == [0, 1, 2, 3, 4]


def run_shell_example(name, *args):
    """A shell example with this interpreter's `python` and `gigs` first on the PATH (as in an activated venv)."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return subprocess.run(["bash", str(EXAMPLES / name), *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1", "PATH": path})


def test_batch_catalogue(tmp_path):
    result = run_shell_example("batch_catalogue.sh", str(tmp_path / "batch"))
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "batch" / "summary.json").read_text())
    assert (tmp_path / "batch" / "index.html").is_file() and (summary["jobs"], summary["done"]) == (8, 8)


def test_evaluate(tmp_path):
    result = run_shell_example("evaluate.sh", str(tmp_path / "eval"))
    assert result.returncode == 0, result.stderr
    for table in (2, 3, 4, 5):
        assert (tmp_path / "eval" / f"table{table}.json").is_file()


def test_judge_the_gain(tmp_path):
    result = run_shell_example("judge_the_gain.sh", str(tmp_path / "run"))
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    assert set(report["gains_in_catalogue_std"]["catalogue_std"]) == {"optimised", "toy"}
    assert "judged / optimised" in result.stdout
