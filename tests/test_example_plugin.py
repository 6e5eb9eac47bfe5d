"""The example third-party distribution, installed for real, used by `gigs` unchanged."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "gigs-plugin-example"


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """A copy of the example: pip builds in the source tree, and pytest writes beside the tests."""
    return shutil.copytree(EXAMPLE, tmp_path_factory.mktemp("source") / "example",
                           ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))


@pytest.fixture(scope="module")
def installed(tmp_path_factory, example):
    """The example installed into a folder of its own."""
    source = example
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--target", str(target), str(source)],
        check=True,
        capture_output=True,
    )
    return target


def gigs(installed, *args):
    env = dict(os.environ, PYTHONPATH=str(installed), OMP_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-m", "gigs_core", *args], env=env, capture_output=True, text=True)


def test_plugins_shows_the_distribution_and_version(installed):
    result = gigs(installed, "plugins", "--json")
    assert result.returncode == 0, result.stderr
    stripes = next(row for row in json.loads(result.stdout) if row["name"] == "stripes")
    assert (stripes["kind"], stripes["distribution"], stripes["version"]) == ("generator", "gigs-plugin-example", "0.1.0")


def test_gigs_run_uses_the_plugin_generator(installed, tmp_path):
    out = tmp_path / "run"
    result = gigs(installed, "run", "-g", "stripes", "-r", "toy", "-G", "resolution=16",
                  "--steps", "3", "--n", "2", "--perceptual", "none", "-o", str(out))
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text())
    generator = report["backends"]["generator"]
    assert generator["class"] == "gigs_plugin_example.stripes.StripesGenerator"
    assert (generator["distribution"], generator["version"]) == ("gigs-plugin-example", "0.1.0")
    assert report["backends"]["recommender"]["distribution"] == "gigs"
    assert len(report["items"][0]["variant_preferences"]) == 2


def test_its_own_contract_tests_pass_with_the_plugin_installed(installed, example):
    env = dict(os.environ, PYTHONPATH=str(installed), OMP_NUM_THREADS="1")
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(example / "tests")],
                            env=env, capture_output=True, text=True, cwd=installed)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout
