import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from PIL import Image

from gigs_core import __version__
from gigs_core.cli.main import cli
from gigs_core.config import FAST_PRESET

FAST = ["--steps", "5", "--n", "3", "--perceptual", "none"]
FAST_TOML = '[shift]\npredictor_trunk = "tiny-cnn"\npredictor_trunk_options = {}\n'


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def fast_toml(tmp_path):
    path = tmp_path / "fast.toml"
    path.write_text(FAST_TOML)
    return path


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "shoe.png"
    Image.new("RGBA", (40, 30), (200, 10, 10, 128)).save(path)
    return path


def invoke(runner, *args):
    return runner.invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


def test_version_and_help(runner):
    assert invoke(runner, "--version").output.strip() == f"gigs, version {__version__}"
    help_text = invoke(runner, "run", "--help").output
    assert "--generator" in help_text and "--config" in help_text and "--device" in help_text


def test_help_does_not_import_torch():
    code = "import sys; from gigs_core.cli.main import cli; sys.exit(1 if 'torch' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_run_writes_the_folder_and_prints_a_table(runner, tmp_path, photo, fast_toml):
    out = tmp_path / "run"
    result = invoke(runner, "run", "-g", "linear", "-r", "pixel", "-i", photo, "-u", "0,1", *FAST,
                    "--config", fast_toml, "--seed", "3", "-o", out, "--device", "cpu")
    assert result.exit_code == 0, result.output
    assert "shoe" in result.output and f"wrote {out}" in result.output
    report = json.loads((out / "report.json").read_text())
    assert report["users"] == [0, 1]
    assert report["config"]["shift"]["n"] == 3 and report["config"]["shift"]["steps"] == 5
    assert report["config"]["shift"]["predictor_trunk"] == "tiny-cnn"
    assert report["backends"]["generator"]["name"] == "linear"
    assert report["items"][0]["seed"] == 3
    assert (out / "shoe" / "variant_02.png").exists()


def test_fast_preset_and_a_compute_section_reach_the_report(runner, tmp_path, photo):
    config = tmp_path / "run.toml"
    config.write_text(FAST_TOML + '[compute]\nprecision = "bf16"\n')
    out = tmp_path / "run"
    result = invoke(runner, "run", "-g", "linear", "-r", "pixel", "-i", photo, "--preset", "fast", "--shift-steps", "4",
                    "--n", "3", "--perceptual", "none", "--config", config, "-o", out, "--device", "cpu")
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["config"]["inversion"] | FAST_PRESET["inversion"] == report["config"]["inversion"]
    assert report["config"]["shift"]["lr_shift"] == FAST_PRESET["shift"]["lr_shift"]
    assert report["config"]["shift"]["steps"] == 4  # the command line wins over the preset
    assert report["config"]["compute"]["precision"] == "bf16"
    assert report["items"][0]["steps_taken"] == {"inversion": FAST_PRESET["inversion"]["steps"], "shifting": 4}


@pytest.mark.parametrize("suffix", [".toml", ".yaml", ".json"])
def test_config_file_formats_and_command_line_wins(runner, tmp_path, suffix):
    settings = {
        "generator": "linear", "recommender": "pixel", "n": 4, "steps": 4, "perceptual": "none",
        "generator_option": {"latent_dim": 5}, "users": "2",
        "shift": {"predictor_trunk": "tiny-cnn", "predictor_trunk_options": {}},
    }
    path = tmp_path / f"settings{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(settings))
    elif suffix == ".yaml":
        import yaml

        path.write_text(yaml.safe_dump(settings))
    else:
        path.write_text(
            'generator = "linear"\nrecommender = "pixel"\nn = 4\nsteps = 4\nperceptual = "none"\nusers = "2"\n'
            "generator_option = { latent_dim = 5 }\n" + FAST_TOML
        )
    out = tmp_path / "out"
    result = invoke(runner, "run", "--config", path, "--n", "3", "-o", out)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["config"]["shift"]["n"] == 3  # the command line wins
    assert report["config"]["shift"]["steps"] == 4  # the file fills the rest
    assert report["users"] == [2]
    assert report["backends"]["generator"]["options"] == {"latent_dim": 5}
    assert len(report["items"][0]["base_latent"]) == 5


def test_plugins_lists_backends_with_distribution(runner):
    output = invoke(runner, "plugins").output
    assert any(line.split()[:4] == ["generator", "toy", "gigs", __version__] for line in output.splitlines())
    rows = json.loads(invoke(runner, "plugins", "--json").output)
    linear = next(row for row in rows if row["name"] == "linear")
    assert linear["distribution"] == "registered in code" and "latent_dim" in linear["options"]


@pytest.mark.parametrize(
    "args,message",
    [
        (["-i", "missing.png"], "does not exist"),
        (["-i", "{notimage}"], "is not a readable image"),
        (["-g", "nope"], "unknown generator 'nope'; valid generators:"),
        (["-G", "latent_dimension=3"], "bad options for generator 'linear'"),
        (["-G", "novalue"], "takes KEY=VALUE"),
        (["-u", "99"], "user id 99 is out of range"),
        (["-u", ""], "cannot read users"),
        (["--config", "{badconfig}"], "could not be parsed"),
        (["--config", "{unknownsetting}"], "unknown settings colour"),
        (["-o", "{existing}"], "already exists"),
    ],
)
def test_user_mistakes_give_one_clean_line(runner, tmp_path, args, message):
    (tmp_path / "notimage.png").write_text("hello")
    (tmp_path / "bad.toml").write_text("= nonsense")
    (tmp_path / "unknown.toml").write_text('colour = "red"')
    (tmp_path / "existing").mkdir()
    paths = {"notimage": tmp_path / "notimage.png", "badconfig": tmp_path / "bad.toml",
             "unknownsetting": tmp_path / "unknown.toml", "existing": tmp_path / "existing"}
    args = [arg.format(**paths) for arg in args]
    base = ["run", "-g", "linear", "-r", "pixel", *FAST, "-o", str(tmp_path / "out")]
    result = runner.invoke(cli, base + args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0]
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_missing_backend_names_is_a_clean_error(runner, tmp_path):
    # no backends at all runs the demo (tests/demo); one backend alone is an error
    result = runner.invoke(cli, ["run", "-g", "linear", "-o", str(tmp_path / "run")])
    assert result.exit_code == 2 and "give --generator and --recommender" in result.output


def test_debug_shows_the_traceback(runner):
    result = runner.invoke(cli, ["--debug", "run", "-g", "nope", "-r", "pixel"])
    assert result.exit_code != 0 and type(result.exception).__name__ == "UnknownBackendError"


def test_cuda_without_a_gpu_is_a_clean_error(runner, monkeypatch, tmp_path):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    result = runner.invoke(cli, ["run", "-g", "linear", "-r", "pixel", *FAST, "--device", "cuda",
                                 "-o", str(tmp_path / "run")])
    assert result.exit_code == 2 and "torch sees no CUDA device" in result.output


@pytest.mark.parametrize("args,message", [
    (["run", "--n", "1"], "Invalid value for '--n': 1 is not in the range x>=2"),
    (["run", "--no-such-option"], "No such option '--no-such-option'"),
    (["run", "--steps", "many"], "'many' is not a valid integer"),
    (["run", "--preset", "fastest"], "'fastest' is not one of 'paper', 'authors', 'fast'"),
])
def test_usage_errors_are_one_line_with_exit_2(runner, args, message):
    result = invoke(runner, *args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], result.output
    assert lines[0].endswith(" run --help')")


@pytest.mark.parametrize("args,message", [
    (["--eps", "inf"], "shift.eps: Input should be a finite number"),
    (["--eps", "nan"], "shift.eps: Input should be a finite number"),
    (["--eps", "-1"], "shift.eps: Input should be greater than 0"),
    (["--preference-weight", "-inf"], "shift.preference_weight: Input should be a finite number"),
])
def test_settings_out_of_range_are_one_line_errors_before_anything_runs(runner, tmp_path, photo, args, message):
    out = tmp_path / "run"
    result = invoke(runner, "run", "-g", "linear", "-r", "pixel", "-i", photo, *args, "-o", out)
    assert result.exit_code == 2 and not out.exists()
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], result.output


def test_a_backend_that_loads_weights_but_got_none_is_announced(runner, tmp_path, fast_toml):
    out = tmp_path / "run"
    result = invoke(runner, "run", "-g", "progan", "-G", "resolution=8", "-G", "latent_dim=8", "-G", "max_features=8",
                    "-r", "toy", "--steps", "1", "--n", "2", "--perceptual", "none", "--config", fast_toml, "-q",
                    "-o", out)
    assert result.exit_code == 0, result.output
    note = ("the generator 'progan' was given no checkpoint: it runs with random, untrained weights, "
            "so the results mean nothing (give -G checkpoint=FILE)")
    assert f"warning: {note}" in result.output and "recommender 'toy'" not in result.output  # toy loads no weights
    assert note in json.loads((out / "report.json").read_text())["notes"]
