"""Results are checked before they are written or worded: non-finite numbers stop the run,
report.json is strict JSON without the machine's paths, and the run states its thread count."""

import json
import math

import pytest
import torch
from click.testing import CliRunner
from PIL import Image

from gigs_core.cli.main import cli
from gigs_core.errors import ResultError
from gigs_core.factories import create_generator, create_recommender
from gigs_core.method.finite import require_finite
from gigs_core.method.pipeline import run_gigs
from gigs_core.report.portable import portable

FAST = ["-g", "linear", "-r", "pixel", "--steps", "2", "--n", "2", "--perceptual", "none", "-q"]
FAST_TOML = '[shift]\npredictor_trunk = "tiny-cnn"\npredictor_trunk_options = {}\n'


@pytest.fixture
def inputs(tmp_path):
    Image.new("RGB", (12, 10), (200, 30, 30)).save(tmp_path / "shoe.png")
    (tmp_path / "fast.toml").write_text(FAST_TOML)
    return tmp_path


def gigs(*args):
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


def strict_loads(text: str):
    def refuse(constant):
        raise ValueError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def test_nan_weights_stop_the_run_with_exit_1_and_nothing_written(inputs):
    out = inputs / "run"
    result = gigs("run", *FAST, "-G", "nan_weights=true", "--config", inputs / "fast.toml",
                  "-i", inputs / "shoe.png", "-o", out)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: the run produced NaN or infinite reconstructions")
    assert "nothing was written" in lines[0] and not out.exists()


class InfiniteRecommender(torch.nn.Module):
    """Scores every image +inf: a broken recommender."""

    num_users = 3

    def score(self, images, users):
        return torch.full((images.shape[0], len(users)), float("inf")) + 0 * images.sum()

    def group_score(self, images, users):
        return self.score(images, users).mean(dim=1)


def test_infinite_scores_name_what_broke(fast_config):
    items = torch.rand(1, 1, 8, 8)
    with pytest.raises(ResultError, match="variant preferences") as info:
        run_gigs(create_generator("linear"), InfiniteRecommender(), items, config=fast_config)
    assert "reconstructions" not in str(info.value)


def test_require_finite_accepts_missing_values_and_counts_bad_ones():
    require_finite({"none": None, "optional": [None, 1.0], "fine": torch.ones(3)})
    with pytest.raises(ResultError, match=r"losses \(2 of 3 values\)"):
        require_finite({"losses": [1.0, math.nan, math.inf]})


def test_portable_makes_json_strict_and_hides_machine_paths(tmp_path, monkeypatch):
    model = tmp_path / "models" / "g.pt"
    model.parent.mkdir()
    model.write_bytes(b"x")
    inside = tmp_path / "work" / "data" / "u.npz"
    inside.parent.mkdir(parents=True)
    inside.write_bytes(b"x")
    monkeypatch.chdir(tmp_path / "work")
    value = {"a": [math.nan, 1.5, math.inf], "checkpoint": str(model), "perceptual": f"domain:{model}",
             "users": str(inside), "missing": "/no/such/file.pt", "spec": "random:5", "n": 3, "flag": True}
    assert portable(value) == {"a": [None, 1.5, None], "checkpoint": "g.pt", "perceptual": "domain:g.pt",
                               "users": "data/u.npz", "missing": "/no/such/file.pt", "spec": "random:5",
                               "n": 3, "flag": True}


def test_report_is_strict_json_without_machine_paths_and_states_threads(fast_config, tmp_path):
    model = tmp_path / "models" / "g.pt"
    model.parent.mkdir()
    model.write_bytes(b"x")
    run = run_gigs(create_generator("linear"), create_recommender("pixel"), torch.rand(1, 1, 8, 8),
                   config=fast_config, backends={"generator": {"options": {"checkpoint": str(model)}}})
    run.evaluation = {"spread": math.nan}
    folder = run.save(tmp_path / "run")
    text = (folder / "report.json").read_text()
    report = strict_loads(text)
    assert report["evaluation"]["spread"] is None
    assert report["backends"]["generator"]["options"]["checkpoint"] == "g.pt"
    assert str(tmp_path) not in text and str(tmp_path) not in (folder / "report.html").read_text()
    assert report["threads"] == torch.get_num_threads()
    assert "thread count" in report["reproducibility"]
    assert "CPU thread(s)" in (folder / "report.html").read_text()
