"""`gigs run` never destroys a folder it did not write, checks its paths before it computes,
and leaves no staging or backup folder behind, even after a killed run (docs/output-folders.md)."""

import json
import os
import signal
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner
from PIL import Image

from gigs_core import atomic
from gigs_core.atomic import RUN_FOLDER, atomic_folder
from gigs_core.cli.main import cli
from gigs_core.cli.preflight import RUN_FILES, item_names
from gigs_core.errors import UserInputError
from gigs_core.factories import create_generator, create_recommender
from gigs_core.method.pipeline import run_gigs

FAST = ["-g", "linear", "-r", "pixel", "--steps", "2", "--n", "2", "--perceptual", "none", "-q"]
ROOT = os.name == "posix" and os.geteuid() == 0


@pytest.fixture
def make_read_only(monkeypatch):
    """Make a folder read-only for gigs: by its mode for an ordinary user; for root, whom modes
    do not stop, by answering ``os.access`` and ``os.mkdir`` in it as the kernel answers a user."""
    locked = []

    def lock(folder: Path) -> None:
        if not ROOT:
            folder.chmod(0o555)
            locked.append(folder)
            return
        real_access, real_mkdir = os.access, os.mkdir

        def access(path, mode, *args, **kwargs):
            return False if Path(path) == folder and mode & os.W_OK else real_access(path, mode, *args, **kwargs)

        def mkdir(path, *args, **kwargs):
            if Path(path).parent == folder:
                raise PermissionError(13, "Permission denied", str(path))
            return real_mkdir(path, *args, **kwargs)

        monkeypatch.setattr(os, "access", access)
        monkeypatch.setattr(os, "mkdir", mkdir)

    yield lock
    for folder in locked:
        folder.chmod(0o755)


@pytest.fixture
def inputs(tmp_path):
    """A photo and a settings file (the tiny predictor trunk) in their own folder."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    Image.new("RGB", (12, 10), (200, 30, 30)).save(folder / "shoe.png")
    (folder / "fast.toml").write_text('[shift]\npredictor_trunk = "tiny-cnn"\npredictor_trunk_options = {}\n')
    return folder


def gigs(*args):
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


def run_into(inputs, out, *extra):
    return gigs("run", *FAST, "--config", inputs / "fast.toml", "-i", inputs / "shoe.png", "-o", out, *extra)


def assert_one_line_error(result, message):
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], result.output


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry under ``folder`` (hidden ones too) with the bytes of the files."""
    return {str(path.relative_to(folder)): path.read_bytes() if path.is_file() else None
            for path in sorted(folder.rglob("*"))}


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", ""])
    child.wait()
    return child.pid


@pytest.fixture
def no_models(monkeypatch):
    """Fail the test if a model is built: what it checks must be reported before that."""
    from gigs_core import factories

    def refuse(*args, **kwargs):
        raise AssertionError("a model was loaded before the pre-flight failed")

    monkeypatch.setattr(factories, "create_generator", refuse)
    monkeypatch.setattr(factories, "create_recommender", refuse)


# --- the marker and --overwrite -------------------------------------------------------------


def test_a_run_folder_is_marked_and_overwrite_replaces_it(inputs, tmp_path):
    out = tmp_path / "run"
    assert run_into(inputs, out).exit_code == 0
    assert json.loads((out / RUN_FOLDER.name).read_text()) == {"format": "gigs-run", "version": 1}
    assert json.loads((out / "report.json").read_text())["metadata"] == {"format": "gigs-run", "version": 1}
    (out / "stale.txt").write_text("from the first run")
    result = run_into(inputs, out, "--overwrite", "--seed", "7")
    assert result.exit_code == 0, result.output
    assert not (out / "stale.txt").exists()
    assert json.loads((out / "report.json").read_text())["items"][0]["seed"] == 7
    assert sorted(path.name for path in tmp_path.iterdir()) == ["inputs", "run"]


def test_overwrite_never_deletes_a_folder_gigs_did_not_write(inputs, tmp_path):
    mine = tmp_path / "mine"
    (mine / "deep").mkdir(parents=True)
    (mine / "thesis.tex").write_text("years of work")
    (mine / "deep" / "data.bin").write_bytes(bytes(range(256)))
    (mine / "report.json").write_text("{}")  # looking like a run is not enough
    before = snapshot(mine)
    result = run_into(inputs, mine, "--overwrite")
    assert_one_line_error(result, "was not written by gigs")
    assert "remove it yourself" in result.output
    assert snapshot(mine) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["inputs", "mine"]


def test_a_marker_of_another_format_does_not_count(inputs, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / RUN_FOLDER.name).write_text('{"format": "something-else"}')
    assert_one_line_error(run_into(inputs, other, "--overwrite"), "was not written by gigs")
    assert (other / RUN_FOLDER.name).exists()


def test_an_empty_folder_is_used_with_overwrite_only(inputs, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_one_line_error(run_into(inputs, empty), "already exists")
    result = run_into(inputs, empty, "--overwrite")
    assert result.exit_code == 0, result.output
    assert (empty / RUN_FOLDER.name).is_file()


def test_a_file_is_never_replaced(inputs, tmp_path):
    target = tmp_path / "notes"
    target.write_text("keep me")
    assert_one_line_error(run_into(inputs, target, "--overwrite"), "is not a folder")
    assert target.read_text() == "keep me"


# --- the output folder may not hold the current folder or an input ------------------------


@pytest.mark.parametrize("case", ["current folder", "ancestor of the current folder", "folder of the item",
                                  "folder of a checkpoint option"])
def test_out_may_not_hold_the_current_folder_or_an_input(inputs, tmp_path, monkeypatch, case):
    work = tmp_path / "work"
    (work / "deep").mkdir(parents=True)
    (work / "deep" / "keep.txt").write_text("keep")
    RUN_FOLDER.write(work)  # even a folder gigs wrote: it holds what we need
    checkpoint = tmp_path / "models" / "g.pt"
    checkpoint.parent.mkdir()
    checkpoint.write_bytes(b"weights")
    extra = []
    if case == "current folder":
        monkeypatch.chdir(work)
        out = "."
    elif case == "ancestor of the current folder":
        monkeypatch.chdir(work / "deep")
        out = work
    elif case == "folder of the item":
        out = inputs
    else:
        out = checkpoint.parent
        extra = ["-G", f"checkpoint={checkpoint}"]
    before = snapshot(tmp_path)
    result = run_into(inputs, out, "--overwrite", *extra)
    message = "is the current folder or holds it" if "current" in case else "holds the input"
    assert_one_line_error(result, message)
    assert snapshot(tmp_path) == before


def test_a_folder_holding_the_config_is_refused(tmp_path):
    settings = tmp_path / "settings" / "fast.toml"
    settings.parent.mkdir()
    settings.write_text('[shift]\npredictor_trunk = "tiny-cnn"\npredictor_trunk_options = {}\n')
    result = gigs("run", *FAST, "--config", settings, "-o", settings.parent, "--overwrite")
    assert_one_line_error(result, f"holds the input {str(settings)!r}")
    assert settings.exists()


# --- checked before any model is loaded ----------------------------------------------------


def bomb_png(path: Path, side: int = 100_000) -> Path:
    """A PNG whose header claims ``side``×``side`` pixels: a decompression bomb, in 57 bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = side.to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b""))
    return path


def truncated(path: Path, kind: str) -> Path:
    Image.effect_noise((64, 64), 50).convert("RGB").save(path, kind)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path


@pytest.mark.parametrize("case,message", [
    ("missing item", "does not exist"),
    ("folder as item", "is not a file"),
    ("decompression bomb", "too large to decode safely"),
    ("truncated png", "is not a readable image"),
    ("truncated jpeg", "is not a readable image"),
    ("out under a file", "cannot create the output folder"),
    ("unmarked out", "was not written by gigs"),
])
def test_mistakes_are_reported_before_any_model_loads(inputs, tmp_path, no_models, case, message):
    item, out = inputs / "shoe.png", tmp_path / "run"
    if case == "missing item":
        item = tmp_path / "nowhere.png"
    elif case == "folder as item":
        item = tmp_path / "photos.png"
        item.mkdir()
    elif case == "decompression bomb":
        item = bomb_png(tmp_path / "bomb.png")
    elif case == "truncated png":
        item = truncated(tmp_path / "cut.png", "PNG")
    elif case == "truncated jpeg":
        item = truncated(tmp_path / "cut.jpg", "JPEG")
    elif case == "out under a file":
        (tmp_path / "afile").write_text("x")
        out = tmp_path / "afile" / "sub"
    else:
        out.mkdir()
        (out / "x.txt").write_text("x")
    result = gigs("run", *FAST, "--config", inputs / "fast.toml", "-i", item, "-o", out, "--overwrite")
    assert_one_line_error(result, message)
    if "item" in case or "png" in case or "jpeg" in case or "bomb" in case:
        assert str(item) in result.output  # the error names the file
    assert "Traceback" not in result.output


def test_a_bomb_under_a_lowered_limit_is_a_data_error(tmp_path, monkeypatch):
    from gigs_core.errors import DataError
    from gigs_core.imaging import check_image, load_image

    photo = tmp_path / "big.png"
    Image.new("L", (100, 100)).save(photo)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)  # 10,000 pixels: twice over is an error
    for read in (check_image, load_image):
        with pytest.raises(DataError, match="too large to decode safely"):
            read(photo)


def test_parents_are_created_only_when_the_run_is_written(inputs, tmp_path, no_models):
    out = tmp_path / "a" / "b" / "run"
    result = gigs("run", *FAST, "--config", inputs / "fast.toml", "-i", tmp_path / "nowhere.png", "-o", out)
    assert_one_line_error(result, "does not exist")
    assert not (tmp_path / "a").exists()


def test_an_unwritable_parent_is_refused_before_any_model_loads(inputs, tmp_path, no_models, make_read_only):
    locked = tmp_path / "locked"
    locked.mkdir()
    make_read_only(locked)
    assert_one_line_error(run_into(inputs, locked / "run"), "cannot create the output folder")
    assert list(locked.iterdir()) == []


def test_a_read_only_run_folder_is_refused_and_left_alone(inputs, tmp_path, make_read_only):
    out = tmp_path / "run"
    assert run_into(inputs, out).exit_code == 0
    before = snapshot(out)
    make_read_only(out)
    assert_one_line_error(run_into(inputs, out, "--overwrite"), "is read-only")
    assert snapshot(out) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["inputs", "run"]


# --- item names ------------------------------------------------------------------------------


def test_item_names_are_made_unique_in_order():
    paths = ["a/shoe.png", "b/shoe.jpg", "c/Shoe.png", "shoe-2.png", "report.json.png", "bag.png"]
    assert item_names(paths) == ["shoe", "shoe-2", "Shoe-3", "shoe-2-2", "report.json-2", "bag"]


def test_two_items_with_the_same_file_name_get_their_own_folders(inputs, tmp_path):
    (tmp_path / "other").mkdir()
    Image.new("RGB", (9, 9), (0, 90, 0)).save(tmp_path / "other" / "shoe.png")
    out = tmp_path / "run"
    result = gigs("run", *FAST, "--config", inputs / "fast.toml", "-i", inputs / "shoe.png",
                  "-i", tmp_path / "other" / "shoe.png", "-o", out)
    assert result.exit_code == 0, result.output
    assert [item["name"] for item in json.loads((out / "report.json").read_text())["items"]] == ["shoe", "shoe-2"]
    assert (out / "shoe" / "item.png").is_file() and (out / "shoe-2" / "item.png").is_file()


def test_run_files_lists_what_save_writes_beside_the_items(tmp_path, fast_config):
    generator, recommender = create_generator("linear"), create_recommender("pixel")
    run = run_gigs(generator, recommender, torch.rand(1, 1, 8, 8), config=fast_config, item_names=["shoe"])
    folder = run.save(tmp_path / "run")
    assert {path.name for path in folder.iterdir()} - {"shoe"} == RUN_FILES


def test_the_demo_makes_photo_names_unique(tmp_path):
    from gigs_demo import SHIPPED_BUNDLE

    if not (Path(SHIPPED_BUNDLE) / "manifest.json").is_file():
        pytest.skip("the shipped demo bundle is absent")
    for name, shade in (("a", 40), ("b", 200)):
        (tmp_path / name).mkdir()
        Image.new("L", (20, 20), shade).save(tmp_path / name / "shoe.png")
    out = tmp_path / "run"
    result = gigs("run", "-i", tmp_path / "a" / "shoe.png", "-i", tmp_path / "b" / "shoe.png",
                  "--steps", "1", "--n", "2", "--perceptual", "none", "-q", "-o", out)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert [item["name"] for item in report["items"]] == ["shoe", "shoe-2"]
    assert set(report["evaluation"]["items"]) == {"shoe", "shoe-2"}
    assert (out / RUN_FOLDER.name).is_file()


def test_the_demo_checks_before_it_loads_the_bundle(tmp_path, monkeypatch):
    monkeypatch.setenv("GIGS_DEMO_BUNDLE", str(tmp_path / "no-bundle-here"))
    assert_one_line_error(gigs("run", "-i", tmp_path / "nowhere.png"), "does not exist")
    monkeypatch.chdir(tmp_path)
    assert_one_line_error(gigs("run", "-o", ".", "--overwrite"), "is the current folder")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "a.txt").write_text("a")
    assert_one_line_error(gigs("run", "-o", "mine", "--overwrite"), "was not written by gigs")


# --- staging and backup folders ---------------------------------------------------------------

SAVE_AND_HANG = """
import sys, time
from gigs_core.atomic import RUN_FOLDER, atomic_folder
with atomic_folder(sys.argv[1], overwrite=True, marker=RUN_FOLDER) as staging:
    (staging / "report.json").write_text("{}")
    print("saving", flush=True)
    time.sleep(120)
"""


def test_a_run_killed_while_saving_leaves_nothing_after_the_next_run(inputs, tmp_path):
    out = tmp_path / "run"
    assert run_into(inputs, out).exit_code == 0
    before = snapshot(out)
    child = subprocess.Popen([sys.executable, "-c", SAVE_AND_HANG, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "saving"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    leftovers = [path.name for path in tmp_path.iterdir() if path.name.startswith(".run.tmp-")]
    assert len(leftovers) == 1 and leftovers[0].startswith(f".run.tmp-{child.pid}-")
    assert snapshot(out) == before  # the old run is intact
    result = run_into(inputs, out, "--overwrite")
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == ["inputs", "run"]


def test_a_backup_left_by_a_killed_swap_is_restored(inputs, tmp_path):
    out = tmp_path / "run"
    assert run_into(inputs, out).exit_code == 0
    before = snapshot(out)
    backup = tmp_path / f".run.old-{dead_pid()}-{atomic._host_tag()}-0a1b2c3d"
    out.rename(backup)  # killed between the two renames: only the backup holds the old run
    staging = tmp_path / f".run.tmp-{dead_pid()}-{atomic._host_tag()}-x1y2z3"
    staging.mkdir()
    assert_one_line_error(run_into(inputs, out), "already exists")
    assert snapshot(out) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["inputs", "run"]


def test_folders_of_a_live_or_foreign_process_are_left_alone(inputs, tmp_path):
    live = tmp_path / f".run.tmp-{os.getpid()}-{atomic._host_tag()}-abcdef12"
    foreign = tmp_path / f".run.tmp-{dead_pid()}-00000000-abcdef12"
    for folder in (live, foreign):
        folder.mkdir()
    assert run_into(inputs, tmp_path / "run").exit_code == 0
    assert live.is_dir() and foreign.is_dir()


@pytest.fixture(params=["exchange", "two renames"])
def swap(request, monkeypatch):
    """Both ways of replacing a folder: the atomic swap (where the OS has it) and the fallback."""
    if request.param == "exchange" and atomic._renameat2() is None:
        pytest.skip("no renameat2 here")
    if request.param == "two renames":
        monkeypatch.setattr(atomic, "_exchange", lambda first, second: False)
    return request.param


def make_folder(target, marker=RUN_FOLDER, **files):
    with atomic_folder(target, overwrite=True, marker=marker) as staging:
        for name, text in files.items():
            (staging / name).write_text(text)


def test_replacing_a_folder_leaves_only_the_new_one(tmp_path, swap):
    target = tmp_path / "run"
    make_folder(target, old="old")
    make_folder(target, new="new")
    assert sorted(path.name for path in target.iterdir()) == [RUN_FOLDER.name, "new"]
    assert [path.name for path in tmp_path.iterdir()] == ["run"]


def test_a_failed_replace_keeps_the_old_folder(tmp_path, swap, monkeypatch):
    target = tmp_path / "run"
    make_folder(target, old="old")
    before = snapshot(target)
    real_replace = os.replace

    def failing(source, destination):
        if ".run.tmp-" in str(source) and Path(destination) == target:
            raise OSError("disk gone")
        return real_replace(source, destination)

    def failing_exchange(first, second):
        if swap == "exchange":
            raise OSError("disk gone")
        return False

    monkeypatch.setattr(atomic.os, "replace", failing)
    monkeypatch.setattr(atomic, "_exchange", failing_exchange)
    with pytest.raises(OSError, match="disk gone"):
        make_folder(target, new="new")
    assert snapshot(target) == before
    assert [path.name for path in tmp_path.iterdir()] == ["run"]


def test_the_library_refuses_too(tmp_path, fast_config, monkeypatch):
    generator, recommender = create_generator("linear"), create_recommender("pixel")
    run = run_gigs(generator, recommender, torch.rand(1, 1, 8, 8), config=fast_config)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "a.txt").write_text("a")
    with pytest.raises(UserInputError, match="was not written by gigs"):
        run.save(tmp_path / "mine", overwrite=True)
    monkeypatch.chdir(tmp_path / "mine")
    with pytest.raises(UserInputError, match="is the current folder"):
        run.save(".", overwrite=True)
    assert (tmp_path / "mine" / "a.txt").read_text() == "a"
