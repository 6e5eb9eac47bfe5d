"""The demo's out-of-domain check: calibrated on the bundle's own items when the bundle is
built, applied to every photo, and worded plainly in the table and both reports."""

import json
import shutil

import pytest
from click.testing import CliRunner
from PIL import Image

from gigs_core.cli.main import cli

FAST = ["--steps", "2", "--n", "2", "-q"]


def run_cli(args):
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


@pytest.fixture
def bundle_copy(quick_bundle, tmp_path):
    """A copy of the quick bundle whose manifest a test may change."""
    return shutil.copytree(quick_bundle, tmp_path / "bundle")


def set_domain_check(bundle, change):
    path = bundle / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))


def test_building_a_bundle_calibrates_the_default_distance(quick_bundle):
    manifest = json.loads((quick_bundle / "manifest.json").read_text())
    figures = manifest["domain_check"]["domain-classifier"]
    assert figures["items"] == len(manifest["items"]) and figures["quantile"] == 0.95
    assert figures["inversion_steps"] == manifest["demo"]["inversion_steps"]
    reconstruction, nearest = figures["reconstruction"], figures["nearest_item"]
    assert 0 < reconstruction["median"] <= reconstruction["threshold"] <= reconstruction["max"]
    assert 0 < nearest["median"] <= nearest["threshold"] == nearest["max"]


def test_a_photo_far_from_the_catalogue_is_called_out_of_domain(bundle_copy, tmp_path, no_lpips):
    def tighten(manifest):
        manifest["domain_check"]["domain-classifier"]["nearest_item"]["threshold"] = 0.0

    set_domain_check(bundle_copy, tighten)
    photo = tmp_path / "board.png"
    Image.new("RGB", (60, 40), (20, 90, 40)).save(photo)
    out = tmp_path / "run"
    result = run_cli(["run", "--bundle", bundle_copy, "-i", photo, *FAST, "-o", out])
    assert result.exit_code == 0, result.output
    assert "Out of domain: it is farther from every catalogue item" in result.output
    report = json.loads((out / "report.json").read_text())
    check = report["evaluation"]["domain_check"]["board"]
    assert check["in_domain"] is False and check["reasons"] == ["nearest_item"]
    assert check["distances"]["nearest_item"] > 0
    html = (out / "report.html").read_text()
    assert "cannot represent this photo" in html and "gain is real" not in html and "clear gain" not in html


def test_a_bundled_item_is_within_the_domain(quick_bundle, tmp_path, no_lpips):
    out = tmp_path / "run"
    result = run_cli(["run", "--bundle", quick_bundle, "--demo-item", "1", *FAST, "-o", out])
    assert result.exit_code == 0, result.output
    check = next(iter(json.loads((out / "report.json").read_text())["evaluation"]["domain_check"].values()))
    assert check["distances"]["nearest_item"] == 0.0  # it is one of the catalogue items
    assert "nearest_item" not in check["reasons"]  # its reconstruction may still be poor after 2 steps
    assert "calibrated with 4 inversion steps and this run took 2" in result.output


def test_an_uncalibrated_bundle_says_there_is_no_check(bundle_copy, tmp_path, no_lpips):
    set_domain_check(bundle_copy, lambda manifest: manifest.pop("domain_check"))
    out = tmp_path / "run"
    result = run_cli(["run", "--bundle", bundle_copy, *FAST, "-o", out])
    assert result.exit_code == 0, result.output
    assert "no out-of-domain check" in result.output and "gigs demo calibrate" in result.output
    assert json.loads((out / "report.json").read_text())["evaluation"]["domain_check"] == {}


def test_calibrate_restores_the_figures_of_the_build(quick_bundle, bundle_copy, no_lpips):
    set_domain_check(bundle_copy, lambda manifest: manifest.pop("domain_check"))
    result = run_cli(["demo", "calibrate", "--bundle", bundle_copy])
    assert result.exit_code == 0, result.output
    built = json.loads((quick_bundle / "manifest.json").read_text())["domain_check"]
    assert json.loads((bundle_copy / "manifest.json").read_text())["domain_check"] == built
    assert "threshold" in result.output
    assert "domain-classifier" in run_cli(["demo", "info", "--bundle", bundle_copy]).output
